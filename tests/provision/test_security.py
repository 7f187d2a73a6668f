"""The security baseline (README, "Security baseline"), asserted on the live resources LocalStack holds
after an apply, and every IAM document of the stack checked with parliament (nothing above LOW)."""

from __future__ import annotations

import base64
import gc
import json
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from models import Plan, load_plan
from provision.api import apply_plan, connect, destroy_stack, plan_changes
from provision.permissions import permissions_policy
from provision.policies import policies
from provision.resources import Context
from provision.scaffold import RELEASE_YML
from provision.services.ecs import UNRELEASED_TAG
from provision.services.iam import trust_policy
from tests.provision.conftest import Recorder, unique

PLANS = Path(__file__).parents[2] / "examples" / "plans"

with warnings.catch_warnings():  # parliament 1.6.4 leaves its data files open at import
    warnings.simplefilter("ignore", ResourceWarning)
    import parliament

    gc.collect()


def quiet(line: str) -> None:
    pass


def _above_low(doc: dict[str, Any]) -> list[str]:
    found = parliament.analyze_policy_string(json.dumps(doc)).findings
    return [f"{f.issue}: {f.detail}" for f in found if parliament.config[f.issue]["severity"] not in ("LOW", "MUTE")]


@pytest.mark.parametrize("name", sorted(p.name for p in PLANS.glob("*.json")))
def test_parliament_finds_nothing_above_low_in_our_policies(name: str) -> None:
    plan = load_plan(PLANS / name)
    for key, role in policies(plan).items():
        assert _above_low(role["policy"]) == [], key
        # a trust policy has no Resource (it is the role's own); parliament reads identity policies, so it
        # is given the role as its resource
        trust = trust_policy(role["principal"], "123456789012", role.get("source_arn"))
        for statement in trust["Statement"]:
            statement["Resource"] = f"arn:aws:iam::123456789012:role/{plan.name}-{key}"
        assert _above_low(trust) == [], key


@pytest.fixture(scope="module")
def stacks(localstack: None) -> Iterator[tuple[Context, Plan, Context, Plan]]:
    ec2_plan = unique(load_plan(PLANS / "seed_container_alb.json"), "sec")
    fn_plan = unique(load_plan(PLANS / "serverless.json"), "secfn")
    ec2_ctx, fn_ctx = connect(ec2_plan), connect(fn_plan)
    apply_plan(ec2_plan, ctx=ec2_ctx, progress=quiet)
    apply_plan(fn_plan, ctx=fn_ctx, progress=quiet)
    yield ec2_ctx, ec2_plan, fn_ctx, fn_plan
    destroy_stack(connect(ec2_plan), progress=quiet)
    destroy_stack(connect(fn_plan), progress=quiet)


@pytest.mark.localstack
def test_instances_require_imdsv2_with_one_hop_and_tasks_cannot_reach_it(stacks: Any) -> None:
    ctx, plan = stacks[0], stacks[1]
    ec2 = ctx.clients("ec2")
    t = ec2.describe_launch_templates(LaunchTemplateNames=[f"{plan.name}-instances"])["LaunchTemplates"][0]
    data = ec2.describe_launch_template_versions(LaunchTemplateId=t["LaunchTemplateId"], Versions=["$Default"])[
        "LaunchTemplateVersions"
    ][0]["LaunchTemplateData"]
    assert data["MetadataOptions"]["HttpTokens"] == "required"
    assert data["MetadataOptions"]["HttpPutResponseHopLimit"] == 1
    assert "ECS_AWSVPC_BLOCK_IMDS=true" in base64.b64decode(data["UserData"]).decode()


@pytest.mark.localstack
def test_the_bucket_is_tls_only_versioned_encrypted_and_private(stacks: Any) -> None:
    ctx, plan = stacks[0], stacks[1]
    s3, bucket = ctx.clients("s3"), f"{plan.name}-artifacts-{plan.region}"
    policy = json.loads(s3.get_bucket_policy(Bucket=bucket)["Policy"])
    deny = policy["Statement"][0]
    assert deny["Effect"] == "Deny" and deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    rules = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"]
    assert rules[0]["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block[k] for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"))


@pytest.mark.localstack
def test_the_alb_drops_invalid_headers(stacks: Any) -> None:
    ctx, plan = stacks[0], stacks[1]
    elb = ctx.clients("elbv2")
    arn = elb.describe_load_balancers(Names=[f"{plan.name}-alb"])["LoadBalancers"][0]["LoadBalancerArn"]
    attrs = {a["Key"]: a["Value"] for a in elb.describe_load_balancer_attributes(LoadBalancerArn=arn)["Attributes"]}
    assert attrs["routing.http.drop_invalid_header_fields.enabled"] == "true"


