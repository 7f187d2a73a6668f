"""A month of usage for a plan under steady traffic, without simulating.

Used for the quick bill (``tinysim bill``) and as the fixed part of every simulated bill: the NAT
gateway, public addresses, hosted zone, alarms, the pipeline and images do not depend on the dynamics
(they are read from the blueprint's resources); root volumes live as long as their instances.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from models.blueprint import Blueprint, blueprint, tasks_per_instance
from models.blueprint.resources import BillingItem
from models.plan import Plan
from models.scenario import Operations, Workload
from models.usage import Usage
from tinysim.capacity import spot_tasks
from tinysim.inventory import Inventory, inventory
from tinysim.nlb_usage import KB_PER_GB, nlb_usage
from tinysim.payload_limits import payload_error
from tinysim.stack_traffic import task_starts_per_month, vpc_traffic_gb

__all__ = [
    "KB_PER_GB",
    "MONTH_HOURS",
    "SteadyLoad",
    "fixed_usage",
    "steady_instances",
    "steady_usage",
    "traffic_usage",
]

MONTH_HOURS = Decimal(730)


def _d(x: float | int) -> Decimal:
    return Decimal(str(x))


@dataclass(frozen=True)
class SteadyLoad:
    """Monthly request volume spread evenly over the month, with the workload's payloads."""

    requests_per_month: int
    workload: Workload = Workload()

    @property
    def rps(self) -> Decimal:
        return Decimal(self.requests_per_month) / (MONTH_HOURS * 3600)


