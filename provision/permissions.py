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

__all__ = ["OPERATIONS", "iam_action", "operation_action", "permissions_policy"]

#: Operations (boto3 method names) the provisioner calls, by client name.
OPERATIONS: dict[str, list[str]] = {
    "ssm": ["get_parameter", "put_parameter", "delete_parameter", "get_parameters"],
    "ec2": [
        "describe_availability_zones",
        "describe_vpcs",
        "describe_vpc_attribute",
        "create_vpc",
        "modify_vpc_attribute",
        "delete_vpc",
        "describe_subnets",
        "create_subnet",
        "delete_subnet",
        "describe_internet_gateways",
        "create_internet_gateway",
        "attach_internet_gateway",
        "detach_internet_gateway",
        "delete_internet_gateway",
        "describe_addresses",
        "allocate_address",
        "release_address",
        "describe_nat_gateways",
        "create_nat_gateway",
        "delete_nat_gateway",
        "describe_route_tables",
        "create_route_table",
        "create_route",
        "replace_route",
        "associate_route_table",
        "disassociate_route_table",
        "delete_route_table",
        "describe_security_groups",
        "create_security_group",
        "authorize_security_group_ingress",
        "revoke_security_group_ingress",
        "delete_security_group",
        "describe_launch_templates",
        "describe_launch_template_versions",
        "create_launch_template",
        "create_launch_template_version",
        "modify_launch_template",
        "delete_launch_template",
        "describe_images",
    ],
    "ecr": [
        "describe_repositories",
        "create_repository",
        "list_tags_for_resource",
        "put_image_scanning_configuration",
        "get_lifecycle_policy",
        "put_lifecycle_policy",
        "delete_repository",
    ],
    "logs": [
        "describe_log_groups",
        "create_log_group",
        "list_tags_log_group",
        "put_retention_policy",
        "delete_log_group",
    ],
    "s3": [
        "list_buckets",
        "head_bucket",
        "create_bucket",
        "get_bucket_tagging",
        "put_bucket_tagging",
        "get_bucket_encryption",
        "put_bucket_encryption",
        "get_public_access_block",
        "put_public_access_block",
        "get_bucket_versioning",
        "put_bucket_versioning",
        "get_bucket_policy",
        "put_bucket_policy",
        "list_object_versions",
        "delete_objects",
        "delete_bucket",
    ],
    "iam": [
        "get_role",
        "list_roles",
        "list_role_tags",
        "get_role_policy",
        "create_role",
        "put_role_policy",
        "update_assume_role_policy",
        "list_role_policies",
        "delete_role_policy",
        "list_instance_profiles_for_role",
        "remove_role_from_instance_profile",
        "delete_role",
        "get_instance_profile",
        "list_instance_profiles",
        "list_instance_profile_tags",
        "create_instance_profile",
        "add_role_to_instance_profile",
        "delete_instance_profile",
        "pass_role",
    ],
    "ecs": [
        "describe_clusters",
        "create_cluster",
        "delete_cluster",
        "put_cluster_capacity_providers",
        "describe_capacity_providers",
        "create_capacity_provider",
        "delete_capacity_provider",
        "describe_task_definition",
        "list_task_definitions",
        "register_task_definition",
        "deregister_task_definition",
        "describe_services",
        "list_services",
        "create_service",
        "update_service",
        "delete_service",
    ],
    "autoscaling": [
        "describe_auto_scaling_groups",
        "create_auto_scaling_group",
        "update_auto_scaling_group",
        "delete_auto_scaling_group",
        "describe_policies",
        "put_scaling_policy",
    ],
    "elbv2": [
        "describe_load_balancers",
        "describe_load_balancer_attributes",
        "create_load_balancer",
        "modify_load_balancer_attributes",
        "delete_load_balancer",
        "describe_target_groups",
        "create_target_group",
        "delete_target_group",
        "describe_listeners",
        "create_listener",
        "delete_listener",
        "describe_tags",
    ],
    "servicediscovery": [
        "list_namespaces",
        "create_private_dns_namespace",
        "get_operation",
        "list_tags_for_resource",
        "delete_namespace",
        "list_services",
        "create_service",
        "delete_service",
    ],
    "apigatewayv2": [
        "get_vpc_links",
        "create_vpc_link",
        "delete_vpc_link",
        "get_apis",
        "get_api",
        "create_api",
        "delete_api",
        "get_integrations",
        "create_integration",
        "get_routes",
        "create_route",
        "get_stages",
        "create_stage",
        "update_stage",
    ],
    "apigateway": [
        "get_rest_apis",
        "get_rest_api",
        "create_rest_api",
        "delete_rest_api",
        "get_resources",
        "create_resource",
        "put_method",
        "put_integration",
        "get_stages",
        "create_deployment",
    ],
    "application-autoscaling": [
        "describe_scalable_targets",
        "register_scalable_target",
        "deregister_scalable_target",
        "describe_scaling_policies",
        "put_scaling_policy",
        "delete_scaling_policy",
        "describe_scheduled_actions",
        "put_scheduled_action",
        "delete_scheduled_action",
    ],
    "cloudwatch": ["describe_alarms", "list_tags_for_resource", "put_metric_alarm", "delete_alarms"],
    "lambda": [
        "get_function",
        "create_function",
        "update_function_configuration",
        "put_function_concurrency",
        "delete_function_concurrency",
        "publish_version",
        "get_alias",
        "create_alias",
        "get_provisioned_concurrency_config",
        "put_provisioned_concurrency_config",
        "get_policy",
        "add_permission",
        "remove_permission",
        "delete_function",
        "list_functions",
    ],
    "codebuild": ["batch_get_projects", "list_projects", "create_project", "update_project", "delete_project"],
    "codepipeline": [
        "get_pipeline",
        "list_pipelines",
        "list_tags_for_resource",
        "create_pipeline",
        "update_pipeline",
        "delete_pipeline",
    ],
}

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
