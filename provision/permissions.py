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
from provision.policies import connection_prefix

__all__ = ["OPERATIONS", "SERVICE_LINKED", "TAG_ON_CREATE", "iam_action", "operation_action", "permissions_policy"]

#: Which clients each kind of resource uses to change it (besides ssm for the lock; the zones are only read).
_KIND_CLIENTS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(("vpc", "subnet", "igw", "route_table", "eip", "nat", "nat_instance"), ("ec2",)),
    **dict.fromkeys(("security_group", "vpc_endpoint"), ("ec2",)),
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
    "nlb": ("elbv2",),
    "listener": ("elbv2", "acm"),
    "namespace": ("servicediscovery",),
    "discovery_service": ("servicediscovery",),
    "vpc_link": ("apigatewayv2",),
    "http_api": ("apigatewayv2",),
    "rest_api": ("apigateway",),
    "rest_vpc_link": ("apigateway",),
    "usage_plan": ("apigateway",),
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
    "kms_key": ("kms",),
    "topic": ("sns",),
    "alert_alarm": ("cloudwatch",),
    "event_rule": ("events",),
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
        "sns": [f"arn:aws:sns:{r}:*:{n}-*"],
        "events": [f"arn:aws:events:{r}:*:rule/{n}-*"],
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
    "sns:ListTopics",
    "sns:Unsubscribe",
    "events:ListRules",
}


#: The tagging action AWS also authorizes when a create call carries tags (every create of the stack
#: does), by client. Sources: docs.aws.amazon.com/AWSEC2/latest/UserGuide/supported-iam-actions-tagging.html,
#: docs.aws.amazon.com/elasticloadbalancing/latest/userguide/tagging-resources-during-creation.html,
#: docs.aws.amazon.com/AmazonECS/latest/developerguide/supported-iam-actions-tagging.html, and each
#: service's create operation (PutMetricAlarm, CreateLogGroup, CreateRole, CreateFunction, ...).
TAG_ON_CREATE: dict[str, tuple[str, ...]] = {
    "ssm": ("ssm:AddTagsToResource",),
    "ec2": ("ec2:CreateTags",),
    "elbv2": ("elasticloadbalancing:AddTags",),
    "ecs": ("ecs:TagResource",),
    "ecr": ("ecr:TagResource",),
    "logs": ("logs:TagResource",),
    "iam": ("iam:TagRole", "iam:TagInstanceProfile"),
    "lambda": ("lambda:TagResource",),
    "autoscaling": ("autoscaling:CreateOrUpdateTags",),
    "cloudwatch": ("cloudwatch:TagResource",),
    "servicediscovery": ("servicediscovery:TagResource",),
    "codepipeline": ("codepipeline:TagResource",),
    "kms": ("kms:TagResource",),
    "sns": ("sns:TagResource",),
    "events": ("events:TagResource",),
}
#: Services whose tagging action can be limited to tag-on-create (a condition key naming the create
#: call): granted only with it, so existing resources of other owners cannot be retagged. (ELB documents
#: ``elasticloadbalancing:CreateAction`` too, but parliament's IAM database does not know it yet.)
_CREATE_ACTION = {
    "ec2": ("Ec2", "ec2:CreateAction", ["Create*", "AllocateAddress"]),
    "ecs": ("Ecs", "ecs:CreateAction", ["Create*", "RegisterTaskDefinition"]),
}


