"""Usage folded from a run, priced by the same cost model as a usage file.

A run shorter than a month is extrapolated to the price book's 730-hour month by repeating it: the
hourly ALB dimensions cycle, every other quantity scales by 730 h / horizon.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from models.plan import Plan
from models.scenario import Scenario
from models.usage import Usage
from tinysim.steady import KB_PER_GB, MONTH_HOURS, fixed_usage

__all__ = ["fold_usage", "hourly_frame"]


def _d(x: float) -> Decimal:
    return Decimal(repr(float(x)))


def hourly_frame(
    hours: dict[str, np.ndarray],
    task_hours: np.ndarray,
    instance_hours: np.ndarray,
    horizon_s: float,
    scenario: Scenario,
) -> pd.DataFrame:
    """One row per simulated hour: requests, bytes, compute hours and the four ALB LCU dimensions."""
    wl = scenario.workload
    n = hours["admitted"].size
    length_s = np.minimum(3600.0, horizon_s - 3600.0 * np.arange(n))
    frame = pd.DataFrame({"hour": np.arange(n), "seconds": length_s})
    for key, values in hours.items():
        frame[key] = values
    frame["task_hours"] = task_hours
    frame["instance_hours"] = instance_hours
    new_per_s = frame["admitted"] / wl.requests_per_connection / frame["seconds"]
    frame["alb_new_connections_per_s"] = new_per_s
    frame["alb_active_connections_per_min"] = new_per_s * 60 * (1 + wl.connection_s / 60)
    frame["alb_processed_gb_per_hour"] = (frame["request_kb"] + frame["response_kb"]) / 1e6 * 3600 / frame["seconds"]
    frame["alb_rule_evaluations_per_s"] = frame["admitted"] / frame["seconds"] * max(0, wl.rules_per_request - 10)
    return frame


def fold_usage(plan: Plan, scenario: Scenario, hourly: pd.DataFrame, surplus_vcpu_hours: float) -> Usage:
    """A month of usage from the run's hourly records plus the stack's fixed parts."""
    horizon_h = float(hourly["seconds"].sum()) / 3600
    factor = float(MONTH_HOURS) / horizon_h
    ops, wl = scenario.operations, scenario.workload
    usage: dict[str, Any] = {"month_hours": MONTH_HOURS, "free_tier": ops.free_tier}
    for key, value in fixed_usage(plan, ops).items():
        usage[key] = list(value)
    admitted = float(hourly["admitted"].sum()) * factor
    if plan.front_door == "alb":
        cols = [
            "alb_new_connections_per_s",
            "alb_active_connections_per_min",
            "alb_processed_gb_per_hour",
            "alb_rule_evaluations_per_s",
        ]
        rows = hourly[cols].to_numpy()
        cycle = np.resize(np.arange(len(rows)), int(MONTH_HOURS))
        usage["alb"] = [
            {
                "target": "lambda" if plan.architecture == "serverless" else "ip",
                "hourly": [{c.removeprefix("alb_"): _d(v) for c, v in zip(cols, rows[i], strict=True)} for i in cycle],
            }
        ]
    else:
        kind = "http" if plan.front_door == "apigw-http" else "rest"
        usage["apigw"] = [{"type": kind, "requests": _d(round(admitted)), "request_kb": _d(wl.request_kb)}]
    if plan.architecture == "serverless":
        s = plan.serverless
        requests = float(hourly["lambda_requests"].sum()) * factor
        billed_ms = float(hourly["billed_ms"].sum()) * factor
        usage["lambda"] = [
            {
                "requests": _d(round(requests)),
                "duration_ms": _d(billed_ms / requests) if requests else Decimal(0),
                "init_ms_total": _d(round(float(hourly["init_ms"].sum()) * factor)),
                "memory_mb": s.memory_mb,
                "arch": s.arch,
                "ephemeral_storage_mb": s.ephemeral_storage_mb,
                "provisioned_concurrency": s.provisioned_concurrency,
                "provisioned_requests": _d(min(round(requests), round(float(hourly["prov_requests"].sum()) * factor))),
            }
        ]
    elif plan.container.launch_type == "fargate":
        t = plan.container.task
        usage["fargate"] = [
            {
                "tasks": 1,
                "hours": _d(float(hourly["task_hours"].sum()) * factor),
                "vcpu": _d(t.cpu_units / 1024),
                "memory_gb": _d(t.memory_mb / 1024),
            }
        ]
    else:
        usage.setdefault("ec2", []).append(
            {
                "instance_type": plan.container.instance_type,
                "count": 1,
                "hours": _d(float(hourly["instance_hours"].sum()) * factor),
                "surplus_vcpu_hours": _d(surplus_vcpu_hours * factor),
            }
        )
    usage["data_transfer_out_gb"] = _d(float(hourly["response_kb"].sum()) * factor / float(KB_PER_GB))
    log_gb = _d(admitted * ops.log_kb_per_request / float(KB_PER_GB))
    usage.setdefault("cloudwatch", []).append({"logs_ingested_gb": log_gb, "logs_stored_gb": log_gb})
    return Usage.model_validate(usage)
