"""Alerts and connection sources on a real LocalStack: built as the blueprint says (the topic encrypted
with the stack's own key, its policy letting only the stack's alarms and rule of this account publish,
the alarms reading the front door's metrics, the rule matching the pipeline's and builds' failures, the
pipeline's source the connection), read back equal, re-planned clean, pruned when the plan drops them,
and destroyed to nothing (the key pending deletion, so no longer billed)."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models import Plan, load_plan
from models.blueprint import blueprint
from provision.api import apply_plan, connect, destroy_stack, plan_changes, read_status
from provision.errors import ForeignArn, StackCollision
from provision.resources import Context
from tests.provision.conftest import owned, relevant, unique
from tests.provision.interrupt import Interrupter
from tests.provision.test_contract import assert_built

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"
CONNECTION = "arn:aws:codestar-connections:us-east-1:000000000000:connection/5a1c0f3e-2b4d-4e6f-8a9b-0c1d2e3f4a5b"


def quiet(line: str) -> None:
    pass


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provision", *args], capture_output=True, text=True, timeout=300)


def alb_plan() -> Plan:
    base = load_plan(PLANS / "fargate_alb.json").model_dump()
    base["alerts"] = {"email": "oncall@example.com", "http_5xx_pct": 2.5, "unhealthy_hosts": 2}
    base["pipeline"]["source"] = {
        "provider": "gitlab",
        "connection_arn": CONNECTION,
        "repository": "acme/platform/shop",
        "branch": "release",
    }
    return unique(Plan.model_validate(base), "alert")


def _alarm(ctx: Context, name: str) -> dict[str, Any]:
    return dict(ctx.clients("cloudwatch").describe_alarms(AlarmNames=[name])["MetricAlarms"][0])


def _metrics(alarm: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for m in alarm["Metrics"]:
        if "MetricStat" in m:
            metric = m["MetricStat"]["Metric"]
            dims = {d["Name"]: d["Value"] for d in metric["Dimensions"]}
            out[m["Id"]] = (metric["Namespace"], metric["MetricName"], m["MetricStat"]["Stat"], dims)
        else:
            out[m["Id"]] = m["Expression"]
    return out


def test_alb_alerts_and_gitlab_source_apply_read_back_and_destroy(tmp_path: Path) -> None:
    plan = alb_plan()
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    applied = cli("apply", str(path))
    assert applied.returncode == 0, applied.stderr
    assert_built(plan)  # resources, control plane (alerts included) and status equal the blueprint's
    ctx = connect(plan)
    n, account, region = plan.name, ctx.account, plan.region
    # the topic: encrypted with the stack's key; only our alarms and rule of this account may publish
    key = ctx.clients("kms").describe_key(KeyId=f"alias/{n}-alerts")["KeyMetadata"]
    topic = f"arn:aws:sns:{region}:{account}:{n}-alerts"
    attrs = ctx.clients("sns").get_topic_attributes(TopicArn=topic)["Attributes"]
    assert attrs["KmsMasterKeyId"] == key["Arn"] and key["KeyManager"] == "CUSTOMER"
    statements = json.loads(attrs["Policy"])["Statement"]
    assert {(s["Principal"]["Service"], s["Action"]) for s in statements} == {
        ("cloudwatch.amazonaws.com", "sns:Publish"),
        ("events.amazonaws.com", "sns:Publish"),
    }
    by_service = {s["Principal"]["Service"]: s["Condition"] for s in statements}
    assert by_service["cloudwatch.amazonaws.com"] == {
        "ArnLike": {"aws:SourceArn": f"arn:aws:cloudwatch:{region}:{account}:alarm:{n}-alert-*"},
        "StringEquals": {"aws:SourceAccount": account},
    }
    assert by_service["events.amazonaws.com"] == {
        "ArnEquals": {"aws:SourceArn": f"arn:aws:events:{region}:{account}:rule/{n}-pipeline-failures"},
        "StringEquals": {"aws:SourceAccount": account},
    }
    key_policy = json.loads(ctx.clients("kms").get_key_policy(KeyId=key["KeyId"], PolicyName="default")["Policy"])
    publishers = next(s for s in key_policy["Statement"] if "Service" in s["Principal"])
    assert sorted(publishers["Principal"]["Service"]) == ["cloudwatch.amazonaws.com", "events.amazonaws.com"]
    assert publishers["Condition"] == {"StringEquals": {"aws:SourceAccount": account}}
    subs = ctx.clients("sns").list_subscriptions_by_topic(TopicArn=topic)["Subscriptions"]
    assert [(s["Protocol"], s["Endpoint"]) for s in subs] == [("email", "oncall@example.com")]
    # the alarms read the ALB's metrics and notify the topic
    lb = ctx.clients("elbv2").describe_load_balancers(Names=[f"{n}-alb"])["LoadBalancers"][0]
    tg = ctx.clients("elbv2").describe_target_groups(Names=[f"{n}-tg"])["TargetGroups"][0]
    lb_dim = lb["LoadBalancerArn"].split(":loadbalancer/")[1]
    tg_dim = tg["TargetGroupArn"].rsplit(":", 1)[1]
    five = _alarm(ctx, f"{n}-alert-5xx")
    assert _metrics(five) == {
        "errors": ("AWS/ApplicationELB", "HTTPCode_Target_5XX_Count", "Sum", {"LoadBalancer": lb_dim}),
        "requests": ("AWS/ApplicationELB", "RequestCount", "Sum", {"LoadBalancer": lb_dim}),
        "pct": "100 * FILL(errors, 0) / requests",
    }
    assert (five["Threshold"], five["ComparisonOperator"], five["AlarmActions"]) == (
        2.5,
        "GreaterThanThreshold",
        [topic],
    )
    hosts = _alarm(ctx, f"{n}-alert-unhealthy")
    assert _metrics(hosts) == {
        "unhealthy": (
            "AWS/ApplicationELB",
            "UnHealthyHostCount",
            "Maximum",
            {"TargetGroup": tg_dim, "LoadBalancer": lb_dim},
        )
    }
    assert (hosts["Threshold"], hosts["ComparisonOperator"]) == (2.0, "GreaterThanOrEqualToThreshold")
    # the rule: the pipeline's failed executions and its projects' failed builds, to the topic
    ev = ctx.clients("events")
    rule = ev.describe_rule(Name=f"{n}-pipeline-failures")
    pattern = json.loads(rule["EventPattern"])["$or"]
    assert pattern[0]["detail"] == {"pipeline": [f"{n}-pipeline"], "state": ["FAILED"]}
    assert pattern[1]["detail"] == {
        "project-name": [f"{n}-build", f"{n}-release"],
        "build-status": ["FAILED", "FAULT", "TIMED_OUT"],
    }
    assert [t["Arn"] for t in ev.list_targets_by_rule(Rule=f"{n}-pipeline-failures")["Targets"]] == [topic]
    # the source: the GitLab repository through the connection; the role may use that connection only
    stages = ctx.clients("codepipeline").get_pipeline(name=f"{n}-pipeline")["pipeline"]["stages"]
    source = stages[0]["actions"][0]
    assert source["actionTypeId"]["provider"] == "CodeStarSourceConnection" and source["name"] == "GitLab"
    config = source["configuration"]
    assert (config["ConnectionArn"], config["FullRepositoryId"], config["BranchName"]) == (
        CONNECTION,
        "acme/platform/shop",
        "release",
    )
    role = ctx.clients("iam").get_role_policy(RoleName=f"{n}-pipeline", PolicyName="tinysim")
    uses = [s for s in role["PolicyDocument"]["Statement"] if any("Connection" in a for a in s["Action"])]
    assert uses == [{"Effect": "Allow", "Action": ["codestar-connections:UseConnection"], "Resource": [CONNECTION]}]
    # reads back equal and re-plans clean
    status = json.loads(cli("status", str(path)).stdout)
    assert relevant(Plan.model_validate(status["plan"])) == relevant(plan)
    again = cli("plan", str(path))
    assert again.returncode == 0 and "0 to change" in again.stdout, again.stdout
    # destroyed to nothing: the alias gone, the key pending deletion (not billed), topic and rule gone
    gone = cli("destroy", str(path), "--json")
    assert gone.returncode == 0, gone.stderr
    ctx = connect(plan)
    assert owned(ctx) == {}
    assert ctx.clients("kms").describe_key(KeyId=key["KeyId"])["KeyMetadata"]["KeyState"] == "PendingDeletion"
    aliases = ctx.clients("kms").list_aliases()["Aliases"]
    assert f"alias/{n}-alerts" not in {a["AliasName"] for a in aliases}
    assert topic not in {t["TopicArn"] for t in ctx.clients("sns").list_topics()["Topics"]}
    assert not ev.list_rules(NamePrefix=n)["Rules"]
    assert not ctx.clients("cloudwatch").describe_alarms(AlarmNamePrefix=f"{n}-")["MetricAlarms"]


def test_rest_api_alerts_change_in_place_and_go_when_the_plan_drops_them() -> None:
    base = load_plan(PLANS / "serverless_alerts.json")
    plan = unique(base.model_copy(update={"front_door": "apigw-rest"}), "prune")
    ctx = connect(plan)
    apply_plan(plan, ctx=ctx, progress=quiet)
    try:
        n = plan.name
        five = _alarm(connect(plan), f"{n}-alert-5xx")
        dims = {"ApiName": n, "Stage": "prod"}
        assert _metrics(five)["errors"] == ("AWS/ApiGateway", "5XXError", "Sum", dims)
        assert _metrics(five)["requests"] == ("AWS/ApiGateway", "Count", "Sum", dims)
        errors = _metrics(_alarm(connect(plan), f"{n}-alert-lambda-errors"))
        assert errors["invocations"] == ("AWS/Lambda", "Invocations", "Sum", {"FunctionName": n})
        # a new threshold and address: changed in place, nothing created
        assert plan.alerts is not None
        alerts = plan.alerts.model_copy(update={"lambda_errors_pct": 1.0, "email": "new@example.com"})
        changed = plan.model_copy(update={"alerts": alerts})
        todo = {c.name: sorted(c.fields) for c in plan_changes(changed, connect(plan)) if c.action != "no-op"}
        assert todo == {f"{n}-alerts": ["email"], f"{n}-alert-lambda-errors": ["threshold"]}
        apply_plan(changed, ctx=connect(plan), progress=quiet)
        assert _alarm(connect(plan), f"{n}-alert-lambda-errors")["Threshold"] == 1.0
        assert [c for c in plan_changes(changed, connect(plan)) if c.action != "no-op"] == []
        # alerts dropped: the alarms, rule, topic and key go; the rest stays
        dropped = changed.model_copy(update={"alerts": None})
        apply_plan(dropped, ctx=connect(plan), progress=quiet)
        left = owned(connect(plan))
        assert not {"alert_alarm", "event_rule", "topic", "kms_key"} & set(left) and left["function"] == 1
        status = read_status(connect(plan), dropped)
        assert status is not None and status.plan is not None and status.plan.alerts is None
        assert status.control == blueprint(dropped).control
    finally:
        destroy_stack(connect(plan), progress=quiet)
    assert owned(connect(plan)) == {}


def _foreign_topic(ctx: Context, name: str) -> Callable[[], None]:
    arn = ctx.clients("sns").create_topic(Name=f"{name}-alerts")["TopicArn"]
    return lambda: ctx.clients("sns").delete_topic(TopicArn=arn)


def _foreign_alarm(ctx: Context, name: str) -> Callable[[], None]:
    ctx.clients("cloudwatch").put_metric_alarm(
        AlarmName=f"{name}-alert-5xx",
        Namespace="AWS/Lambda",
        MetricName="Errors",
        Statistic="Sum",
        Period=60,
        EvaluationPeriods=1,
        Threshold=1.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    return lambda: ctx.clients("cloudwatch").delete_alarms(AlarmNames=[f"{name}-alert-5xx"])


def _foreign_rule(ctx: Context, name: str) -> Callable[[], None]:
    ev = ctx.clients("events")
    ev.put_rule(Name=f"{name}-pipeline-failures", EventPattern=json.dumps({"source": ["aws.codebuild"]}))
    return lambda: ev.delete_rule(Name=f"{name}-pipeline-failures")


def _foreign_key(ctx: Context, name: str) -> Callable[[], None]:
    kms = ctx.clients("kms")
    key = kms.create_key(Description="someone else's")["KeyMetadata"]["KeyId"]
    kms.create_alias(AliasName=f"alias/{name}-alerts", TargetKeyId=key)

    def undo() -> None:
        kms.delete_alias(AliasName=f"alias/{name}-alerts")
        kms.schedule_key_deletion(KeyId=key, PendingWindowInDays=7)

    return undo


FOREIGN = {"topic": _foreign_topic, "alert_alarm": _foreign_alarm, "event_rule": _foreign_rule, "kms_key": _foreign_key}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_an_untagged_alerts_resource_named_like_the_stacks_is_refused_before_any_change(kind: str) -> None:
    plan = unique(load_plan(PLANS / "serverless_alerts.json"), f"own{kind[:3]}")
    ctx = connect(plan)
    undo = FOREIGN[kind](ctx, plan.name)
    try:
        counter = Interrupter()
        with pytest.raises(StackCollision, match=f"{kind} .* belongs to nobody"):
            apply_plan(plan, ctx=connect(plan, wrap=counter), progress=quiet)
        assert counter.calls == []  # zero changing calls
    finally:
        undo()


def test_a_connection_of_another_account_is_refused_before_any_change(tmp_path: Path) -> None:
    """A connection's ARN names its account (arn:PARTITION:codeconnections:REGION:ACCOUNT:connection/ID);
    a pipeline uses only its own account's connections. Found from the credentials check's account, with
    no read of the connection (the connection service has no emulator): exit 1, one line, no change."""
    other = CONNECTION.replace(":000000000000:", ":123456789012:")
    plan = unique(
        Plan.model_validate(
            {"pipeline": {"source": {"provider": "github", "connection_arn": other, "repository": "acme/shop"}}}
        ),
        "fa",
    )
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    out = cli("apply", str(path))
    assert out.returncode == 1
    assert out.stderr.splitlines() == [
        f"provision: pipeline.source.connection_arn={other!r}: is in account 123456789012; "
        "use one of account 000000000000"
    ]
    calls: list[str] = []

    def record(service: str, client: Any) -> Any:
        client.meta.events.register("before-call.*.*", lambda model, **kw: calls.append(model.name))
        return client

    with pytest.raises(ForeignArn):
        apply_plan(plan, ctx=connect(plan, wrap=record), progress=quiet)
    assert calls == ["GetCallerIdentity"]  # the credentials check only: the account is in the ARN
    assert owned(connect(plan)) == {}