def steady_instances(plan: Plan) -> int:
    """Container instances a steady month runs: the group's minimum, or enough for the minimum tasks
    (EC2 launch type; 0 otherwise)."""
    if plan.architecture != "container" or plan.container.launch_type != "ec2":
        return 0
    return max(plan.container.instances.min, -(-plan.container.tasks.min // tasks_per_instance(plan)))


def _root_volumes(stock: Inventory, container_hours: Decimal) -> list[dict[str, Any]]:
    """Root EBS volumes, each billed for as long as its instance lives: the container instances' for
    ``container_hours`` in all (one volume each), a NAT instance's (when the blueprint gives it one) all month."""
    lives: tuple[tuple[BillingItem, Decimal, int], ...] = (
        ("instance_root_volume", container_hours, 1),
        ("nat_instance", MONTH_HOURS, stock.count("nat_instance")),
    )
    out: list[dict[str, Any]] = []
    for item, hours, volumes in lives:
        volume = stock.root_volume(item)
        if volume is not None and stock.count(item):
            out.append(
                {"volume_type": volume.volume_type, "size_gib": volume.size_gib, "hours": hours, "volumes": volumes}
            )
    return out


def fixed_usage(
    plan: Plan,
    ops: Operations,
    vpc_gb: Decimal = Decimal(0),
    instance_hours: Decimal | None = None,
    bp: Blueprint | None = None,
) -> dict[str, Any]:
    """Usage that does not depend on traffic, priced from the blueprint's resources (their ``billed``
    entries, see :mod:`tinysim.inventory`): NAT gateways or instances, public IPv4 addresses, interface
    endpoints, hosted zones, alarms (the stack's and those target tracking manages), the pipeline and
    image storage, and the container instances' root volumes.

    ``vpc_gb``: what the tasks send to AWS services (:mod:`tinysim.stack_traffic`), through the VPC
    endpoints when there are any, else the NAT gateway. ``instance_hours``: container instance-hours of
    the month, each instance carrying one root volume (default: the steady count for the whole month).
    ``bp``: the plan's blueprint when the caller has it (else it is derived here).
    """
    stock = inventory((bp or blueprint(plan)).resources)
    out: dict[str, Any] = {}
    endpoint_azs = stock.count("vpc_endpoint")
    if endpoint_azs:
        out["vpc_endpoints"] = [{"endpoints": endpoint_azs, "azs": 1, "processed_gb": vpc_gb}]
    if stock.count("nat_gateway"):
        processed = Decimal(0) if endpoint_azs else vpc_gb
        out["nat_gateway"] = [{"count": stock.count("nat_gateway"), "processed_gb": processed}]
    if stock.count("nat_instance"):
        out["ec2"] = [{"instance_type": plan.network.nat_instance_type, "count": stock.count("nat_instance")}]
    if stock.count("public_ipv4"):
        out["public_ipv4"] = [{"addresses": stock.count("public_ipv4")}]
    if stock.count("hosted_zone"):
        out["route53"] = [{"hosted_zones": stock.count("hosted_zone")}]
    container_hours = MONTH_HOURS * steady_instances(plan) if instance_hours is None else instance_hours
    if volumes := _root_volumes(stock, container_hours):
        out["ebs"] = volumes
    out["cloudwatch"] = [{"alarms": stock.count("alarm")}]
    if stock.count("kms_key"):
        out["kms"] = [{"keys": stock.count("kms_key")}]
    if stock.count("repository"):
        out["ecr"] = [{"storage_gb": _d(ops.image_gb * ops.images_kept) * stock.count("repository")}]
    if stock.count("pipeline"):
        minutes = _d(ops.builds_per_month * (ops.build_minutes + ops.release_minutes))
        out["codebuild"] = [{"compute_type": plan.pipeline.compute_type, "build_minutes": minutes}]
        out["codepipeline"] = [{"v1_active_pipelines": stock.count("pipeline")}]
    return out


def traffic_usage(plan: Plan, load: SteadyLoad, ops: Operations = Operations()) -> dict[str, Any]:
    """Usage driven by requests: front door, compute at its minimum size, egress, logs."""
    w = load.workload
    n = Decimal(load.requests_per_month)
    out: dict[str, Any] = {}
    if plan.front_door == "alb":
        rps = load.rps
        new_per_s = rps / _d(w.requests_per_connection)
        out["alb"] = [
            {
                "target": "lambda" if plan.architecture == "serverless" else "ip",
                "new_connections_per_s": new_per_s,
                # a connection open d seconds is seen in 1 + d/60 one-minute windows on average
                "active_connections_per_min": new_per_s * 60 * (1 + _d(w.connection_s) / 60),
                "processed_gb_per_hour": rps * 3600 * _d(w.request_kb + w.response_kb) / KB_PER_GB,
                "requests_per_s": rps,
                "rules": w.rules_per_request,
            }
        ]
    else:
        kind = "http" if plan.front_door == "apigw-http" else "rest"
        out["apigw"] = [{"type": kind, "requests": n, "request_kb": _d(w.request_kb), "response_kb": _d(w.response_kb)}]
        if nlb := nlb_usage(plan, load.rps, w):  # REST to containers: through the VPC link's NLB
            out["nlb"] = nlb
    if plan.architecture == "serverless":
        s = plan.serverless
        out["lambda"] = [
            {
                "requests": n,
                "duration_ms": _d(w.service_time_ms.mean),
                "memory_mb": s.memory_mb,
                "arch": s.arch,
                "package": s.package,
                "ephemeral_storage_mb": s.ephemeral_storage_mb,
                "provisioned_concurrency": s.provisioned_concurrency,
            }
        ]
    elif plan.container.launch_type == "fargate":
        t = plan.container.task
        size = {"vcpu": _d(t.cpu_units / 1024), "memory_gb": _d(t.memory_mb / 1024)}
        spot = _d(float(spot_tasks(plan, plan.container.tasks.min)))
        out["fargate"] = [{"tasks": _d(plan.container.tasks.min) - spot, **size}]
        if spot:
            out["fargate"].append({"tasks": spot, "capacity": "spot", **size})
    else:
        out["ec2"] = [{"instance_type": plan.container.instance_type, "count": steady_instances(plan)}]
    delivered = Decimal(0) if payload_error(plan, w) else _d(w.response_kb)  # an oversized answer is a 502
    out["data_transfer_out_gb"] = n * delivered / KB_PER_GB
    log_gb = n * _d(ops.log_kb_per_request) / KB_PER_GB
    out["cloudwatch"] = [{"logs_ingested_gb": log_gb, "logs_stored_gb": log_gb}]
    return out


def steady_usage(plan: Plan, load: SteadyLoad, ops: Operations = Operations()) -> Usage:
    """Fixed plus traffic usage for one month, as a validated ``Usage``."""
    merged: dict[str, Any] = {"month_hours": MONTH_HOURS, "free_tier": ops.free_tier, "savings_plan": plan.savings_plan}
    log_gb = Decimal(load.requests_per_month) * _d(ops.log_kb_per_request) / KB_PER_GB
    vpc_gb = vpc_traffic_gb(plan, ops, task_starts_per_month(plan, ops), log_gb)
    for part in (fixed_usage(plan, ops, vpc_gb), traffic_usage(plan, load, ops)):
        for key, value in part.items():
            if isinstance(value, list):
                merged[key] = merged.get(key, []) + value
            else:
                merged[key] = value
    return Usage.model_validate(merged)
