"""The live stack read back in the ``Plan``'s own terms and its control plane in the blueprint's types,
so that an applied plan reads back equal. Never fails on a live value the plan model would refuse (a
desired count outside a lowered maximum, a threshold changed by hand): the plan is then ``None`` and
each such value is named in ``outside_plan``."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from models import InputError
from models.blueprint import Blueprint, ControlPlane, blueprint
from models.blueprint.derive_control import PREDEFINED
from models.plan import Plan
from models.validation import validate
from provision.alerts_status import alerts_fields, read_alerts
from provision.existing_vpc import read_borrowed
from provision.front_status import front_fields
from provision.graph.app import SOURCE_ACTIONS
from provision.readback import read_control
from provision.resources import STACK_TAG, Context, Resource
from provision.services.apigw import HttpApi
from provision.services.apigw_rest import RestApi
from provision.services.capacity import AutoScalingGroup, CapacityProvider, LaunchTemplate
from provision.services.cicd import BuildProject, Pipeline
from provision.services.ec2 import NatGateway, Subnet, Vpc
from provision.services.ecs import Cluster, Service, TaskDefinition, released_image
from provision.services.elbv2 import LoadBalancer
from provision.services.endpoints import VpcEndpoint
from provision.services.lambda_ import Function, ProvisionedConcurrency
from provision.services.nat_instance import NatInstance
from provision.services.storage import Repository

__all__ = ["LiveStack", "read_plan", "read_stack"]

#: Target tracking's predefined metrics, back to the plan's names.
_METRICS = {predefined: name for name, predefined in PREDEFINED.items()}


@dataclass(frozen=True)
class LiveStack:
    """A live stack: ``fields`` in plan.json's shape, ``plan`` the same validated (None when a live value
    is one a plan may not hold, each named in ``outside_plan``), and its live control plane."""

    fields: dict[str, Any]
    plan: Plan | None
    outside_plan: tuple[str, ...]
    control: ControlPlane


def _find(kind: Any, ctx: Context, key: str, name: str) -> Any:
    live = kind.find(ctx, Resource(key, key, name))
    if live is not None and live.owner == ctx.stack:
        ctx.outputs[key] = live.outputs
        return live
    return None


def read_stack(ctx: Context, wanted: Plan | None = None) -> LiveStack | None:
    """The live stack ``ctx.stack``, or None when nothing of it exists. ``wanted`` (the plan being
    compared) lends the control plane's keys and order; the values are all live."""
    data = _fields(ctx)
    if data is None:
        return None
    live_plan: Plan | None = None
    problems: tuple[str, ...] = ()
    try:
        live_plan = validate(Plan, data)
    except InputError as exc:
        problems = tuple(exc.problems)
    bp: Blueprint = blueprint(wanted or live_plan or Plan(name=ctx.stack))
    control = read_control(ctx, bp) if data.get("architecture") == "container" else ControlPlane()
    control = replace(control, alerts=read_alerts(ctx, bp))
    return LiveStack(data, live_plan, problems, control)


def read_plan(ctx: Context) -> Plan | None:
    """The plan of the live stack (None when nothing of it exists, or when a live value is outside
    what a plan may hold: see :func:`read_stack`)."""
    live = read_stack(ctx)
    return live.plan if live is not None else None


def _fields(ctx: Context) -> dict[str, Any] | None:
    name = ctx.stack
    data: dict[str, Any] = {"version": 1, "name": name, "region": ctx.region}
    ecr = _find(Repository(), ctx, "ecr", name)
    vpc = _find(Vpc(), ctx, "vpc", f"{name}-vpc")
    fn = _find(Function(), ctx, "fn", name)
    cluster = _find(Cluster(), ctx, "cluster", name)
    if not (ecr or vpc or fn or cluster):
        return None
    tags: dict[str, str] = {}
    if ecr is not None:
        raw = ctx.clients("ecr").list_tags_for_resource(resourceArn=ecr.outputs["arn"]).get("tags", [])
        tags = {t["Key"]: t["Value"] for t in raw if t["Key"] not in (STACK_TAG, "Name")}
    data["tags"] = tags
    if vpc is not None:
        azs = 0
        while _find(Subnet(), ctx, f"subnet-public-{azs}", f"{name}-public-{azs}") is not None:
            azs += 1
        nat = _find(NatGateway(), ctx, "nat", f"{name}-nat")
        nat_instance = None if nat else _find(NatInstance(), ctx, "nat", f"{name}-nat")
        data["network"] = {
            "vpc_cidr": vpc.props["cidr"],
            "azs": max(azs, 1),
            "nat": "gateway" if nat else "instance" if nat_instance else "none",
            "vpc_endpoints": bool(VpcEndpoint().owned(ctx)),
        }
        if nat_instance is not None:
            data["network"]["nat_instance_type"] = nat_instance.props["instance_type"]
    elif (borrowed := read_borrowed(ctx)) is not None:
        data["network"] = {**borrowed, "vpc_endpoints": bool(VpcEndpoint().owned(ctx))}
    api = None
    if _find(LoadBalancer(), ctx, "alb", f"{name}-alb") is not None:
        data["front_door"] = "alb"
    elif (api := _find(HttpApi(), ctx, "http-api", name)) is not None:
        data["front_door"] = "apigw-http"
    elif (api := _find(RestApi(check_logs_role=False), ctx, "rest-api", name)) is not None:
        data["front_door"] = "apigw-rest"
    data.update(front_fields(ctx, name, api))
    if fn is not None:
        data["architecture"] = "serverless"
        prov = _find(ProvisionedConcurrency(), ctx, "provisioned", "live")
        data["serverless"] = {
            "memory_mb": fn.props["memory_mb"],
            "timeout_s": fn.props["timeout_s"],
            "package": fn.props["package"],
            "arch": fn.props["arch"],
            "ephemeral_storage_mb": fn.props["ephemeral_mb"],
            "reserved_concurrency": fn.props["reserved"],
            "provisioned_concurrency": prov.props["count"] if prov else 0,
        }
    elif cluster is not None:
        data["architecture"] = "container"
        data["container"] = _container(ctx, name, ecr)
    pipeline = _find(Pipeline(), ctx, "pipeline", f"{name}-pipeline")
    if pipeline is not None:
        build = _find(BuildProject(), ctx, "build", f"{name}-build")
        release = _find(BuildProject(), ctx, "release", f"{name}-release")
        data["pipeline"] = {
            "enabled": True,
            **_source(pipeline.props["source"] or {}),
            "build_spec": build.props["buildspec"] if build else "build.yml",
            "release_spec": release.props["buildspec"] if release else "release.yml",
            "compute_type": build.props["compute_type"] if build else "BUILD_GENERAL1_SMALL",
        }
    else:
        data["pipeline"] = {"enabled": False}
    alerts = alerts_fields(ctx, data)
    if alerts is not None:
        data["alerts"] = alerts
    return data


