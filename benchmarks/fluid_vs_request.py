"""The fluid fidelity against the request engine on a table of scenarios: each scaling setup, both
launch types, scale-in to the minimum, a minimum of 0, an overload past the front door's timeout, both
Lambda scaling rules, one-second spikes, a trace with a byte column, serverless behind API Gateway and an
ALB.

Per row: offered requests (the request engine's are Poisson around the fluid's expectation), the bill,
the scaling timeline (rows with ``same_timeline``: the load is steady between control events), p99.
Run: python benchmarks/fluid_vs_request.py  (prints the table; tests/tinysim/test_fluid_vs_request.py
asserts it).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models import Scenario  # noqa: E402
from tinysim.results import SimResult  # noqa: E402
from tinysim.simulate import simulate  # noqa: E402

__all__ = ["ROWS", "SUB_STEP", "Row", "compare", "scenario_of"]

FARGATE = {"container": {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}}}
EC2: dict[str, Any] = {}
# One task serves 20 requests/s (constant 50 ms, one slot): 2 rps is 10% CPU, 16 rps 80%.
STEP_LOAD = {"kind": "spike", "base_rps": 2, "spike_rps": 16, "start_s": 600, "duration_s": 3000}
# Target tracking on 2.08 tasks of work (416 requests/s of 5 ms: the datapoints' Poisson noise is ~0.3% CPU),
# from 4 tasks (52%): ceil(4 x 52 / 50) = 5 tasks at a 50% CPU target (41.6%, below 90% of it); at 5,200
# requests per target a minute, ceil(4 x 6,240 / 5,200) = 5. At 3,600 s the load halves: ceil(5 x 20.8 / 50) = 3.
TT_LOAD = {"kind": "spike", "base_rps": 208, "spike_rps": 416, "start_s": 0, "duration_s": 3600}
TT_WORK = {"service_time_ms": {"dist": "constant", "mean": 5}}
TT_TASKS = {"min": 1, "max": 10, "desired": 4}
TT_CPU = {"policy": "target_tracking", "metric": "cpu", "target_value": 50}
TT_REQUESTS = {"policy": "target_tracking", "metric": "alb_request_count_per_target", "target_value": 5200}
SCHEDULED = {"name": "morning", "cron": "cron(30 0 * * ? *)", "min": 6, "max": 10}
# Overload: 100 requests/s on tasks of 25 requests/s (exponential 40 ms) for 20 minutes; requests go round
# robin to each task's own queue and past the ALB's 60-s timeout are timed out while their work goes on.
OVERLOAD = {"front_door": "alb", "container": {"launch_type": "fargate", "task": {"cpu_units": 512, "memory_mb": 1024}}}
OVERLOAD_LOAD = {"kind": "spike", "base_rps": 1, "spike_rps": 100, "start_s": 600, "duration_s": 1200}
OVERLOAD_WORK = {"service_time_ms": {"dist": "exponential", "mean": 40}}
SERVERLESS = {"architecture": "serverless", "front_door": "apigw-http"}
BURST = {"kind": "spike", "base_rps": 20, "spike_rps": 3000, "start_s": 600, "duration_s": 300}
TRACE = str(ROOT / "examples" / "traces" / "shop_day.csv")
#: Rows with a burst shorter than a step: the fluid spreads it over the step (see the bounds in the test).
SUB_STEP = ("step, fargate, 1-s spike", "lambda, 1-s spike")
KINDS = (
    "scheduled_action",
    "scale_out",
    "scale_in",
    "task_placed",
    "task_serving",
    "task_stop",
    "instance_launch",
    "instance_ready",
)


@dataclass(frozen=True)
class Row:
    name: str
    plan: dict[str, Any]
    traffic: dict[str, Any]
    horizon_s: int = 5400
    same_timeline: bool = True
    timings: dict[str, Any] | None = None
    workload: dict[str, Any] | None = None
    account: dict[str, Any] | None = None


def _with(base: dict[str, Any], **container: Any) -> dict[str, Any]:
    c = dict(base.get("container", {}))
    c.update(container)
    return {**base, "container": c}


ROWS = (
    Row("step, fargate", FARGATE, STEP_LOAD),
    Row("step, ec2", EC2, STEP_LOAD),
    Row(
        "step, fargate, 10-s period",
        _with(FARGATE, scaling={"period_s": 10, "evaluation_periods": 30}),
        STEP_LOAD,
        same_timeline=False,
    ),
    Row("step, fargate, scale in to min 2", _with(FARGATE, tasks={"min": 2, "max": 5, "desired": 4}), STEP_LOAD),
    Row("step, ec2, scale in to min", _with(EC2, tasks={"min": 1, "max": 5, "desired": 3}), STEP_LOAD),
    Row("step, fargate, min 0", _with(FARGATE, tasks={"min": 0, "max": 5, "desired": 1}), STEP_LOAD),
    Row("step, fargate, two-step adjust", _with(FARGATE, scaling={"step": 2}), STEP_LOAD),
    Row("step, fargate, apigw", {**FARGATE, "front_door": "apigw-http"}, STEP_LOAD),
    Row(
        "target tracking cpu, fargate", _with(FARGATE, scaling=TT_CPU, tasks=TT_TASKS), TT_LOAD, 7200, workload=TT_WORK
    ),
    Row("target tracking cpu, ec2", _with(EC2, scaling=TT_CPU, tasks=TT_TASKS), TT_LOAD, 7200, workload=TT_WORK),
    Row(
        "target tracking alb requests, fargate",
        _with({**FARGATE, "front_door": "alb"}, scaling=TT_REQUESTS, tasks=TT_TASKS),
        TT_LOAD,
        7200,
        workload=TT_WORK,
    ),
    Row(
        "target tracking, scheduled min 6 at 00:30, fargate",
        _with(FARGATE, scaling={**TT_CPU, "scheduled": [SCHEDULED]}, tasks=TT_TASKS),
        TT_LOAD,
        7200,
        workload=TT_WORK,
    ),
    Row(
        "overload, step, fargate, alb",
        _with(OVERLOAD, scaling={"policy": "step"}),
        OVERLOAD_LOAD,
        7200,
        False,
        workload=OVERLOAD_WORK,
    ),
    Row(
        "overload, target tracking cpu, fargate, alb",
        _with(OVERLOAD, scaling=TT_CPU),
        OVERLOAD_LOAD,
        7200,
        False,
        workload=OVERLOAD_WORK,
    ),
    Row("step, fargate, 1-s spike", FARGATE, {**STEP_LOAD, "spike_rps": 2000, "duration_s": 1}),
    Row("step, fargate, weekly", FARGATE, {**STEP_LOAD, "weekly": [1.5, 1, 1, 1, 1, 1, 1]}),
    Row("lambda current, apigw", SERVERLESS, BURST, 1800, False),
    Row("lambda legacy, apigw", SERVERLESS, {**BURST, "spike_rps": 30000}, 1800, False, {"lambda_scaling": "legacy"}),
    Row(
        "lambda legacy, 4,000 environments",
        {**SERVERLESS, "serverless": {"timeout_s": 30}},
        {"kind": "spike", "base_rps": 0, "spike_rps": 4000, "start_s": 600, "duration_s": 180},
        1200,
        False,
        {"lambda_scaling": "legacy"},
        {"service_time_ms": {"dist": "constant", "mean": 1000}},
        {"lambda_concurrency": 5000, "apigw_throttle_rps": 100_000, "apigw_throttle_burst": 100_000},
    ),
    Row(
        "lambda current, 4,000 environments",
        {**SERVERLESS, "serverless": {"timeout_s": 30}},
        {"kind": "spike", "base_rps": 0, "spike_rps": 4000, "start_s": 600, "duration_s": 180},
        1200,
        False,
        None,
        {"service_time_ms": {"dist": "constant", "mean": 1000}},
        {"lambda_concurrency": 5000, "apigw_throttle_rps": 100_000, "apigw_throttle_burst": 100_000},
    ),
    Row("lambda current, 30k spike", SERVERLESS, {**BURST, "spike_rps": 30000}, 1800, False),
    Row("lambda, alb", {**SERVERLESS, "front_door": "alb"}, BURST, 1800, False),
    Row("lambda, 1-s spike", SERVERLESS, {**BURST, "spike_rps": 20000, "duration_s": 1}, 1800, False),
    Row(
        "trace with bytes, fargate",
        _with(FARGATE, tasks={"min": 1, "max": 5, "desired": 1}),
        {"kind": "trace", "csv": TRACE, "bytes_column": "response_bytes"},
        7200,
        False,
    ),
    Row(
        "trace with bytes, lambda", SERVERLESS, {"kind": "trace", "csv": TRACE, "bytes_column": "response_bytes"}, 7200
    ),
)


def scenario_of(row: Row) -> Scenario:
    workload = row.workload or {"service_time_ms": {"dist": "constant", "mean": 50}}
    return Scenario.model_validate(
        {
            "plan": row.plan,
            "traffic": row.traffic,
            "workload": workload,
            "timings": {"task_start_s": 180, "instance_boot_s": 120, **(row.timings or {})},
            "horizon_s": row.horizon_s,
            "seed": 11,
            **({"account": row.account} if row.account else {}),
        }
    )


def timeline(result: SimResult) -> list[tuple[float, str]]:
    ev = result.events
    return sorted((float(t), str(k)) for t, k in zip(ev["t_s"], ev["kind"], strict=True) if k in KINDS)


def compare(row: Row) -> dict[str, Any]:
    """Both fidelities on ``row``: offered, bill, timeline agreement, p99 of each."""
    sc = scenario_of(row)
    exact = simulate(sc)
    fluid = simulate(sc.model_copy(update={"fidelity": "fluid"}))
    fo, ro = fluid.summary.requests.offered, exact.summary.requests.offered
    return {
        "name": row.name,
        "offered_fluid": fo,
        "offered_request": ro,
        "served_fluid": fluid.summary.requests.served,
        "served_request": exact.summary.requests.served,
        "throttled_fluid": fluid.summary.requests.throttled,
        "throttled_request": exact.summary.requests.throttled,
        "offered_sigmas": abs(fo - ro) / max(1.0, fo) ** 0.5,
        "bill_ratio": float(fluid.bill.total_exact_usd / exact.bill.total_exact_usd),
        "same_timeline": timeline(fluid) == timeline(exact),
        "p99_fluid_ms": fluid.summary.latency_ms.p99,
        "p99_request_ms": exact.summary.latency_ms.p99,
    }


def main() -> None:
    print(
        "| scenario | offered fluid | offered request | sigmas | bill ratio | same timeline | p99 fluid | p99 request |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in ROWS:
        r = compare(row)
        print(
            f"| {r['name']} | {r['offered_fluid']:,} | {r['offered_request']:,} | {r['offered_sigmas']:.2f} | "
            f"{r['bill_ratio']:.4f} | {r['same_timeline']} | {r['p99_fluid_ms']:.1f} | {r['p99_request_ms']:.1f} |"
        )


if __name__ == "__main__":
    main()
