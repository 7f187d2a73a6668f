"""Least-privilege IAM for each role of the stack: every statement names the actions it needs and the
stack's own resources (by name pattern; ``*`` only where AWS allows nothing narrower)."""

from __future__ import annotations

from typing import Any

from models.plan import Plan

__all__ = ["connection_prefix", "policies", "use_connection"]


def _doc(*statements: dict[str, Any]) -> dict[str, Any]:
    return {"Version": "2012-10-17", "Statement": list(statements)}


def _allow(actions: list[str], resources: list[str]) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": actions, "Resource": resources}


def use_connection(plan: Plan) -> list[dict[str, Any]]:
    """A connection source: the pipeline role may use that one connection and no other
    (``UseConnection`` on its ARN). The action takes the service prefix of the connection's ARN:
    ``codeconnections`` for a connection made since the service was renamed, ``codestar-connections``
    for an older one (the resource type of each action names its own prefix). Source:
    docs.aws.amazon.com/codepipeline/latest/userguide/action-reference-CodestarConnectionSource.html
    ("Service role permissions") and docs.aws.amazon.com/dtconsole/latest/userguide/rename.html."""
    arn = plan.pipeline.source.connection_arn
    if not plan.pipeline.source.connected or arn is None:
        return []
    return [_allow([f"{connection_prefix(arn)}:UseConnection"], [arn])]


def connection_prefix(arn: str) -> str:
    """The IAM service prefix of a connection's ARN (``codeconnections`` or ``codestar-connections``)."""
    return arn.split(":")[2]


def _release_revision(plan: Plan) -> list[dict[str, Any]]:
    """What the release needs to run a build's image on ECS: read the task definition and register its next
    revision naming the image (both authorized on ``*`` only: Service Authorization Reference, Amazon
    ECS), tagged like the first (tag-on-create, ``ecs:CreateAction``), passing the stack's two task roles
    to ECS tasks only."""
    if plan.architecture != "container":
        return []
    roles = [f"arn:aws:iam::*:role/{plan.name}-task", f"arn:aws:iam::*:role/{plan.name}-task-exec"]
    return [
        _allow(["ecs:DescribeTaskDefinition", "ecs:RegisterTaskDefinition"], ["*"]),
        {
            **_allow(["ecs:TagResource"], ["*"]),
            "Condition": {"StringEquals": {"ecs:CreateAction": "RegisterTaskDefinition"}},
        },
        {
            **_allow(["iam:PassRole"], roles),
            "Condition": {"StringEquals": {"iam:PassedToService": "ecs-tasks.amazonaws.com"}},
        },
    ]


def policies(plan: Plan) -> dict[str, dict[str, Any]]:
    """Role key -> {"principal": service, "policy": inline policy, and "source_arn": the ARN pattern
    (``{account}`` to fill in) its trust policy requires as ``aws:SourceArn``, where the service
    documents that key for its role: the ECS task role (``arn:aws:ecs:<region>:<account>:*``, Amazon
    ECS task IAM role), CodeBuild (the stack's projects) and CodePipeline (the stack's pipeline)}."""
    name, region = plan.name, plan.region
    repo = f"arn:aws:ecr:{region}:*:repository/{name}"
    pull = [
        _allow(["ecr:GetAuthorizationToken"], ["*"]),  # AWS offers no narrower resource for this action
        _allow(["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], [repo]),
    ]
    app_logs = f"arn:aws:logs:{region}:*:log-group:/tinysim/{name}:*"
    fn_logs = f"arn:aws:logs:{region}:*:log-group:/aws/lambda/{name}:*"
    build_logs = f"arn:aws:logs:{region}:*:log-group:/aws/codebuild/{name}-*"
    bucket = f"arn:aws:s3:::{name}-artifacts-{region}"
    cluster = f"arn:aws:ecs:{region}:*:cluster/{name}"
    return {
        "task-exec": {
            "principal": "ecs-tasks.amazonaws.com",
            "policy": _doc(*pull, _allow(["logs:CreateLogStream", "logs:PutLogEvents"], [app_logs])),
        },
        "task": {
            "principal": "ecs-tasks.amazonaws.com",
            "source_arn": f"arn:aws:ecs:{region}:{{account}}:*",
            "policy": _doc(_allow(["logs:CreateLogStream", "logs:PutLogEvents"], [app_logs])),
        },
        "instance": {
            "principal": "ec2.amazonaws.com",
            "policy": _doc(
                *pull,
                _allow(["ecs:RegisterContainerInstance", "ecs:DeregisterContainerInstance", "ecs:Submit*"], [cluster]),
                _allow(
                    ["ecs:UpdateContainerInstancesState", "ecs:Poll", "ecs:StartTelemetrySession"],
                    [f"arn:aws:ecs:{region}:*:container-instance/{name}/*"],
                ),
                _allow(["ecs:DiscoverPollEndpoint"], ["*"]),  # AWS offers no narrower resource for this action
                _allow(["logs:CreateLogStream", "logs:PutLogEvents"], [app_logs]),
            ),
        },
        "lambda": {
            "principal": "lambda.amazonaws.com",
            "policy": _doc(
                *pull, _allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], [fn_logs])
            ),
        },
        "build": {
            "principal": "codebuild.amazonaws.com",
            "source_arn": f"arn:aws:codebuild:{region}:{{account}}:project/{name}-*",
            "policy": _doc(
                _allow(["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"], [build_logs]),
                _allow(["ecr:GetAuthorizationToken"], ["*"]),
                _allow(
                    [
                        "ecr:BatchCheckLayerAvailability",
                        "ecr:InitiateLayerUpload",
                        "ecr:UploadLayerPart",
                        "ecr:CompleteLayerUpload",
                        "ecr:PutImage",
                        "ecr:BatchGetImage",
                        "ecr:GetDownloadUrlForLayer",
                    ],
                    [repo],
                ),
                _allow(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject"], [f"{bucket}/*"]),
                _allow(
                    ["ecs:UpdateService", "ecs:DescribeServices"], [f"arn:aws:ecs:{region}:*:service/{name}/{name}"]
                ),
                *_release_revision(plan),
                _allow(
                    ["lambda:UpdateFunctionCode", "lambda:GetFunction"], [f"arn:aws:lambda:{region}:*:function:{name}"]
                ),
            ),
        },
        "pipeline": {
            "principal": "codepipeline.amazonaws.com",
            "source_arn": f"arn:aws:codepipeline:{region}:{{account}}:{name}-pipeline",
            "policy": _doc(
                _allow(
                    ["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:GetBucketVersioning"],
                    [bucket, f"{bucket}/*"],
                ),
                _allow(
                    ["codebuild:StartBuild", "codebuild:BatchGetBuilds"],
                    [
                        f"arn:aws:codebuild:{region}:*:project/{name}-build",
                        f"arn:aws:codebuild:{region}:*:project/{name}-release",
                    ],
                ),
                *use_connection(plan),
            ),
        },
    }
