"""Safety against a real account, on LocalStack: the stack lock (two applies at once, a holder elsewhere,
--force-unlock), ownership (every untagged resource named like the stack's refused before any change,
and left alone by destroy), and settings converged on every apply with their drift shown by plan."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from models import Plan, load_plan
from provision import StackCollision
from provision.api import apply_plan, connect, destroy_stack
from provision.errors import StackLocked
from provision.lock import lock_name
from provision.resources import Context
from tests.provision.conftest import tagged_anywhere, unique
from tests.provision.interrupt import Interrupter

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"
ROOT = Path(__file__).parents[2]
FAKE_ROLE = "arn:aws:iam::000000000000:role/not-the-stacks"


def quiet(line: str) -> None:
    pass


def cli(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "provision", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_applies_started_together_build_one_stack(tmp_path: Path) -> None:
    plan = unique(load_plan(PLANS / "fargate_alb.json"), "race")
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    procs = [cli("apply", str(path)), cli("apply", str(path))]
    results = [(p.wait(timeout=300), *p.communicate()) for p in procs]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    loser = next(err for code, _, err in results if code == 1).strip().splitlines()
    assert len(loser) == 1 and f"stack {plan.name!r} is locked by" in loser[0], loser
    assert "nothing was changed" in loser[0]
    ctx = connect(plan)
    vpcs = [r for r in tagged_anywhere(ctx) if "VpcId" in r and "SubnetId" not in r and "GroupId" not in r]
    assert len(vpcs) == 1
    destroy_stack(connect(plan), progress=quiet)


def test_a_lock_held_elsewhere_refuses_without_change_until_force_unlock(tmp_path: Path) -> None:
    plan = unique(load_plan(PLANS / "serverless.json"), "locked")
    ctx = connect(plan)
    holder = {"user": "ci", "host": "build-agent-7", "pid": 4242, "since": "2026-11-30T10:00:00+00:00"}
    ctx.clients("ssm").put_parameter(Name=lock_name(plan.name), Value=json.dumps(holder), Type="String")
    counter = Interrupter()
    with pytest.raises(StackLocked, match=r"locked by ci@build-agent-7 \(pid 4242\) since 2026-11-30T10:00:00"):
        apply_plan(plan, ctx=connect(plan, wrap=counter), progress=quiet)
    assert counter.calls == []  # not one change, besides the refused lock itself
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    proc = cli("destroy", str(path))
    assert proc.wait(timeout=120) == 1 and "is locked by ci@build-agent-7" in proc.communicate()[1]
    proc = cli("apply", str(path), "--force-unlock")
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 0, err
    assert "removed the lock held by ci@build-agent-7 (pid 4242) since 2026-11-30T10:00:00+00:00" in out
    destroy_stack(connect(plan), progress=quiet)
    assert ctx.clients("ssm").get_parameters(Names=[lock_name(plan.name)])["Parameters"] == []


def _http_api(ctx: Context, name: str) -> Callable[[], None]:
    api = ctx.clients("apigatewayv2").create_api(Name=name, ProtocolType="HTTP")["ApiId"]
    return lambda: ctx.clients("apigatewayv2").delete_api(ApiId=api)


def _alarm(ctx: Context, name: str) -> Callable[[], None]:
    ctx.clients("cloudwatch").put_metric_alarm(
        AlarmName=f"{name}-cpu-high",
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Statistic="Average",
        Period=60,
        EvaluationPeriods=1,
        Threshold=50.0,
        ComparisonOperator="GreaterThanThreshold",
    )
    return lambda: ctx.clients("cloudwatch").delete_alarms(AlarmNames=[f"{name}-cpu-high"])


def _build_project(ctx: Context, name: str) -> Callable[[], None]:
    ctx.clients("codebuild").create_project(
        name=f"{name}-release",
        source={"type": "S3", "location": "elsewhere/source.zip"},
        artifacts={"type": "NO_ARTIFACTS"},
        environment={
            "type": "LINUX_CONTAINER",
            "image": "aws/codebuild/standard:7.0",
            "computeType": "BUILD_GENERAL1_SMALL",
        },
        serviceRole=FAKE_ROLE,
    )
    return lambda: ctx.clients("codebuild").delete_project(name=f"{name}-release")


def _pipeline(ctx: Context, name: str, suffix: str = "pipeline") -> Callable[[], None]:
    iam = ctx.clients("iam")
    trust = {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "codepipeline.amazonaws.com"}}
        ],
    }
    role = iam.create_role(RoleName=f"other-{name}", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    s3 = ctx.clients("s3")
    s3.create_bucket(Bucket=f"other-{name}")
    stage: dict[str, Any] = {
        "name": "Source",
        "actions": [
            {
                "name": "Source",
                "actionTypeId": {"category": "Source", "owner": "AWS", "provider": "S3", "version": "1"},
                "configuration": {"S3Bucket": f"other-{name}", "S3ObjectKey": "src.zip"},
                "outputArtifacts": [{"name": "src"}],
            }
        ],
    }
    build = {
        "name": "Build",
        "actions": [
            {
                "name": "Build",
                "actionTypeId": {"category": "Build", "owner": "AWS", "provider": "CodeBuild", "version": "1"},
                "configuration": {"ProjectName": "x"},
                "inputArtifacts": [{"name": "src"}],
            }
        ],
    }
    pipeline_name = f"{name}-{suffix}"
    ctx.clients("codepipeline").create_pipeline(
        pipeline={
            "name": pipeline_name,
            "roleArn": role,
            "artifactStore": {"type": "S3", "location": f"other-{name}"},
            "stages": [stage, build],
        }
    )

    def undo() -> None:
        ctx.clients("codepipeline").delete_pipeline(name=pipeline_name)
        s3.delete_bucket(Bucket=f"other-{name}")
        iam.delete_role(RoleName=f"other-{name}")

    return undo


def _bucket(ctx: Context, name: str) -> Callable[[], None]:
    ctx.clients("s3").create_bucket(Bucket=f"{name}-artifacts-{ctx.region}")
    return lambda: ctx.clients("s3").delete_bucket(Bucket=f"{name}-artifacts-{ctx.region}")


def _role(ctx: Context, name: str) -> Callable[[], None]:
    trust = {"Version": "2012-10-17", "Statement": []}
    ctx.clients("iam").create_role(RoleName=f"{name}-pipeline", AssumeRolePolicyDocument=json.dumps(trust))
    return lambda: ctx.clients("iam").delete_role(RoleName=f"{name}-pipeline")


def _vpc(ctx: Context, name: str) -> Callable[[], None]:
    ec2 = ctx.clients("ec2")
    vpc = ec2.create_vpc(
        CidrBlock="10.9.0.0/16",
        TagSpecifications=[{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": f"{name}-vpc"}]}],
    )["Vpc"]["VpcId"]
    return lambda: ec2.delete_vpc(VpcId=vpc)


FOREIGN = {
    "http_api": _http_api,
    "alarm": _alarm,
    "build_project": _build_project,
    "pipeline": _pipeline,
    "bucket": _bucket,
    "role": _role,
    "vpc": _vpc,
}


@pytest.mark.parametrize("kind", sorted(FOREIGN))
def test_an_untagged_resource_named_like_the_stacks_is_refused_before_any_change(kind: str) -> None:
    plan = unique(load_plan(PLANS / "seed_container_apigw.json"), f"own{kind[:3]}")
    ctx = connect(plan)
    undo = FOREIGN[kind](ctx, plan.name)
    try:
        counter = Interrupter()
        with pytest.raises(StackCollision, match=f"{kind} .* belongs to nobody"):
            apply_plan(plan, ctx=connect(plan, wrap=counter), progress=quiet)
        assert counter.calls == []  # zero changing calls (the lock taken and given back is not counted)
        assert ctx.clients("ssm").get_parameters(Names=[lock_name(plan.name)])["Parameters"] == []
    finally:
        undo()


def test_destroy_leaves_an_untagged_pipeline_named_like_the_stacks_alone() -> None:
    plan = unique(Plan(name="legacy"), "leg")
    ctx = connect(plan)
    undo = _pipeline(ctx, plan.name, "legacy-pipeline")
    try:
        destroy_stack(connect(plan), progress=quiet)
        names = [p["name"] for p in ctx.clients("codepipeline").list_pipelines()["pipelines"]]
        assert f"{plan.name}-legacy-pipeline" in names
    finally:
        undo()


def test_settings_drift_is_shown_by_plan_and_converged_by_apply(tmp_path: Path) -> None:
    plan = unique(load_plan(PLANS / "fargate_alb.json"), "settings")
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    ctx = connect(plan)
    apply_plan(plan, ctx=ctx, progress=quiet)
    bucket = f"{plan.name}-artifacts-{plan.region}"
    s3, ec2, logs = ctx.clients("s3"), ctx.clients("ec2"), ctx.clients("logs")
    s3.delete_bucket_encryption(Bucket=bucket)
    s3.delete_public_access_block(Bucket=bucket)
    s3.delete_bucket_policy(Bucket=bucket)
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    vpc = ctx.out("vpc", "vpc_id")
    ec2.modify_vpc_attribute(VpcId=vpc, EnableDnsHostnames={"Value": False})
    logs.put_retention_policy(logGroupName=f"/tinysim/{plan.name}", retentionInDays=1)
    drift = subprocess.run(
        [sys.executable, "-m", "provision", "plan", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert drift.returncode == 2, drift.stderr
    lines = {line.split("  (")[0]: line for line in drift.stdout.splitlines()}
    b = lines[f"~ bucket {bucket}"]
    for field in (
        "encryption: None -> 'AES256'",
        "public_access_block: None",
        "versioning: 'Suspended' -> 'Enabled'",
        "policy: None",
    ):
        assert field in b, b
    assert "dns_hostnames: False -> True" in lines[f"~ vpc {plan.name}-vpc"]
    assert "retention_days: 1 -> 30" in lines[f"~ log_group /tinysim/{plan.name}"]
    apply_plan(plan, ctx=connect(plan), progress=quiet)
    again = subprocess.run(
        [sys.executable, "-m", "provision", "plan", str(path)], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stdout
    assert (
        s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0][
            "ApplyServerSideEncryptionByDefault"
        ]["SSEAlgorithm"]
        == "AES256"
    )
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    assert ec2.describe_vpc_attribute(VpcId=vpc, Attribute="enableDnsHostnames")["EnableDnsHostnames"]["Value"]
    destroy_stack(connect(plan), progress=quiet)