def _tag_on_create(plan: Plan, changing: set[str], kinds: set[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """Tagging actions without a create-action key, and one statement per service that has one."""
    plain: list[str] = []
    statements = []
    for client in sorted(changing & set(TAG_ON_CREATE)):
        for action in TAG_ON_CREATE[client]:
            prefix = action.split(":")[0]
            if prefix not in _CREATE_ACTION:
                plain.append(action)
                continue
            name, key, values = _CREATE_ACTION[prefix]
            if prefix == "ec2" and "nat_instance" in kinds:  # RunInstances tags the NAT instance it launches
                values = [*values, "RunInstances"]
            condition = {"StringLike": {key: values}, "StringEquals": {"aws:RequestedRegion": plan.region}}
            statements.append(
                {
                    "Sid": f"TagOnCreate{name}",
                    "Effect": "Allow",
                    "Action": [action],
                    "Resource": "*",
                    "Condition": condition,
                }
            )
    return plain, statements


#: The service-linked role AWS creates on a fresh account the first time a kind of resource is made (the
#: caller needs ``iam:CreateServiceLinkedRole`` for it), by kind: ECS clusters and services, Elastic Load
#: Balancing, EC2 Auto Scaling groups, Application Auto Scaling's ECS service targets, API Gateway VPC
#: links. Sources: each service's "Using service-linked roles" page (ECS developer guide, ELB user guide,
#: EC2 Auto Scaling user guide, Application Auto Scaling user guide, API Gateway developer guide).
SERVICE_LINKED: dict[str, str] = {
    "cluster": "ecs.amazonaws.com",
    "service": "ecs.amazonaws.com",
    "alb": "elasticloadbalancing.amazonaws.com",
    "target_group": "elasticloadbalancing.amazonaws.com",
    "asg": "autoscaling.amazonaws.com",
    "scalable_target": "ecs.application-autoscaling.amazonaws.com",
    "vpc_link": "ops.apigateway.amazonaws.com",
}


def _service_linked(kinds: set[str]) -> list[dict[str, Any]]:
    """``iam:CreateServiceLinkedRole`` for exactly the services the plan's kinds need (``iam:AWSServiceName``)."""
    names = sorted({SERVICE_LINKED[k] for k in kinds if k in SERVICE_LINKED})
    if not names:
        return []
    return [
        {
            "Sid": "ServiceLinkedRoles",
            "Effect": "Allow",
            "Action": ["iam:CreateServiceLinkedRole"],
            "Resource": "arn:aws:iam::*:role/aws-service-role/*",
            "Condition": {"StringEquals": {"iam:AWSServiceName": names}},
        }
    ]


def permissions_policy(plan: Plan) -> dict[str, Any]:
    """The identity policy (a JSON document) for running plan, apply and destroy on ``plan``'s stack."""
    kinds = {res.kind for res in resources_for(plan, [f"{plan.region}a", f"{plan.region}b", f"{plan.region}c"])}
    changing = {"ssm"} | {c for k in kinds for c in _KIND_CLIENTS[k]}
    scoped = _scoped(plan)
    by_resource: dict[str, set[str]] = {}
    anywhere: set[str] = set()
    global_: set[str] = set()  # IAM is global: its calls are not made in the plan's region
    tags, tag_statements = _tag_on_create(plan, changing, kinds)
    actions: list[str] = []
    for client in sorted(OPERATIONS):
        # destroy looks for every kind the stack may have had (a plan that changed), so reads are needed
        # on every service; changes only on the services of the plan's resources
        methods = [m for m in OPERATIONS[client] if client in changing or m.startswith(_READS)]
        actions += [a for a in (iam_action(client, m) for m in methods) if a is not None]
    for action in actions + tags:
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
    return {
        "Version": "2012-10-17",
        "Statement": statements + tag_statements + _service_linked(kinds) + _pass_connection(plan),
    }


def _pass_connection(plan: Plan) -> list[dict[str, Any]]:
    """A connection source: creating or updating a pipeline that uses a connection needs the
    permission-only action PassConnection on it (with the prefix of the connection's ARN, as for
    UseConnection). Source: docs.aws.amazon.com/dtconsole/latest/userguide/
    security_iam_id-based-policy-examples-connections.html ("passing a connection to a service")."""
    source = plan.pipeline.source
    if not source.connected or source.connection_arn is None:
        return []
    actions = [f"{connection_prefix(source.connection_arn)}:PassConnection"]
    return [{"Sid": "PassConnection", "Effect": "Allow", "Action": actions, "Resource": [source.connection_arn]}]
