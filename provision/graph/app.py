"""Desired properties of the application's resources: roles, cluster, instances, service, front door,
function and the delivery pipeline."""

from __future__ import annotations

from typing import Any

from models.blueprint import ROOT_VOLUME, StackResource, task_subnet_keys
from models.blueprint.alerts import alert_alarm_prefix
from models.blueprint.derive_alerts import pipeline_rule_name
from models.instances import INSTANCE_TYPES
from models.plan import Plan
from provision.graph.front import front_props, throttle_props
from provision.policies import policies

__all__ = ["LOG_RETENTION_DAYS", "SOURCE_ACTIONS", "app_props"]

#: The pipeline's source action's name, by ``pipeline.source.provider`` (``status`` reads it back).
SOURCE_ACTIONS = {"s3": "Source", "github": "GitHub", "gitlab": "GitLab"}

#: Every log group of the stack keeps 30 days (FSBP CloudWatch.16 asks for a retention; 30 days is ours).
LOG_RETENTION_DAYS = 30

#: Role key in the blueprint -> the role's policy in :func:`provision.policies.policies`.
_ROLES = {
    "role-exec": "task-exec",
    "role-task": "task",
    "role-instance": "instance",
    "role-lambda": "lambda",
    "role-build": "build",
    "role-pipeline": "pipeline",
}


def _public(plan: Plan) -> tuple[str, ...]:
    return tuple(f"subnet-public-{i}" for i in range(plan.network.azs))


def _container(plan: Plan, res: StackResource) -> dict[str, Any] | None:
    c = plan.container
    fargate = c.launch_type == "fargate"
    if res.kind == "launch_template":
        arch = INSTANCE_TYPES[c.instance_type].architecture  # Graviton: the arm64 ECS-optimized image
        return {"instance_type": c.instance_type, "architecture": arch, "root_volume": ROOT_VOLUME}
    if res.kind == "task_definition":
        return {
            "cpu": c.task.cpu_units,
            "memory": c.task.memory_mb,
            "image": c.task.image,
            "port": c.task.port,
            "compatibility": "FARGATE" if fargate else "EC2",
        }
    if res.kind == "service":
        return {
            "desired": c.tasks.desired,
            "launch_type": "FARGATE" if fargate else "EC2",
            "port": c.task.port,
            "front": "discovery" if plan.front_door == "apigw-http" else "alb",  # "alb": a target group
            "subnets": task_subnet_keys(plan),
        }
    if res.kind == "vpc_link":
        return {"subnets": task_subnet_keys(plan)}
    if res.kind == "http_api":
        return {"target": "discovery", "complete": True, "access_log": "log-api", "throttle": throttle_props(plan)}
    if res.kind == "target_group":
        return {"target": "ip", "port": c.task.port, "protocol": "TCP" if plan.front_door == "apigw-rest" else "HTTP"}
    return None


def _serverless(plan: Plan, res: StackResource) -> dict[str, Any] | None:
    s, name = plan.serverless, plan.name
    if res.kind == "function":
        return {
            "memory_mb": s.memory_mb,
            "timeout_s": s.timeout_s,
            "package": s.package,
            "arch": s.arch,
            "ephemeral_mb": s.ephemeral_storage_mb,
            "reserved": s.reserved_concurrency,
        }
    if res.kind == "provisioned":
        return {"count": s.provisioned_concurrency}
    if res.kind == "permission" and plan.front_door == "alb":
        return {"principal": "elasticloadbalancing.amazonaws.com", "source": f"targetgroup/{name}-tg/*"}
    if res.kind == "permission":
        return {"principal": "apigateway.amazonaws.com", "source_api": res.deps[-1]}
    if res.kind == "http_api":
        return {"target": "lambda", "complete": True, "access_log": "log-api", "throttle": throttle_props(plan)}
    if res.kind == "target_group":
        return {"target": "lambda", "port": 0}
    return None


def _pipeline(plan: Plan, res: StackResource) -> dict[str, Any] | None:
    p = plan.pipeline
    if res.kind == "build_project":
        env = {"REPOSITORY_URI": "${ecr}", "STACK": plan.name}
        build = res.key == "build"
        return {
            "buildspec": p.build_spec if build else p.release_spec,
            "compute_type": p.compute_type,
            "env": env,
            "privileged": build,  # only the image build needs Docker (CodeBuild.5)
        }
    if res.kind == "pipeline":
        if p.source.connected:
            s = p.source
            action = SOURCE_ACTIONS[s.provider]
            config = {"ConnectionArn": s.connection_arn, "FullRepositoryId": s.repository, "BranchName": s.branch}
            return {"source": {"action": action, **config}}
        return {"source": {"action": SOURCE_ACTIONS["s3"], "S3ObjectKey": f"source/{p.repository}/{p.branch}.zip"}}
    return None


def _alerts(plan: Plan, res: StackResource) -> dict[str, Any] | None:
    if res.kind == "kms_key":
        return {}
    if res.kind == "topic":
        assert plan.alerts is not None  # the blueprint has a topic only with alerts
        rule = pipeline_rule_name(plan) if plan.alerts.pipeline_failures and plan.pipeline.enabled else None
        return {"email": plan.alerts.email, "alarm_prefix": alert_alarm_prefix(plan), "rule": rule}
    if res.kind == "event_rule":
        return {"pipeline": f"{plan.name}-pipeline", "projects": (f"{plan.name}-build", f"{plan.name}-release")}
    return None


def app_props(plan: Plan, res: StackResource) -> dict[str, Any] | None:
    """The props of an application resource, or None when ``res`` is not one."""
    if res.kind == "role":
        return dict(policies(plan)[_ROLES[res.key]])
    if res.kind == "instance_profile":
        return {"role": "role-instance"}
    if res.kind == "repository":
        return {"scan_on_push": True}
    if res.kind == "log_group":
        return {"retention_days": LOG_RETENTION_DAYS}
    if res.kind == "alb":
        return {"subnets": _public(plan)}
    alerts = _alerts(plan, res)
    if alerts is not None:
        return alerts
    if res.kind in ("bucket", "cluster", "capacity_provider", "namespace", "discovery_service"):
        return {}
    front = front_props(plan, res)
    if front is not None:
        return front
    found = _container(plan, res) if plan.architecture == "container" else _serverless(plan, res)
    return found if found is not None else _pipeline(plan, res)
