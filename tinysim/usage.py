"""Usage folded from a run, priced by the same cost model as a usage file.

A run shorter than a month is extrapolated to the price book's 730-hour month by repeating it: the
hourly ALB dimensions cycle, every other quantity scales by 730 h / horizon. LCUs are metered each
hour as the largest of the four dimensions (in floats, as part of the simulation); the bill then
prices the LCU-hours exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from models.blueprint import Blueprint
from models.plan import Plan
from models.prices import PriceBook
from models.scenario import Scenario
from models.usage import Usage
from tinysim.capacity import spot_tasks
from tinysim.costs.alb import DIMENSIONS
from tinysim.costs.savings_plan import commits
from tinysim.nlb_usage import nlb_usage
from tinysim.stack_traffic import task_starts_per_month, vpc_traffic_gb
from tinysim.steady import KB_PER_GB, MONTH_HOURS, fixed_usage

__all__ = ["fold_usage", "hourly_columns", "lcus_by_dimension", "metered_lcus"]

Columns = Mapping[str, np.ndarray]
ALB_COLUMNS = (
    "alb_new_connections_per_s",
    "alb_active_connections_per_min",
    "alb_processed_gb_per_hour",
    "alb_rule_evaluations_per_s",
)


def _d(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def _decimals(values: np.ndarray) -> list[Decimal]:
    """``_d(max(0, v))`` of each value (NaN gives 0), each distinct value converted once (a steady run's
    hours repeat a few values)."""
    positive = np.where(values > 0.0, values, 0.0)  # NaN and -0.0 give 0.0, as max(0.0, v) does
    distinct, which = np.unique(positive, return_inverse=True)
    decimals = [Decimal(repr(v)) for v in distinct.tolist()]
    return [decimals[i] for i in which.tolist()]


def hourly_columns(
    hours: Mapping[str, np.ndarray],
    task_hours: np.ndarray,
    instance_hours: np.ndarray,
    horizon_s: float,
    scenario: Scenario,
) -> dict[str, np.ndarray]:
    """One value per simulated hour: requests, bytes, compute hours and the four ALB LCU dimensions."""
    wl = scenario.workload
    n = hours["admitted"].size
    cols: dict[str, np.ndarray] = {
        "hour": np.arange(n),
        "seconds": np.minimum(3600.0, horizon_s - 3600.0 * np.arange(n)),
    }
    cols.update(hours)
    cols["task_hours"] = task_hours
    cols["instance_hours"] = instance_hours
    secs = cols["seconds"]
    new_per_s = hours["admitted"] / wl.requests_per_connection / secs
    cols["alb_new_connections_per_s"] = new_per_s
    cols["alb_active_connections_per_min"] = new_per_s * 60 * (1 + wl.connection_s / 60)
    cols["alb_processed_gb_per_hour"] = (hours["request_kb"] + hours["response_kb"]) / 1e6 * 3600 / secs
    cols["alb_rule_evaluations_per_s"] = hours["admitted"] / secs * max(0, wl.rules_per_request - 10)
    return cols


def metered_lcus(cols: Columns, book: PriceBook, lambda_target: bool) -> tuple[np.ndarray, np.ndarray]:
    """LCUs of each hour (the largest dimension) and which dimension it was (index into DIMENSIONS)."""
    dims = lcus_by_dimension(cols, book, lambda_target)
    return dims.max(axis=0), dims.argmax(axis=0)


def lcus_by_dimension(cols: Columns, book: PriceBook, lambda_target: bool) -> np.ndarray:
    """LCUs each hour would bill on each dimension alone: shape (len(DIMENSIONS), hours).

    An ALB bills the largest of the four each hour. Source: aws.amazon.com/elasticloadbalancing/pricing
    (one LCU: 25 new connections/s, 3,000 active connections/min, 1 GB/h processed for EC2 and IP
    targets or 0.4 GB/h for Lambda targets, 1,000 rule evaluations/s; the book holds the figures).
    """
    gb = "alb.lcu.processed_gb_per_hour." + ("lambda" if lambda_target else "ip")
    per = [
        float(book.value(k))
        for k in (
            "alb.lcu.new_connections_per_s",
            "alb.lcu.active_connections_per_min",
            gb,
            "alb.lcu.rule_evaluations_per_s",
        )
    ]
    return np.stack([np.asarray(cols[c], dtype=float) / p for c, p in zip(ALB_COLUMNS, per, strict=True)])


def fold_usage(
    plan: Plan,
    scenario: Scenario,
    cols: Columns,
    surplus_vcpu_hours: float,
    book: PriceBook,
    scaling_task_starts: float = 0.0,
    bp: Blueprint | None = None,
) -> Usage:
    """A month of usage from the run's hourly records plus the stack's fixed parts (priced from the
    blueprint's resources; the root volumes for the instance-hours the run counted).

    ``scaling_task_starts``: tasks the run started besides the initial ones (scale-outs, replacements);
    ``bp``: the plan's blueprint when the caller has it.
    """
    horizon_h = float(cols["seconds"].sum()) / 3600
    factor = float(MONTH_HOURS) / horizon_h
    ops, wl = scenario.operations, scenario.workload
    usage: dict[str, Any] = {"month_hours": MONTH_HOURS, "free_tier": ops.free_tier, "savings_plan": plan.savings_plan}
    compute = "billed_ms" if plan.architecture == "serverless" else "task_hours"
    if plan.architecture == "container" and plan.container.launch_type == "ec2":
        compute = "instance_hours"
    if commits(plan.savings_plan):  # the weights only spread a commitment over the hours
        usage["compute_hourly_weights"] = _decimals(cols[compute][: int(MONTH_HOURS)])
    admitted = float(cols["admitted"].sum()) * factor
    log_gb = _d(admitted * ops.log_kb_per_request / float(KB_PER_GB))
    starts = task_starts_per_month(plan, ops, _d(scaling_task_starts * factor))
    instance_hours = _d(float(cols["instance_hours"].sum()) * factor)  # each instance carries its root volume
    for key, value in fixed_usage(plan, ops, vpc_traffic_gb(plan, ops, starts, log_gb), instance_hours, bp).items():
        usage[key] = list(value)
    # API Gateway bills every request past its own throttle, whatever the integration did with it
    received = float(cols["received"].sum()) * factor if "received" in cols else admitted
    if plan.front_door == "alb":
        lambda_target = plan.architecture == "serverless"
        lcu, which = metered_lcus(cols, book, lambda_target)
        cycle = np.resize(np.arange(lcu.size), int(MONTH_HOURS))  # a shorter run repeats to fill the month
        counts = np.bincount(which[cycle][lcu[cycle] > 0], minlength=len(DIMENSIONS))
        top = [(DIMENSIONS[int(i)], int(counts[i])) for i in np.argsort(-counts, kind="stable") if counts[i]]
        usage["alb"] = [
            {
                "target": "lambda" if lambda_target else "ip",
                "lcu_hours": _d(lcu[cycle].sum()),
                "lcu_basis": ", ".join(f"{name} in {k} h" for name, k in top) or "no traffic",
            }
        ]
    else:
        kind = "http" if plan.front_door == "apigw-http" else "rest"
        usage["apigw"] = [{"type": kind, "requests": _d(round(received)), "request_kb": _d(wl.request_kb)}]
        if nlb := nlb_usage(plan, _d(admitted / float(MONTH_HOURS * 3600)), wl):  # REST to containers
            usage["nlb"] = nlb
    if plan.architecture == "serverless":
        s = plan.serverless
        requests = float(cols["lambda_requests"].sum()) * factor
        billed_ms = float(cols["billed_ms"].sum()) * factor
        usage["lambda"] = [
            {
                "requests": _d(round(requests)),
                "duration_ms": _d(billed_ms / requests) if requests else Decimal(0),
                "init_ms_total": _d(round(float(cols["init_ms"].sum()) * factor)),
                "memory_mb": s.memory_mb,
                "arch": s.arch,
                "package": s.package,
                "ephemeral_storage_mb": s.ephemeral_storage_mb,
                "provisioned_concurrency": s.provisioned_concurrency,
                "provisioned_requests": _d(min(round(requests), round(float(cols["prov_requests"].sum()) * factor))),
            }
        ]
    elif plan.container.launch_type == "fargate":
        t = plan.container.task
        size = {"tasks": 1, "vcpu": _d(t.cpu_units / 1024), "memory_gb": _d(t.memory_mb / 1024)}
        spot = float(spot_tasks(plan, cols["task_hours"]).sum()) * factor
        total = float(cols["task_hours"].sum()) * factor
        usage["fargate"] = [{**size, "hours": _d(total - spot)}]
        if spot:
            usage["fargate"].append({**size, "hours": _d(spot), "capacity": "spot"})
    else:
        usage.setdefault("ec2", []).append(
            {
                "instance_type": plan.container.instance_type,
                "count": 1,
                "hours": instance_hours,
                "surplus_vcpu_hours": _d(surplus_vcpu_hours * factor),
            }
        )
    usage["data_transfer_out_gb"] = _d(float(cols["response_kb"].sum()) * factor / float(KB_PER_GB))
    usage.setdefault("cloudwatch", []).append({"logs_ingested_gb": log_gb, "logs_stored_gb": log_gb})
    return Usage.model_validate(usage)
