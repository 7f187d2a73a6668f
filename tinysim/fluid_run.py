"""Runs the fluid kernels for scenarios: one at a time with a full timeline (``simulate_fluid``), or
many at once for sweeps (``fluid_forecasts``), both through the same kernel and aggregation."""

from __future__ import annotations

import math
import threading
from collections.abc import Sequence
from decimal import Decimal

import numba
import numpy as np

from models.scenario import Scenario
from tinysim.assumptions import bill_assumptions
from tinysim.costs import Bill, price_usage
from tinysim.fluid import N_COLUMNS, TOTALS, aggregate, batch, events_rows, run_into
from tinysim.fluid_buffers import output_array
from tinysim.fluid_inputs import run_inputs
from tinysim.fluid_record import METRIC_REQUESTS
from tinysim.fluid_rows import row_counts, split_rows
from tinysim.fluid_setup import FluidSetup, setup
from tinysim.fluid_tasks import (
    EV_CLUSTER_DATAPOINT,
    EV_LAUNCH,
    EV_PLACED,
    EV_READY,
    EV_SCALE_IN,
    EV_SCALE_OUT,
    EV_SCHEDULED,
    EV_SERVICE_DATAPOINT,
    EV_SERVING,
    EV_STOP,
    EV_TERMINATE,
)
from tinysim.payload_limits import payload_error
from tinysim.results import SimResult, summary_of
from tinysim.summary import LambdaStats, LatencyStats, RequestCounts, RunSummary, Scaling, ServedLatency
from tinysim.traffic import with_replay_horizon
from tinysim.usage import fold_usage, hourly_columns

__all__ = ["FluidSetup", "fluid_forecasts", "setup", "simulate_fluid"]

KINDS = {
    EV_SCALE_OUT: "scale_out",
    EV_SCALE_IN: "scale_in",
    EV_SERVING: "task_serving",
    EV_LAUNCH: "instance_launch",
    EV_READY: "instance_ready",
    EV_TERMINATE: "instance_terminate",
    EV_PLACED: "task_placed",
    EV_STOP: "task_stop",
    EV_SCHEDULED: "scheduled_action",
}
T = {name: i for i, name in enumerate(TOTALS)}