@pytest.mark.localstack
def test_ecr_has_a_lifecycle_policy_and_codebuild_is_privileged_only_for_the_image(stacks: Any) -> None:
    ctx, plan = stacks[0], stacks[1]
    text = ctx.clients("ecr").get_lifecycle_policy(repositoryName=plan.name)["lifecyclePolicyText"]
    assert json.loads(text)["rules"][0]["action"] == {"type": "expire"}
    repo = ctx.clients("ecr").describe_repositories(repositoryNames=[plan.name])["repositories"][0]
    assert repo["imageTagMutability"] == "IMMUTABLE"
    projects = ctx.clients("codebuild").batch_get_projects(names=[f"{plan.name}-build", f"{plan.name}-release"])
    privileged = {p["name"]: p["environment"]["privilegedMode"] for p in projects["projects"]}
    assert privileged == {f"{plan.name}-build": True, f"{plan.name}-release": False}


#: Each role's trust condition: the account (``aws:SourceAccount``) where the service documents it, and
#: the source ARN pattern where it documents that too (Amazon ECS task IAM role:
#: ``arn:aws:ecs:<region>:<account>:*``; CodeBuild: the project; CodePipeline: the pipeline). EC2
#: instance roles and Lambda execution roles are assumed with neither key set: no condition.
def expected_trust(plan: Plan, account: str) -> dict[str, Any]:
    r, n, a = plan.region, plan.name, account
    return {
        f"{n}-task": {"StringEquals": {"aws:SourceAccount": a}, "ArnLike": {"aws:SourceArn": f"arn:aws:ecs:{r}:{a}:*"}},
        f"{n}-task-exec": {"StringEquals": {"aws:SourceAccount": a}},
        f"{n}-build": {
            "StringEquals": {"aws:SourceAccount": a},
            "ArnLike": {"aws:SourceArn": f"arn:aws:codebuild:{r}:{a}:project/{n}-*"},
        },
        f"{n}-pipeline": {
            "StringEquals": {"aws:SourceAccount": a},
            "ArnLike": {"aws:SourceArn": f"arn:aws:codepipeline:{r}:{a}:{n}-pipeline"},
        },
        f"{n}-instance": None,
    }


@pytest.mark.localstack
def test_trust_policies_name_the_account_and_source_and_the_permission_names_the_api(stacks: Any) -> None:
    ctx, plan, fn_ctx, fn_plan = stacks
    iam = ctx.clients("iam")
    assert ctx.account
    wanted = {**expected_trust(plan, ctx.account), f"{fn_plan.name}-lambda": None}
    for role_name, condition in wanted.items():
        trust = iam.get_role(RoleName=role_name)["Role"]["AssumeRolePolicyDocument"]
        trust = json.loads(trust) if isinstance(trust, str) else trust
        assert trust["Statement"][0].get("Condition") == condition, role_name
    policy = json.loads(fn_ctx.clients("lambda").get_policy(FunctionName=fn_plan.name)["Policy"])
    cond = policy["Statement"][0]["Condition"]
    api = next(a for a in fn_ctx.clients("apigatewayv2").get_apis()["Items"] if a["Name"] == fn_plan.name)
    assert cond["StringEquals"]["AWS:SourceAccount"] == fn_ctx.account
    assert cond["ArnLike"]["AWS:SourceArn"] == f"arn:aws:execute-api:{fn_plan.region}:{fn_ctx.account}:{api['ApiId']}/*"


@pytest.mark.localstack
def test_the_http_api_stage_is_throttled_and_logs_every_request(stacks: Any) -> None:
    fn_ctx, fn_plan = stacks[2], stacks[3]
    gw = fn_ctx.clients("apigatewayv2")
    api = next(a for a in gw.get_apis()["Items"] if a["Name"] == fn_plan.name)
    stage = next(s for s in gw.get_stages(ApiId=api["ApiId"])["Items"] if s["StageName"] == "$default")
    assert stage["DefaultRouteSettings"]["ThrottlingRateLimit"] == 10_000.0  # API Gateway's account default
    assert stage["DefaultRouteSettings"]["ThrottlingBurstLimit"] == 5_000
    log = f"arn:aws:logs:{fn_plan.region}:{fn_ctx.account}:log-group:/tinysim/{fn_plan.name}/api-access"
    assert stage["AccessLogSettings"]["DestinationArn"] == log
    assert "$context.requestId" in stage["AccessLogSettings"]["Format"]


def release_snippet() -> str:
    """The Python the release runs to write the next task definition revision (release.yml's heredoc)."""
    text = RELEASE_YML.split("<<'EOF'\n", 1)[1].split("\n        EOF\n", 1)[0]
    return textwrap.dedent(text)


