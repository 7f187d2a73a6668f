"""The live stack read back in the ``Plan``'s own terms, so that an applied plan reads back equal."""

from __future__ import annotations

from typing import Any

from models.plan import Plan
from provision.resources import STACK_TAG, Context, Resource
from provision.services.apigw import HttpApi, RestApi
from provision.services.capacity import AutoScalingGroup, CapacityProvider, LaunchTemplate
from provision.services.cicd import BuildProject, Pipeline
from provision.services.ec2 import NatGateway, Subnet, Vpc
from provision.services.ecs import Cluster, Service, TaskDefinition
from provision.services.elbv2 import LoadBalancer
from provision.services.lambda_ import Function, ProvisionedConcurrency
from provision.services.scaling import Alarm, ScalableTarget, StepPolicy
from provision.services.storage import Repository

__all__ = ["read_plan"]


def _find(kind: Any, ctx: Context, key: str, name: str) -> Any:
    live = kind.find(ctx, Resource(key, key, name))
    if live is not None and live.owner == ctx.stack:
        ctx.outputs[key] = live.outputs
        return live
    return None


def read_plan(ctx: Context) -> Plan | None:
    """The plan of the live stack ``ctx.stack``, or None when nothing of it exists."""
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
        data["network"] = {"vpc_cidr": vpc.props["cidr"], "azs": max(azs, 1), "nat": "gateway" if nat else "none"}
    if _find(LoadBalancer(), ctx, "alb", f"{name}-alb") is not None:
        data["front_door"] = "alb"
    elif _find(HttpApi(), ctx, "http-api", name) is not None:
        data["front_door"] = "apigw-http"
    elif _find(RestApi(), ctx, "rest-api", name) is not None:
        data["front_door"] = "apigw-rest"
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
        _, repository, branch = pipeline.props["source_key"].removesuffix(".zip").split("/", 2)
        build = _find(BuildProject(), ctx, "build", f"{name}-build")
        release = _find(BuildProject(), ctx, "release", f"{name}-release")
        data["pipeline"] = {
            "enabled": True,
            "repository": repository,
            "branch": branch,
            "build_spec": build.props["buildspec"] if build else "build.yml",
            "release_spec": release.props["buildspec"] if release else "release.yml",
            "compute_type": build.props["compute_type"] if build else "BUILD_GENERAL1_SMALL",
        }
    else:
        data["pipeline"] = {"enabled": False}
    return Plan.model_validate(data)


def _container(ctx: Context, name: str, ecr: Any) -> dict[str, Any]:
    c: dict[str, Any] = {}
    td = _find(TaskDefinition(), ctx, "taskdef", name)
    if td is not None:
        image = td.props["image"]
        if ecr is not None and image == f"{ecr.outputs['uri']}:latest":
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
    target = _find(ScalableTarget(), ctx, "scalable-target", name) if service is not None else None
    if target is not None:
        c["tasks"] = {"min": target.props["min"], "max": target.props["max"], "desired": service.outputs["desired"]}
        scaling: dict[str, Any] = {}
        out = _find(StepPolicy(), ctx, "policy-out", f"{name}-out")
        if out is not None:
            scaling.update(step=out.props["step"], cooldown_s=out.props["cooldown"])
        high = _find(Alarm(), ctx, "alarm-high", f"{name}-cpu-high")
        low = _find(Alarm(), ctx, "alarm-low", f"{name}-cpu-low")
        if high is not None:
            scaling.update(
                threshold_pct=high.props["threshold"],
                evaluation_periods=high.props["periods"],
                period_s=high.props["period_s"],
            )
        if low is not None:
            scaling.update(
                scale_in_threshold_pct=low.props["threshold"], scale_in_evaluation_periods=low.props["periods"]
            )
        c["scaling"] = scaling
    return c