def _bill_and_summary(
    fs: FluidSetup, hourly: np.ndarray, tot: np.ndarray, full: bool = True, placed: int | None = None
) -> tuple[Bill, RunSummary, float | None, dict[str, np.ndarray]]:
    """Fold hourly sums into usage, price it, and write the summary (and the SLO attainment the kernel
    measured: the share of served requests in steps whose p99 met the SLO, ``None`` without traffic)."""
    sc, wl = fs.scenario, fs.scenario.workload
    n_hour = hourly.shape[0]
    hours: dict[str, np.ndarray] = {
        "received": hourly[:, 0],
        "admitted": hourly[:, 0],
        "served": hourly[:, 1],
        "request_kb": hourly[:, 0] * wl.request_kb,
        "response_kb": (
            0.0 * hourly[:, 1]
            if payload_error(fs.plan, wl)
            else hourly[:, 6] / 1000  # a trace's byte column (bytes per served request)
            if fs.traced_bytes
            else hourly[:, 1] * wl.response_kb
        ),
    }
    zeros = np.zeros(n_hour)
    if fs.serverless:
        hours["billed_ms"] = hourly[:, 4] * (fs.mean_s * 1000 + 0.5)  # 1 ms billing adds half a ms on average
        hours["init_ms"] = hourly[:, 2] * fs.init_ms
        hours["prov_requests"] = hourly[:, 5]
        hours["lambda_requests"] = hourly[:, 4]
        task_hours = inst_hours = zeros
    else:
        for key in ("billed_ms", "init_ms", "prov_requests", "lambda_requests"):
            hours[key] = zeros
        task_hours, inst_hours = hourly[:, 2], hourly[:, 3]
    cols = hourly_columns(hours, task_hours, inst_hours, float(sc.horizon_s), sc)
    # tasks started by scaling: the placements when the events are at hand, else one step per scale-out
    estimate = float(tot[T["scale_out"]]) * fs.plan.container.scaling.step
    starts = 0.0 if fs.serverless else float(placed) if placed is not None else estimate
    bill = price_usage(fold_usage(fs.plan, sc, cols, tot[T["surplus"]] / 60, fs.book, starts, fs.blueprint), fs.book)
    if full:
        month = Decimal(repr(starts * 730 * 3600 / sc.horizon_s))
        bill = bill.with_assumptions(bill_assumptions(fs.plan, sc.operations, wl, month))
    count = {k: round(float(tot[T[k]])) for k in ("offered", "served", "throttled", "timed_out")}
    failed = 0
    if payload_error(fs.plan, wl) is not None:
        failed, count["served"] = count["served"], 0
    totals = RequestCounts(
        count["offered"], count["served"], count["throttled"], count["timed_out"], in_flight=0, failed=failed
    )
    scaling = Scaling(
        max_tasks=0 if fs.serverless else int(tot[T["peak_tasks"]]),
        scale_out_events=int(tot[T["scale_out"]]),
        scale_in_events=int(tot[T["scale_in"]]),
    )
    lam = LambdaStats(
        max_concurrency=math.ceil(tot[T["max_concurrency"]]) if fs.serverless else 0,
        cold_starts=round(float(tot[T["c12"]])) if fs.serverless else 0,
        throttles=round(float(tot[T["c13"]])) if fs.serverless else 0,
    )
    has = tot[T["served"]] > 0

    def num(key: str) -> float | None:
        v = float(tot[T[key]])
        return None if not has or math.isnan(v) else v

    # a fluid run knows the latency distribution, not its single slowest request: no maximum (NaN)
    latency = LatencyStats(num("mean"), num("p50"), num("p95"), num("p99"), math.nan if has else None)
    base = (fs.mean_s + fs.overhead_s) * 1000
    qbase = [(fs.svc_q[i] + fs.overhead_s) * 1000 for i in range(3)]

    def less(v: float | None, b: float) -> float | None:
        return None if v is None else max(0.0, v - b)

    wait = LatencyStats(
        less(latency.mean, base),
        less(latency.p50, qbase[0]),
        less(latency.p95, qbase[1]),
        less(latency.p99, qbase[2]),
        None,
    )
    knots = (latency.p50, latency.p95, latency.p99, num("max_p99"))
    present = [k for k in knots if k is not None]
    served = ServedLatency(
        knots_ms=tuple(float(k) for k in np.maximum.accumulate(present)) if len(present) == len(knots) else ()
    )
    factor = 730 * 3600 / sc.horizon_s
    summary = summary_of(sc, totals, latency, wait, bill, scaling, lam, factor, served, with_bill=full)
    attainment = num("slo_attainment")
    return bill, summary, attainment, cols


def simulate_fluid(scenario: Scenario) -> SimResult:
    """A fluid run of ``scenario`` with the same result shape as a request-level one."""
    inputs = run_inputs(scenario)
    fs, svc = inputs.fs, inputs.svc
    out = output_array((fs.n, N_COLUMNS), order="F")  # column-major: each series is contiguous; the kernel fills it
    same = np.zeros(fs.n, dtype=np.bool_)  # rows the kernel copied from the row before
    rows = events_rows(fs.n, int(fs.record[0]["svc_period_steps"]))
    events, ne, surplus = run_into(fs.serverless, fs.record[0], inputs.rates, svc, fs.sched, out, same, _scratch(rows))
    per_hour = max(1, round(3600 / fs.dt))
    n_hour = math.ceil(scenario.horizon_s / 3600)
    hourly, tot = aggregate(
        fs.serverless, out, same, events, ne, surplus, per_hour, n_hour, fs.prov_per_step, math.inf,
        inputs.bytes_per_request, fs.overhead_s, svc,
    )  # fmt: skip
    split = _split(events[:ne], float(scenario.horizon_s), fs.dt)
    placed = int(np.count_nonzero(events[split[4], 1] == EV_PLACED))
    bill, summary, _, cols = _bill_and_summary(fs, hourly, tot, placed=placed)
    ev_data, datapoints = _records(fs, events[:ne], split)
    return SimResult(scenario, _timeline(fs, out), ev_data, datapoints, cols, bill, summary)


