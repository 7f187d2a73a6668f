"""Runs the fluid kernels for a scenario and shapes their output like a request-level run."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from models.instances import INSTANCE_TYPES
from models.plan import Plan
from models.prices import load_price_book
from models.scenario import Scenario
from tinysim.costs import price_usage
from tinysim.distributions import Distribution, from_spec
from tinysim.engine import ACCOUNT_CONCURRENCY, COLD_START_MS
from tinysim.fluid import (
    EV_LAUNCH,
    EV_PLACED,
    EV_READY,
    EV_SCALE_IN,
    EV_SCALE_OUT,
    EV_SERVING,
    EV_STOP,
    EV_TERMINATE,
    container_kernel,
    lambda_kernel,
    weighted_quantile,
)
from tinysim.frontdoor import front_door
from tinysim.results import SimResult, summary_of
from tinysim.stats import LogHistogram
from tinysim.steady import tasks_per_instance
from tinysim.traffic import rate_function
from tinysim.usage import fold_usage, hourly_columns

__all__ = ["simulate_fluid"]

KINDS = {
    EV_SCALE_OUT: "scale_out",
    EV_SCALE_IN: "scale_in",
    EV_SERVING: "task_serving",
    EV_LAUNCH: "instance_launch",
    EV_READY: "instance_ready",
    EV_TERMINATE: "instance_terminate",
    EV_PLACED: "task_placed",
    EV_STOP: "task_stop",
}
Z = {0.5: 0.0, 0.95: 1.6448536269514722, 0.99: 2.3263478740408408}


def service_quantiles(d: Distribution) -> np.ndarray:
    """p50, p95, p99 of the service time (seconds)."""
    qs = (0.5, 0.95, 0.99)
    if d.kind == "exponential":
        return np.array([-math.log(1 - q) * d.mean_s for q in qs])
    if d.kind == "constant":
        return np.full(3, d.mean_s)
    if d.kind == "lognormal":
        mu = math.log(d.mean_s) - d.sigma**2 / 2
        return np.array([math.exp(mu + d.sigma * Z[q]) for q in qs])
    return np.asarray(np.quantile(np.asarray(d.samples_s), qs))


def _steps(scenario: Scenario, plan: Plan) -> tuple[float, int]:
    period = plan.container.scaling.period_s
    dt = 60.0 if period >= 60 else float(period)
    return dt, max(1, int(period // dt))


def simulate_fluid(scenario: Scenario) -> SimResult:
    """A fluid run of ``scenario`` with the same result shape as a request-level one."""
    plan = scenario.resolved_plan()
    book = load_price_book(scenario.price_book)
    wl, tm = scenario.workload, scenario.timings
    dist = from_spec(wl.service_time_ms)
    svc_q = service_quantiles(dist)
    dt, per_period = _steps(scenario, plan)
    horizon = float(scenario.horizon_s)
    n = math.ceil(horizon / dt)
    rate = rate_function(scenario.traffic, scenario.seed)
    lam = rate((np.arange(n) + 0.5) * dt)
    front = front_door(plan.front_door, wl.frontdoor_overhead_ms, 0, 0)
    throttle = float(book.value("apigw.throttle.rps")) if plan.front_door != "alb" else math.inf
    out = np.zeros((n, 16), order="F")  # column-major: each series is contiguous
    events = np.zeros((4 * n // per_period + 64, 4))
    n_events, surplus = 0, 0.0
    if plan.architecture == "serverless":
        s = plan.serverless
        limit = ACCOUNT_CONCURRENCY if s.reserved_concurrency is None else s.reserved_concurrency
        init_ms = wl.cold_start_ms if wl.cold_start_ms is not None else COLD_START_MS[s.package]
        timeout = min(front.timeout_s, float(s.timeout_s))
        lambda_kernel(
            lam,
            dt,
            dist.mean_s,
            init_ms / 1000,
            limit,
            s.provisioned_concurrency,
            math.ceil(tm.lambda_idle_ttl_s / dt),
            1000.0 * dt / 10,
            svc_q,
            timeout,
            front.overhead_s,
            throttle,
            out,
        )
    else:
        c = plan.container
        ec2 = c.launch_type == "ec2"
        itype = INSTANCE_TYPES.get(c.instance_type)
        per = tasks_per_instance(plan) if ec2 else 1
        start_steps = math.ceil(tm.task_start_s / dt)
        boot_steps = math.ceil(tm.instance_boot_s / dt)
        sc = c.scaling
        i_start = max(c.instances.min, -(-c.tasks.desired // per)) if ec2 else 0
        n_events, surplus = container_kernel(
            lam,
            dt,
            per_period,
            dist.mean_s,
            dist.scv,
            svc_q,
            wl.concurrency_per_task,
            wl.cpu_fraction,
            sc.threshold_pct,
            sc.evaluation_periods,
            sc.scale_in_threshold_pct,
            sc.scale_in_evaluation_periods,
            float(sc.cooldown_s),
            sc.step,
            c.tasks.min,
            c.tasks.max,
            c.tasks.desired,
            start_steps,
            ec2,
            per,
            c.task.cpu_units / 1024,
            float(itype.vcpus if itype else 1),
            c.instances.min,
            c.instances.max,
            i_start,
            boot_steps,
            float(itype.credits_per_hour or 0.0) if itype else 0.0,
            float(itype.max_credit_balance) if itype else 0.0,
            front.timeout_s,
            front.overhead_s,
            throttle,
            out,
            events,
        )
    return _result(scenario, plan, out, events[:n_events], surplus / 60, dt, svc_q, front.overhead_s)


def _pad(x: np.ndarray, size: int, edge: bool) -> np.ndarray:
    """``x`` cut or padded to ``size``: with zeros for sums, with its last value for states."""
    if x.size >= size:
        return x[:size]
    return np.pad(x, (0, size - x.size), mode="edge" if edge and x.size else "constant")


def _weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float | None:
    """The q-quantile of per-step values weighted by the requests served in each step."""
    v = float(weighted_quantile(np.ascontiguousarray(values), np.ascontiguousarray(weights), q))
    return None if math.isnan(v) else v


def _result(
    scenario: Scenario,
    plan: Plan,
    out: np.ndarray,
    events: np.ndarray,
    surplus_vcpu_hours: float,
    dt: float,
    svc_q: np.ndarray,
    overhead_s: float,
) -> SimResult:
    horizon = float(scenario.horizon_s)
    serverless = plan.architecture == "serverless"
    per_min = max(1, round(60 / dt))
    n_min = math.ceil(horizon / 60)

    def by_minute(col: int, how: str = "sum") -> np.ndarray:
        if per_min == 1 and out.shape[0] == n_min:
            return out[:, col]
        x = _pad(out[:, col], n_min * per_min, edge=how != "sum").reshape(n_min, per_min)
        return x.sum(axis=1) if how == "sum" else x[:, -1] if how == "last" else x.mean(axis=1)

    zeros = np.zeros(n_min)
    tl: dict[str, np.ndarray] = {"minute": np.arange(n_min), "t_s": np.arange(n_min) * 60.0}
    for name, col in (("offered", 0), ("served", 1), ("throttled", 2), ("timed_out", 3)):
        tl[name] = by_minute(col)
    tl["in_flight"] = zeros
    tl["cold_starts"] = by_minute(12) if serverless else zeros
    tl["lambda_throttles"] = by_minute(13) if serverless else zeros
    for name, col in (("tasks_running", 9), ("tasks_pending", 10), ("instances", 11), ("cpu_credits", 15)):
        tl[name] = zeros if serverless else by_minute(col, "last")
    tl["cpu_pct"] = np.full(n_min, np.nan) if serverless else by_minute(8, "mean")
    tl["lambda_concurrency"] = by_minute(14, "mean") if serverless else zeros
    for name, col in (("latency_p50_ms", 4), ("latency_p95_ms", 5), ("latency_p99_ms", 6)):
        tl[name] = np.where(tl["served"] > 0, by_minute(col, "mean"), np.nan)
    timeline = tl

    ev = {"t_s": events[:, 0], "kind": np.array([KINDS[int(k)] for k in events[:, 1]], dtype=object),
          "detail": np.array([({"desired_from": int(a), "desired_to": int(b)} if int(k) in (EV_SCALE_OUT, EV_SCALE_IN)
                               else {}) for k, a, b in events[:, 1:4]], dtype=object)}
    n_hour = math.ceil(horizon / 3600)
    per_hour = max(1, round(3600 / dt))

    def by_hour(x: np.ndarray) -> np.ndarray:
        return np.asarray(_pad(x, n_hour * per_hour, edge=False).reshape(n_hour, per_hour).sum(axis=1))

    wl = scenario.workload
    front_thr = out[:, 2] - (out[:, 13] if serverless else 0.0)
    admitted = out[:, 0] - front_thr
    served = out[:, 1]
    hours: dict[str, np.ndarray] = {
        "admitted": by_hour(admitted),
        "served": by_hour(served),
        "request_kb": by_hour(admitted) * wl.request_kb,
        "response_kb": by_hour(served) * wl.response_kb,
    }
    if serverless:
        ran = admitted - out[:, 13]
        mean_ms = from_spec(wl.service_time_ms).mean_s * 1000
        init_ms = wl.cold_start_ms if wl.cold_start_ms is not None else COLD_START_MS[plan.serverless.package]
        hours["billed_ms"] = by_hour(ran * (mean_ms + 0.5))  # 1 ms billing rounds up half a ms on average
        hours["init_ms"] = by_hour(out[:, 12] * init_ms)
        prov = plan.serverless.provisioned_concurrency * dt / (mean_ms / 1000)
        hours["prov_requests"] = by_hour(np.minimum(ran, prov))
        hours["lambda_requests"] = by_hour(ran)
    else:
        for key in ("billed_ms", "init_ms", "prov_requests", "lambda_requests"):
            hours[key] = np.zeros(n_hour)
    task_hours = by_hour(out[:, 12]) if not serverless else np.zeros(n_hour)
    inst_hours = by_hour(out[:, 13]) if not serverless else np.zeros(n_hour)
    cols = hourly_columns(hours, task_hours, inst_hours, horizon, scenario)
    book = load_price_book(scenario.price_book)
    bill = price_usage(fold_usage(plan, scenario, cols, surplus_vcpu_hours, book), book)
    hourly = cols

    totals = {k: round(float(timeline[k].sum())) for k in ("offered", "served", "throttled", "timed_out")}
    totals["in_flight"] = 0
    latency = LogHistogram()
    wait = LogHistogram()
    lat = {q: _weighted_quantile(out[:, c], served, q) for q, c in ((0.5, 4), (0.95, 5), (0.99, 6))}
    mean = float(np.average(out[:, 7], weights=served)) if served.sum() > 0 else math.nan
    summary = summary_of(
        scenario,
        totals,
        latency,
        wait,
        bill,
        _scaling(events, out, serverless),
        {
            "max_concurrency": math.ceil(out[:, 14].max()) if serverless else 0,
            "cold_starts": round(float(out[:, 12].sum())) if serverless else 0,
            "throttles": round(float(out[:, 13].sum())) if serverless else 0,
        },
        730 * 3600 / horizon,
    )
    summary["latency_ms"] = {
        "mean": mean,
        "p50": lat[0.5],
        "p95": lat[0.95],
        "p99": lat[0.99],
        "max": float(np.nanmax(out[:, 6])) if served.sum() > 0 else None,
    }
    base = [(svc_q[i] + overhead_s) * 1000 for i in range(3)]
    summary["wait_ms"] = {
        "mean": max(0.0, mean - (from_spec(wl.service_time_ms).mean_s + overhead_s) * 1000),
        **{
            k: (None if (v := lat[q]) is None else max(0.0, v - b))
            for (k, q), b in zip((("p50", 0.5), ("p95", 0.95), ("p99", 0.99)), base, strict=True)
        },
        "max": None,
    }
    datapoints = {"t_s": np.empty(0), "metric": np.empty(0, dtype=object), "value": np.empty(0),
                  "in_alarm": np.empty(0, dtype=bool)}
    return SimResult(scenario, timeline, ev, datapoints, hourly, bill, summary)


def _scaling(events: np.ndarray, out: np.ndarray, serverless: bool) -> dict[str, Any]:
    kinds = events[:, 1]
    return {
        "max_tasks": 0 if serverless else int(out[:, 9].max()),
        "scale_out_events": int(np.count_nonzero(kinds == EV_SCALE_OUT)),
        "scale_in_events": int(np.count_nonzero(kinds == EV_SCALE_IN)),
    }
