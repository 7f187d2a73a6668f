"""``provision permissions``: the policy covers every call apply, re-apply and destroy make on
LocalStack (recorded from botocore's own events, paginators and waiters included), names the stack's
resources, and parliament finds nothing above LOW in it."""

from __future__ import annotations

import fnmatch
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from models import load_plan
from provision.api import apply_plan, connect, destroy_stack
from provision.permissions import permissions_policy
from tests.provision.conftest import Recorder, unique
from tests.provision.test_security import _above_low

PLANS = Path(__file__).parents[2] / "examples" / "plans"


def quiet(line: str) -> None:
    pass


def allowed(policy: dict[str, Any]) -> list[str]:
    return [a for s in policy["Statement"] for a in s["Action"]]


@pytest.mark.parametrize("name", sorted(p.name for p in PLANS.glob("*.json")))
def test_the_policy_is_well_formed_and_scoped(name: str) -> None:
    plan = load_plan(PLANS / name)
    policy = permissions_policy(plan)
    # whoever applies the stack sets its bucket policy (TLS-only), so could widen it: by design
    expected = "RESOURCE_POLICY_PRIVILEGE_ESCALATION: Possible resource policy privilege escalation on arn:aws:s3:::"
    assert [f for f in _above_low(policy) if not (f.startswith(expected) and "s3:PutBucketPolicy" in f)] == []
    assert not any("*" in a for a in allowed(policy))  # no wildcard actions
    # the stack's own resources by name, or the one connection its pipeline uses (PassConnection);
    # service-linked roles are AWS's, limited by the service's name
    scoped = [s for s in policy["Statement"] if s["Resource"] != "*" and s.get("Sid") != "ServiceLinkedRoles"]
    ours = (plan.name, plan.pipeline.source.connection_arn or plan.name)
    assert scoped and all(any(o in r for o in ours) for s in scoped for r in s["Resource"])


def test_the_cli_prints_the_policy(tmp_path: Path) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "provision", "permissions", str(PLANS / "serverless.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 0 and json.loads(out.stdout) == permissions_policy(load_plan(PLANS / "serverless.json"))


@pytest.mark.localstack
@pytest.mark.usefixtures("localstack")
@pytest.mark.parametrize(
    ("name", "network"),
    [
        ("seed_container_apigw.json", {}),
        ("seed_container_apigw.json", {"vpc_endpoints": True}),
        ("seed_container_apigw.json", {"nat": "instance"}),
        ("fargate_alb.json", {}),
        ("serverless.json", {}),
        ("serverless_alerts.json", {}),
        ("seed_container_rest.json", {}),
        ("target_tracking_alb.json", {}),
    ],
)
def test_the_policy_covers_every_call_apply_and_destroy_make(name: str, network: dict[str, Any]) -> None:
    base = load_plan(PLANS / name)
    plan = unique(base.model_copy(update={"network": base.network.model_copy(update=network)}), "perm")
    recorder = Recorder()
    apply_plan(plan, ctx=connect(plan, wrap=recorder), progress=quiet)
    apply_plan(plan, ctx=connect(plan, wrap=recorder), progress=quiet)
    destroy_stack(connect(plan, wrap=recorder), progress=quiet)
    granted = allowed(permissions_policy(plan))
    missing = sorted(a for a in recorder.actions if not any(fnmatch.fnmatchcase(a, g) for g in granted))
    assert missing == []
    assert len(recorder.actions) > 30


def test_creating_with_tags_is_allowed_and_limited_to_creates_where_aws_can() -> None:
    # A create call that carries tags is also authorized on the service's tagging action (EC2, ECS and
    # ELB tag-on-create documentation; PutMetricAlarm, CreateRole, CreateLogGroup with tags likewise).
    policy = permissions_policy(load_plan(PLANS / "seed_container_alb.json"))
    granted = set(allowed(policy))
    assert {"ec2:CreateTags", "ecs:TagResource", "elasticloadbalancing:AddTags", "cloudwatch:TagResource"} <= granted
    assert {"iam:TagRole", "iam:TagInstanceProfile", "logs:TagResource", "autoscaling:CreateOrUpdateTags"} <= granted
    by_sid = {s["Sid"]: s for s in policy["Statement"]}
    assert by_sid["TagOnCreateEc2"]["Condition"]["StringLike"] == {"ec2:CreateAction": ["Create*", "AllocateAddress"]}
    assert by_sid["TagOnCreateEcs"]["Action"] == ["ecs:TagResource"]
    assert "iam:TagRole" in by_sid["StackIam"]["Action"]  # only the stack's own roles
    serverless = set(allowed(permissions_policy(load_plan(PLANS / "serverless.json"))))
    assert "lambda:TagResource" in serverless and "ecs:TagResource" not in serverless


@pytest.mark.parametrize(
    ("name", "services"),
    [
        # a fresh account has none of these roles; creating the first cluster, load balancer, Auto
        # Scaling group, ECS scalable target or VPC link makes AWS create its service-linked role
        (
            "seed_container_alb.json",
            [
                "autoscaling.amazonaws.com",
                "ecs.amazonaws.com",
                "ecs.application-autoscaling.amazonaws.com",
                "elasticloadbalancing.amazonaws.com",
            ],
        ),
        (
            "seed_container_apigw.json",
            [
                "autoscaling.amazonaws.com",
                "ecs.amazonaws.com",
                "ecs.application-autoscaling.amazonaws.com",
                "ops.apigateway.amazonaws.com",
            ],
        ),
        (
            "fargate_alb.json",
            ["ecs.amazonaws.com", "ecs.application-autoscaling.amazonaws.com", "elasticloadbalancing.amazonaws.com"],
        ),
        ("serverless.json", None),  # Lambda, API Gateway's HTTP API, CodeBuild: no service-linked role
    ],
)
def test_service_linked_roles_may_be_created_only_for_the_plans_services(name: str, services: list[str] | None) -> None:
    statements = [
        s for s in permissions_policy(load_plan(PLANS / name))["Statement"] if s["Sid"] == "ServiceLinkedRoles"
    ]
    if services is None:
        assert statements == []
        return
    assert len(statements) == 1
    assert statements[0]["Action"] == ["iam:CreateServiceLinkedRole"]
    assert statements[0]["Resource"] == "arn:aws:iam::*:role/aws-service-role/*"
    assert statements[0]["Condition"] == {"StringEquals": {"iam:AWSServiceName": services}}