def _split(rows: np.ndarray, horizon_s: float, dt: float) -> tuple[np.ndarray, ...]:
    """``split_rows`` of the kernel's event ``rows`` into arrays of their own (a result keeps the datapoints):
    the datapoints' time, value, in-ALARM and cluster columns, and the control events' row indices."""
    n, n_control = row_counts(rows)
    t_s, value = output_array((n,)), output_array((n,))
    in_alarm, cluster = output_array((n,), np.bool_), output_array((n,), np.bool_)
    control = output_array((n_control,), np.int64)
    m, c = split_rows(rows, horizon_s, dt, t_s, value, in_alarm, cluster, control)
    return t_s[:m], value[:m], in_alarm[:m], cluster[:m], control[:c]


_SCRATCH = threading.local()


def _scratch(rows: int) -> np.ndarray:
    """This thread's events array of at least ``rows`` rows (4 columns), reused run after run: nothing a
    result keeps points into it (the rows are copied out by ``_split`` and ``_records``)."""
    events: np.ndarray | None = getattr(_SCRATCH, "events", None)
    if events is None or events.shape[0] < rows:
        events = _SCRATCH.events = np.empty((rows, 4))
    return events


def _records(
    fs: FluidSetup, rows: np.ndarray, split: tuple[np.ndarray, ...]
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """The kernel's event rows as the request engine's two frames: control events (with the details it
    writes) and CloudWatch datapoints (time, metric, value or NaN when missing, whether the scale-out alarm
    is in ALARM); ``split`` is ``_split`` of the rows."""
    t_s, value, in_alarm, cluster, control = split
    datapoints = {
        "t_s": t_s,
        "metric": _labels(cluster, "service_" + _service_label(fs)),
        "value": value,
        "in_alarm": in_alarm,
    }
    ev = rows[control]
    times = np.ascontiguousarray(rows[:, 0]) if control.size else rows[:0, 0]  # in time order
    metric_key = _service_label(fs) + ("_pct" if _service_label(fs) == "cpu" else "")
    details: list[dict[str, object]] = []
    scheduled: tuple[float, str] | None = None
    for t, k, a, b in ev:
        kind = int(k)
        details.append(_detail(fs, kind, int(a), int(b), float(t), rows, times, scheduled, metric_key))
        if kind == EV_SCHEDULED:
            scheduled = (float(t), fs.changes[int(a)].name)
    ev_data = {
        "t_s": ev[:, 0],
        "kind": np.array([KINDS[int(k)] for k in ev[:, 1]], dtype=object),
        "detail": np.array(details, dtype=object) if details else np.empty(0, dtype=object),
    }
    return ev_data, datapoints


_ALTERNATING: dict[tuple[str, int], np.ndarray] = {}


def _labels(cluster: np.ndarray, service: str) -> np.ndarray:
    """Each datapoint's metric label (``service``, or ``cluster_cpu`` where ``cluster``), without a loop
    per datapoint. When both are logged each period (the service's first) the labels alternate: that
    array is made once per label and length and shared, read-only, by the runs that follow."""
    if cluster.size % 2 == 0 and not cluster[0::2].any() and cluster[1::2].all():  # both each period
        key = (service, cluster.size)
        labels = _ALTERNATING.get(key)
        if labels is None:
            labels = np.empty(cluster.size, dtype=object)
            labels[0::2], labels[1::2] = service, "cluster_cpu"
            labels.setflags(write=False)
            if len(_ALTERNATING) >= 16:
                _ALTERNATING.clear()
            _ALTERNATING[key] = labels
        return labels
    labels = np.empty(cluster.size, dtype=object)
    labels[cluster], labels[~cluster] = "cluster_cpu", service
    return labels


def _service_label(fs: FluidSetup) -> str:
    """The service metric's label as the request engine writes it (``cpu`` or ``requests_per_target``)."""
    return "requests_per_target" if int(fs.record[0]["metric"]) == METRIC_REQUESTS else "cpu"


def _detail(
    fs: FluidSetup,
    kind: int,
    a: int,
    b: int,
    t: float,
    rows: np.ndarray,
    times: np.ndarray,
    scheduled: tuple[float, str] | None,
    metric_key: str,
) -> dict[str, object]:
    """An event's details as the request engine writes them: a scaling event carries the datapoint that
    decided it (``None`` when missing) or the scheduled action that moved the bounds at its time."""
    if kind in (EV_SCALE_OUT, EV_SCALE_IN):
        detail: dict[str, object] = {"desired_from": a, "desired_to": b}
        if scheduled is not None and scheduled[0] == t:
            detail["scheduled_action"] = scheduled[1]
        else:
            value = _datapoint_at(rows, times, EV_SERVICE_DATAPOINT, t)
            if value is not None:
                detail[metric_key] = value[0]
        return detail
    if kind in (EV_LAUNCH, EV_TERMINATE):
        value = _datapoint_at(rows, times, EV_CLUSTER_DATAPOINT, t)
        return {} if value is None else {"cpu_pct": value[0]}
    if kind == EV_SCHEDULED:
        change = fs.changes[a]
        return {"name": change.name, "min": change.min, "max": change.max}
    return {}


def _datapoint_at(rows: np.ndarray, times: np.ndarray, kind: int, t: float) -> tuple[float | None] | None:
    """The value (``None`` when missing) of the last datapoint of ``kind`` at time ``t`` among the kernel's
    rows (``times``: their times, in order); ``None`` when there is no such datapoint at ``t``."""
    lo, hi = int(np.searchsorted(times, t, side="left")), int(np.searchsorted(times, t, side="right"))
    for j in range(hi - 1, lo - 1, -1):
        if int(rows[j, 1]) == kind:
            v = float(rows[j, 2])
            return (None if math.isnan(v) else v,)
    return None


def _timeline(fs: FluidSetup, out: np.ndarray) -> dict[str, np.ndarray]:
    per_min = max(1, round(60 / fs.dt))
    n_min = math.ceil(fs.scenario.horizon_s / 60)

    def by_minute(col: int, how: str = "sum") -> np.ndarray:
        x = out[:, col]
        if per_min == 1 and x.size == n_min:
            return x
        size = n_min * per_min
        x = x[:size] if x.size >= size else np.pad(x, (0, size - x.size), mode="edge" if how != "sum" else "constant")
        x = x.reshape(n_min, per_min)
        return np.asarray(x.sum(axis=1) if how == "sum" else x[:, -1] if how == "last" else x.mean(axis=1))

    minute, t_s, zeros = _minute_columns(n_min)
    tl: dict[str, np.ndarray] = {"minute": minute, "t_s": t_s}
    for name, col in (("offered", 0), ("served", 1), ("throttled", 2), ("timed_out", 3)):
        tl[name] = by_minute(col)
    tl["in_flight"] = zeros
    if payload_error(fs.plan, fs.scenario.workload) is not None:
        tl["failed"], tl["served"] = tl["served"], zeros
    else:
        tl["failed"] = zeros
    tl["cold_starts"] = by_minute(12) if fs.serverless else zeros
    tl["lambda_throttles"] = by_minute(13) if fs.serverless else zeros
    for name, col in (("tasks_running", 9), ("tasks_pending", 10), ("instances", 11), ("cpu_credits", 15)):
        tl[name] = zeros if fs.serverless else by_minute(col, "last")
    tl["cpu_pct"] = np.full(n_min, np.nan) if fs.serverless else by_minute(8, "mean")
    tl["lambda_concurrency"] = by_minute(14, "mean") if fs.serverless else zeros
    served = tl["served"] > 0  # a minute without a served request has no latency (NaN)
    every = bool(served.all())
    for name, col in (("latency_p50_ms", 4), ("latency_p95_ms", 5), ("latency_p99_ms", 6)):
        latency = by_minute(col, "mean")
        tl[name] = latency if every else np.where(served, latency, np.nan)
    return tl


_MINUTES: dict[int, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def _minute_columns(n_min: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A timeline's minute numbers, their start times (s) and a column of zeros, ``n_min`` long: the same
    for every run of that length, so made once and shared, read-only, by the runs that follow."""
    columns = _MINUTES.get(n_min)
    if columns is None:
        columns = (np.arange(n_min), np.arange(n_min) * 60.0, np.zeros(n_min))
        for c in columns:
            c.setflags(write=False)
        if len(_MINUTES) >= 16:
            _MINUTES.clear()
        _MINUTES[n_min] = columns
    return columns


def _padded(scheds: list[np.ndarray]) -> np.ndarray:
    """Scheduled changes of several configurations in one array, padded with rows at time ``inf``."""
    rows = max(1, max(s.shape[0] for s in scheds))
    out = np.full((len(scheds), rows, 3), np.inf)
    out[:, :, 1:] = 0
    for k, s in enumerate(scheds):
        out[k, : s.shape[0]] = s
    return out


def fluid_forecasts(
    scenarios: Sequence[Scenario], slo_p99_ms: float | None = None
) -> list[tuple[Bill, RunSummary, float | None]]:
    """Bills, summaries and SLO attainments of many fluid runs, computed together (in parallel over
    configurations).

    The attainment is the share of served requests in steps whose p99 met ``slo_p99_ms`` (``None``
    without traffic). Bills and summaries equal those of ``simulate_fluid`` one by one.
    """
    setups = [setup(with_replay_horizon(s)) for s in scenarios]
    results: list[tuple[Bill, RunSummary, float | None] | None] = [None] * len(setups)
    groups: dict[tuple[int, float], list[int]] = {}
    for i, fs in enumerate(setups):
        groups.setdefault((fs.n, fs.dt), []).append(i)
    slo = math.inf if slo_p99_ms is None else float(slo_p99_ms)
    for (_n, dt), members in groups.items():
        lam_rows: dict[str, int] = {}
        lams: list[np.ndarray] = []
        bprs: list[np.ndarray] = []
        row_of = np.zeros(len(members), dtype=np.int64)
        for j, i in enumerate(members):
            sc = setups[i].scenario
            key = f"{sc.seed}|{sc.start.isoformat()}|{sc.traffic.model_dump_json()}"
            if key not in lam_rows:
                lam_rows[key] = len(lams)
                lams.append(setups[i].rates())
                bprs.append(setups[i].bytes_per_request())
            row_of[j] = lam_rows[key]
        ms = [setups[i] for i in members]
        per_hour = max(1, round(3600 / dt))
        n_hour = math.ceil(ms[0].scenario.horizon_s / 3600)
        hourly, totals = batch(
            np.array([m.serverless for m in ms]),
            np.concatenate([m.record for m in ms]),
            np.stack(lams),
            np.stack(bprs),
            row_of,
            np.stack([m.svc for m in ms]),
            _padded([m.sched for m in ms]),
            per_hour,
            n_hour,
            np.array([m.prov_per_step for m in ms]),
            np.full(len(ms), slo),
            max(1, min(len(ms), numba.get_num_threads())),
        )
        for j, i in enumerate(members):
            bill, summary, attainment, _ = _bill_and_summary(setups[i], hourly[j], totals[j], full=False)
            results[i] = (bill, summary, attainment)
    return [r for r in results if r is not None]
