"""``python -m provision permissions PLAN.json``: the IAM policy a person needs to run ``plan``, ``apply``
and ``destroy`` for that plan, and nothing the plan does not use.

One table names the AWS operations the provisioner calls for each service (``OPERATIONS``); the plan's
resources say which services it uses; :func:`iam_action` turns an operation into its IAM action (the
same rule the tests apply to every call they record). Statements name the stack's own resources
where the action supports it; list and describe actions that AWS only authorizes on ``*`` are kept
to the plan's region with ``aws:RequestedRegion``.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import botocore.session

from models.plan import Plan
from provision.graph import resources_for
from provision.operations import OPERATIONS

__all__ = ["OPERATIONS", "iam_action", "operation_action", "permissions_policy"]

#: Which clients each kind of resource uses (besides ssm for the lock and ec2 for the zones).
_KIND_CLIENTS: dict[str, tuple[str, ...]] = {
    "repository": ("ecr",),
    "log_group": ("logs",),
    "bucket": ("s3",),
    "role": ("iam",),
    "instance_profile": ("iam",),
    "cluster": ("ecs",),
    "launch_template": ("ec2",),
    "asg": ("autoscaling",),
    "capacity_provider": ("ecs",),
    "group_policy": ("autoscaling",),
    "task_definition": ("ecs",),
    "service": ("ecs",),
    "target_group": ("elbv2",),
    "alb": ("elbv2",),
    "listener": ("elbv2",),
    "namespace": ("servicediscovery",),
    "discovery_service": ("servicediscovery",),
    "vpc_link": ("apigatewayv2",),
    "http_api": ("apigatewayv2",),
    "rest_api": ("apigateway",),
    "scalable_target": ("application-autoscaling",),
    "step_policy": ("application-autoscaling",),
    "target_tracking_policy": ("application-autoscaling",),
    "scheduled_action": ("application-autoscaling",),
    "alarm": ("cloudwatch",),
    "function": ("lambda",),
    "provisioned": ("lambda",),
    "permission": ("lambda",),
    "build_project": ("codebuild",),
    "pipeline": ("codepipeline",),
}
_PREFIX = {"elbv2": "elasticloadbalancing", "apigatewayv2": "apigateway"}
#: S3 operations whose IAM action has another name (Amazon S3 API permissions reference).
_S3_ACTIONS = {
    "HeadBucket": "ListBucket",
    "ListBuckets": "ListAllMyBuckets",
    "GetBucketEncryption": "GetEncryptionConfiguration",
    "PutBucketEncryption": "PutEncryptionConfiguration",
    "DeleteBucketEncryption": "PutEncryptionConfiguration",
    "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
    "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
    "ListObjectVersions": "ListBucketVersions",
    "DeleteObjects": "DeleteObjectVersion",
}
_NO_PERMISSION = {("sts", "GetCallerIdentity")}  # needs no permission (STS documentation)


_READS = ("describe_", "list_", "get_", "batch_get_", "head_")


def _camel(method: str) -> str:
    return "".join(part.capitalize() for part in method.split("_"))


@cache
def _http_method(service: str, operation: str) -> str:
    model = botocore.session.get_session().get_service_model(service)
    return str(model.operation_model(operation).http["method"])


def iam_action(client: str, method: str) -> str | None:
    """The IAM action a boto3 call needs: ``iam_action("elbv2", "create_listener")`` ->
    ``"elasticloadbalancing:CreateListener"``; API Gateway's are its HTTP verbs (``apigateway:POST``).
    None for calls that need no permission."""
    return operation_action(client, "PassRole" if method == "pass_role" else _camel(method))


def operation_action(client: str, operation: str) -> str | None:
    """As :func:`iam_action`, from the API's operation name (``CreateListener``)."""
    if (client, operation) in _NO_PERMISSION:
        return None
    if client in ("apigateway", "apigatewayv2"):
        return f"apigateway:{_http_method(client, operation)}"
    if client == "s3":
        return f"s3:{_S3_ACTIONS.get(operation, operation)}"
    return f"{_PREFIX.get(client, client)}:{operation}"


def _scoped(plan: Plan) -> dict[str, list[str]]:
    """IAM prefix -> the stack's own resources, for the actions AWS authorizes per resource."""
    n, r = plan.name, plan.region
    return {
        "ssm": [f"arn:aws:ssm:{r}:*:parameter/tinysim/{n}/*"],
        "iam": [f"arn:aws:iam::*:role/{n}-*", f"arn:aws:iam::*:instance-profile/{n}-*"],
        "ecr": [f"arn:aws:ecr:{r}:*:repository/{n}"],
        "s3": [f"arn:aws:s3:::{n}-artifacts-{r}", f"arn:aws:s3:::{n}-artifacts-{r}/*"],
        "codebuild": [f"arn:aws:codebuild:{r}:*:project/{n}-*"],
        "codepipeline": [f"arn:aws:codepipeline:{r}:*:{n}-pipeline"],
        "lambda": [f"arn:aws:lambda:{r}:*:function:{n}", f"arn:aws:lambda:{r}:*:function:{n}:*"],
    }


#: Actions AWS authorizes only on ``*`` (listing every resource of a kind), or on AWS's own resources.
_ANY_RESOURCE = {
    "ssm:GetParameters",
    "iam:ListRoles",
    "iam:ListInstanceProfiles",
    "ecr:DescribeRepositories",
    "s3:ListAllMyBuckets",
    "codebuild:ListProjects",
    "codepipeline:ListPipelines",
    "lambda:ListFunctions",
}


def permissions_policy(plan: Plan) -> dict[str, Any]:
    """The identity policy (a JSON document) for running plan, apply and destroy on ``plan``'s stack."""
    kinds = {res.kind for res in resources_for(plan, [f"{plan.region}a", f"{plan.region}b", f"{plan.region}c"])}
    changing = {"ssm", "ec2"} | {c for k in kinds for c in _KIND_CLIENTS.get(k, ())}
    scoped = _scoped(plan)
    by_resource: dict[str, set[str]] = {}
    anywhere: set[str] = set()
    global_: set[str] = set()  # IAM is global: its calls are not made in the plan's region
    for client in sorted(OPERATIONS):
        # destroy looks for every kind the stack may have had (a plan that changed), so reads are needed
        # on every service; changes only on the services of the plan's resources
        methods = [m for m in OPERATIONS[client] if client in changing or m.startswith(_READS)]
        for method in methods:
            action = iam_action(client, method)
            if action is None:
                continue
            prefix = action.split(":")[0]
            if prefix in scoped and action not in _ANY_RESOURCE:
                by_resource.setdefault(prefix, set()).add(action)
            elif prefix == "iam":
                global_.add(action)
            else:
                anywhere.add(action)
    statements: list[dict[str, Any]] = [
        {"Sid": f"Stack{p.capitalize()}", "Effect": "Allow", "Action": sorted(a), "Resource": scoped[p]}
        for p, a in sorted(by_resource.items())
    ]
    if global_:
        statements.append({"Sid": "ListIam", "Effect": "Allow", "Action": sorted(global_), "Resource": "*"})
    statements.append(
        {
            "Sid": "RegionWide",
            "Effect": "Allow",
            "Action": sorted(anywhere),
            "Resource": "*",
            "Condition": {"StringEquals": {"aws:RequestedRegion": plan.region}},
        }
    )
    return {"Version": "2012-10-17", "Statement": statements}