@pytest.mark.localstack
def test_the_release_runs_the_builds_own_tag_and_apply_keeps_it(stacks: Any, tmp_path: Path) -> None:
    ctx, plan = stacks[0], stacks[1]
    ecs, uri = ctx.clients("ecs"), ctx.outputs["ecr"]["uri"]
    assert (
        ecs.describe_task_definition(taskDefinition=plan.name)["taskDefinition"]["containerDefinitions"][0]["image"]
        == f"{uri}:{UNRELEASED_TAG}"
    )
    # what release.yml does with the AWS CLI, here with boto3: describe, rewrite (its own Python), register
    got = ecs.describe_task_definition(taskDefinition=plan.name, include=["TAGS"])
    (tmp_path / "current.json").write_text(json.dumps(got, default=str))
    image = f"{uri}:0123456789ab-7"  # a build's tag: the commit and the build number
    subprocess.run([sys.executable, "-", image], input=release_snippet(), text=True, cwd=tmp_path, check=True)
    arn = ecs.register_task_definition(**json.loads((tmp_path / "next.json").read_text()))["taskDefinition"][
        "taskDefinitionArn"
    ]
    ecs.update_service(cluster=plan.name, service=plan.name, taskDefinition=arn)
    assert [c for c in plan_changes(plan, connect(plan)) if c.action != "no-op"] == []  # the release is not drift
    bigger = plan.model_copy(
        update={
            "container": plan.container.model_copy(
                update={
                    "task": plan.container.task.model_copy(update={"memory_mb": plan.container.task.memory_mb + 512})
                }
            )
        }
    )
    apply_plan(bigger, ctx=connect(bigger), progress=quiet)  # a new revision: the released image stays
    td = ecs.describe_task_definition(taskDefinition=plan.name, include=["TAGS"])
    assert td["taskDefinition"]["containerDefinitions"][0]["image"] == image
    assert td["taskDefinition"]["memory"] == str(bigger.container.task.memory_mb)
    assert {"key": "tinysim:stack", "value": plan.name} in td["tags"]


@pytest.mark.localstack
def test_tags_made_mutable_by_hand_are_shown_and_made_immutable_again(stacks: Any) -> None:
    ctx, plan = stacks[0], stacks[1]
    ecr = ctx.clients("ecr")
    ecr.put_image_tag_mutability(repositoryName=plan.name, imageTagMutability="MUTABLE")
    drift = [c.fields for c in plan_changes(plan, connect(plan)) if c.kind == "repository"]
    assert drift == [{"tag_mutability": ("MUTABLE", "IMMUTABLE")}]
    recorder = Recorder()
    apply_plan(plan, ctx=connect(plan, wrap=recorder), progress=quiet)
    assert (
        ecr.describe_repositories(repositoryNames=[plan.name])["repositories"][0]["imageTagMutability"] == "IMMUTABLE"
    )
    granted = [a for s in permissions_policy(plan)["Statement"] for a in s["Action"]]
    assert "ecr:PutImageTagMutability" in recorder.actions and "ecr:PutImageTagMutability" in granted


@pytest.mark.localstack
def test_a_pushed_tag_cannot_be_pushed_again(stacks: Any) -> None:
    ctx, plan = stacks[0], stacks[1]
    ecr = ctx.clients("ecr")
    manifest = {
        "schemaVersion": 2,
        "mediaType": "application/vnd.docker.distribution.manifest.v2+json",
        "config": {
            "mediaType": "application/vnd.docker.container.image.v1+json",
            "size": 7023,
            "digest": "sha256:" + "a" * 64,
        },
        "layers": [],
    }
    ecr.put_image(repositoryName=plan.name, imageManifest=json.dumps(manifest), imageTag="build-1")
    manifest["config"]["digest"] = "sha256:" + "b" * 64  # another image under the same tag
    layer = {
        "mediaType": "application/vnd.docker.image.rootfs.diff.tar.gzip",
        "size": 1,
        "digest": "sha256:" + "c" * 64,
    }
    manifest["layers"] = [layer]
    with pytest.raises(ClientError) as refused:
        ecr.put_image(repositoryName=plan.name, imageManifest=json.dumps(manifest), imageTag="build-1")
    # AWS answers ImageTagAlreadyExistsException (ECR user guide, tag immutability); the emulator's ECR
    # (moto) names it ImageAlreadyExistsException. A mutable repository would have moved the tag.
    assert refused.value.response["Error"]["Code"] in ("ImageTagAlreadyExistsException", "ImageAlreadyExistsException")


@pytest.mark.localstack
def test_every_log_group_expires_and_goes_with_destroy(stacks: Any) -> None:
    ctx, plan, _fn_ctx, fn_plan = stacks
    logs = ctx.clients("logs")
    names = [
        f"/tinysim/{plan.name}",
        f"/aws/codebuild/{plan.name}-build",
        f"/aws/codebuild/{plan.name}-release",
        f"/tinysim/{fn_plan.name}/api-access",
        f"/aws/lambda/{fn_plan.name}",
    ]
    for name in names:
        groups = [
            g for g in logs.describe_log_groups(logGroupNamePrefix=name)["logGroups"] if g["logGroupName"] == name
        ]
        assert groups and groups[0]["retentionInDays"] == 30, name
    destroy_stack(connect(fn_plan), progress=quiet)
    left = logs.describe_log_groups(logGroupNamePrefix=f"/aws/lambda/{fn_plan.name}")["logGroups"]
    assert [g for g in left if g["logGroupName"] == names[-1]] == []
