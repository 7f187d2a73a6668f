"""``simulate(scenario)``: one forecast of cost and latency."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable
from decimal import Decimal

import numpy as np

from models.price_regions import scenario_price_book
from models.scenario import Scenario
from tinysim.assumptions import bill_assumptions
from tinysim.costs import price_usage
from tinysim.dataplane import Observer
from tinysim.engine import Engine
from tinysim.results import Rows, SimResult, stats_ms, step_series, summary_of
from tinysim.summary import LambdaStats, RequestCounts, Scaling, ServedLatency
from tinysim.traffic import with_replay_horizon
from tinysim.usage import fold_usage, hourly_columns

__all__ = ["simulate"]


def simulate(
    scenario: Scenario, progress: Callable[[float], None] | None = None, observer: Observer | None = None
) -> SimResult:
    """Run a scenario and return its timeline, events, hourly usage, bill and summary.

    ``progress`` is called with the simulated time (seconds) once a simulated minute; ``observer``
    with every window's per-request arrays (for analyses that need each request).
    """
    scenario = with_replay_horizon(scenario)  # a trace's skipped gaps shorten the run
    if scenario.fidelity == "fluid":
        from tinysim.fluid_run import simulate_fluid

        return simulate_fluid(scenario)
    plan = scenario.resolved_plan()
    engine = Engine(scenario, plan, progress, observer)
    engine.run()
    return _result(engine)


def _result(engine: Engine) -> SimResult:
    sc, plan, dp = engine.scenario, engine.plan, engine.dp
    horizon = engine.horizon_s
    n_min = math.ceil(horizon / 60)
    # the timeline's columns (its frame is built when first read: see tinysim.results.SimResult)
    t_s = np.arange(n_min) * 60.0
    columns: dict[str, np.ndarray] = {"minute": np.arange(n_min), "t_s": t_s, **dp.minutes}
    samples = engine.records.samples
    assert len(samples) == n_min, "one sample per minute, the last at the horizon"
    _, running, pending, instances, credits = zip(*samples, strict=True)
    for col, values, dtype in (
        ("tasks_running", running, np.int64),
        ("tasks_pending", pending, np.int64),
        ("instances", instances, np.int64),
        ("cpu_credits", credits, np.float64),
    ):
        columns[col] = np.array(values, dtype=dtype)
    worker = step_series(engine.records.slot_changes, horizon, 60.0) if engine.ecs is not None else None
    seconds = np.minimum(60.0, horizon - t_s)  # the last minute may be partial
    busy_min = np.add.reduceat(dp.busy.seconds()[: math.ceil(horizon)], np.arange(0, math.ceil(horizon), 60))[:n_min]
    columns["cpu_pct"] = np.full(n_min, np.nan)
    if worker is not None:
        f = sc.workload.cpu_fraction
        with np.errstate(divide="ignore", invalid="ignore"):
            columns["cpu_pct"] = np.where(worker > 0, 100.0 * f * busy_min / (worker * seconds), np.nan)
    columns["lambda_concurrency"] = busy_min / seconds if engine.pool is not None else np.zeros(n_min)
    for q, name in enumerate(("latency_p50_ms", "latency_p95_ms", "latency_p99_ms")):
        columns[name] = dp.pct[:, q]
    # the frames are built when first read (a sweep reads only the bill, the summary and two columns)
    events = Rows(engine.records.events, ("t_s", "kind", "detail"))
    datapoints = Rows(engine.records.datapoints, ("t_s", "metric", "value", "in_alarm"))

    task_hours = (
        step_series(engine.records.task_changes, horizon, 3600.0)
        * np.minimum(3600.0, horizon - 3600.0 * np.arange(math.ceil(horizon / 3600)))
        / 3600
    )
    inst_hours = (
        step_series(engine.records.instance_changes, horizon, 3600.0)
        * np.minimum(3600.0, horizon - 3600.0 * np.arange(math.ceil(horizon / 3600)))
        / 3600
    )
    cols = hourly_columns(dp.hours, task_hours, inst_hours, horizon, sc)
    surplus = engine.cluster.surplus_credits / 60 if engine.cluster is not None else 0.0
    book = scenario_price_book(sc, plan)
    kinds = Counter(kind for _, kind, _ in engine.records.events)
    placed = kinds["task_placed"]
    scaling_starts = placed if plan.architecture == "container" else 0  # the initial tasks are not placements
    usage = fold_usage(plan, sc, cols, surplus, book, scaling_starts, engine.blueprint)
    bill = price_usage(usage, book).with_assumptions(
        bill_assumptions(plan, sc.operations, sc.workload, Decimal(repr(scaling_starts * 730 * 3600 / horizon)))
    )
    hourly = cols

    m = dp.minutes
    totals = RequestCounts(
        *(int(m[k].sum()) for k in ("offered", "served", "throttled", "timed_out", "in_flight", "failed"))
    )
    scaling = Scaling(
        max_tasks=int(max([0] + [int(v) for _, v in engine.task_changes_serving()])),
        scale_out_events=kinds["scale_out"],
        scale_in_events=kinds["scale_in"],
    )
    lam = LambdaStats(
        max_concurrency=engine.pool.max_concurrency if engine.pool is not None else 0,
        cold_starts=int(m["cold_starts"].sum()),
        throttles=int(m["lambda_throttles"].sum()),
    )
    factor = 730 * 3600 / horizon
    served = ServedLatency(histogram=dp.latency)
    summary = summary_of(sc, totals, stats_ms(dp.latency), stats_ms(dp.wait), bill, scaling, lam, factor, served)
    return SimResult(sc, columns, events, datapoints, hourly, bill, summary)