def _source(source: dict[str, Any]) -> dict[str, Any]:
    """The pipeline's source action as plan.json's pipeline fields."""
    if "S3ObjectKey" in source:
        _, repository, branch = str(source["S3ObjectKey"]).removesuffix(".zip").split("/", 2)
        return {"repository": repository, "branch": branch}
    provider = {action: p for p, action in SOURCE_ACTIONS.items()}.get(source.get("action", ""), source.get("action"))
    return {
        "source": {
            "provider": provider,
            "connection_arn": source.get("ConnectionArn"),
            "repository": source.get("FullRepositoryId"),
            "branch": source.get("BranchName"),
        }
    }


def _container(ctx: Context, name: str, ecr: Any) -> dict[str, Any]:
    c: dict[str, Any] = {}
    td = _find(TaskDefinition(), ctx, "taskdef", name)
    if td is not None:
        image = td.props["image"]
        if ecr is not None and released_image(image, ecr.outputs["uri"]):
            image = ""
        c["task"] = {
            "cpu_units": td.props["cpu"],
            "memory_mb": td.props["memory"],
            "port": td.props["port"],
            "image": image,
        }
    if _find(CapacityProvider(), ctx, "capacity", f"{name}-capacity") is not None:
        c["launch_type"] = "ec2"
        lt = _find(LaunchTemplate(), ctx, "launch-template", f"{name}-instances")
        asg = _find(AutoScalingGroup(), ctx, "asg", f"{name}-instances")
        if lt is not None:
            c["instance_type"] = lt.props["instance_type"]
        if asg is not None:
            c["instances"] = {"min": asg.props["min"], "max": asg.props["max"]}
    else:
        c["launch_type"] = "fargate"
    service = _find(Service(), ctx, "service", name)
    if service is None:
        return c
    control = read_control(ctx, blueprint(Plan(name=name)))
    target = control.target("service")
    if target is None:
        return c
    c["tasks"] = {"min": target.min, "max": target.max, "desired": target.desired}
    scaling: dict[str, Any] = {}
    tt = control.target_tracking
    if tt is not None:
        scaling.update(
            policy="target_tracking",
            metric=_METRICS.get(tt.metric, tt.metric),
            target_value=tt.target_value,
            scale_out_cooldown_s=tt.scale_out_cooldown_s,
            scale_in_cooldown_s=tt.scale_in_cooldown_s,
            disable_scale_in=tt.disable_scale_in,
        )
    out = next((p for p in control.step_policies if p.scope == "service" and p.adjustment > 0), None)
    if out is not None:
        scaling.update(step=out.adjustment, cooldown_s=out.cooldown_s)
    elif tt is not None:  # the cluster's step rule keeps the plan's cooldown
        group = next((p for p in control.step_policies if p.scope == "cluster"), None)
        if group is not None:
            scaling.update(cooldown_s=group.cooldown_s)
    stack_alarms = [a for a in control.alarms if a.managed_by == "stack"]
    scope = "service" if out is not None else "cluster"
    high = next((a for a in stack_alarms if a.scope == scope and a.comparison.startswith("Greater")), None)
    low = next((a for a in stack_alarms if a.scope == scope and a.comparison.startswith("Less")), None)
    if high is not None:
        scaling.update(threshold_pct=high.threshold, evaluation_periods=high.evaluation_periods, period_s=high.period_s)
    if low is not None:
        scaling.update(scale_in_threshold_pct=low.threshold, scale_in_evaluation_periods=low.evaluation_periods)
    if control.scheduled:
        scaling["scheduled"] = [
            {"name": a.name, "cron": a.schedule, "min": a.min, "max": a.max} for a in control.scheduled
        ]
    c["scaling"] = scaling
    return c
