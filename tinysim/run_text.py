"""The text a person reads after ``tinysim run``: requests, failures, latency, scaling (tasks, or the
Lambda function's concurrency on a serverless plan) and the month's bill, amounts with thousands
separators as the dashboard shows them (the JSON form keeps plain numbers)."""

from __future__ import annotations

import math

from models.plan import Plan
from tinysim.costs.bill import usd
from tinysim.results import SimResult
from tinysim.summary import RunSummary
from tinysim.task_waits import TaskWaits, task_waits

__all__ = ["count", "duration", "run_text", "scaling_text"]


def count(n: int, noun: str, plural: str | None = None) -> str:
    """``1 task``, ``2 tasks``, ``1,000 scale-outs``."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def duration(seconds: float) -> str:
    """A wait for people: ``45 s``, ``12.5 min``, ``23.0 h``."""
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} h"
    if seconds >= 60:
        return f"{seconds / 60:.1f} min"
    return f"{seconds:.0f} s"


def scaling_text(s: RunSummary, waits: TaskWaits | None) -> str:
    """The scaling line of a container plan. With tasks that waited for an instance it gives the
    desired count the service asked for beside the tasks that served, and how long tasks waited."""
    sc = s.scaling
    events = f"{count(sc.scale_out_events, 'scale-out')}, {count(sc.scale_in_events, 'scale-in')}"
    if waits is None or not waits.waited:
        return f"scaling: up to {count(sc.max_tasks, 'task')}, {events}"
    still = f", {waits.still_waiting:,} still waiting at the end" if waits.still_waiting else ""
    return (
        f"scaling: desired up to {max(waits.desired_max, sc.max_tasks):,}, serving up to {sc.max_tasks:,}; "
        f"{count(waits.waited, 'task')} waited for an instance (the longest {duration(waits.longest_s)}{still}); "
        f"{events}"
    )


def run_text(result: SimResult, plan: Plan) -> str:
    """The summary of ``result`` (a forecast of ``plan``) as lines of text."""
    s = result.summary
    r, lat, f = s.requests, s.latency_ms, s.failures
    lines = [
        f"requests: {r.offered:,} offered, {r.served:,} served, {r.throttled:,} throttled, "
        f"{r.timed_out:,} timed out, {r.failed:,} over a payload limit, {r.in_flight:,} in flight",
        f"failed: {f.total:,} ({f.front_door:,} refused by the front door, {f.lambda_throttled:,} throttled by "
        f"Lambda, {f.timed_out:,} timed out, {f.payload:,} payload errors)",
    ]
    if lat.p50 is not None and lat.p95 is not None and lat.p99 is not None and lat.max is not None:
        top = "n/a" if math.isnan(lat.max) else f"{lat.max:.1f} ms"  # a fluid run has no maximum
        lines.append(f"latency: p50 {lat.p50:.1f} ms, p95 {lat.p95:.1f} ms, p99 {lat.p99:.1f} ms, max {top}")
    if plan.architecture == "container":
        waits = None
        if plan.container.launch_type == "ec2":
            ev = result.events
            waits = task_waits(zip(ev["t_s"], ev["kind"], ev["detail"], strict=True), s.horizon_s)
        lines.append(scaling_text(s, waits))
    else:
        lam = s.lambda_
        lines.append(
            f"lambda: max concurrency {lam.max_concurrency:,}, {count(lam.cold_starts, 'cold start')}, "
            f"{count(lam.throttles, 'throttle')}"
        )
    lines.append(
        f"monthly bill: {usd(s.total_usd)} (price book {s.price_book}; the run is "
        f"{s.horizon_s / 3600:g} h, scaled x{s.month_factor:.4g} to 730 h)"
    )
    return "\n".join(lines)
