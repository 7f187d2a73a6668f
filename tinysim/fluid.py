"""The fluid fidelity: rates per step instead of requests, for month-long runs and sweeps.

Each step (60 s, or the alarm period when shorter) carries the exact integral of the offered rate
(``RateFunction.expected_between``). The container stack (:mod:`tinysim.fluid_container`) moves its queue
as a fluid and scales with the blueprint's control plane through the request engine's compiled rules
(:mod:`tinysim.fluid_control`); Lambda (:mod:`tinysim.fluid_lambda`) follows Little's law with the
function's scaling rule. Every configuration is one named record (:data:`tinysim.fluid_record.FLUID_RECORD`).
This module runs either kernel, sums its output by hour and over the run, and runs many configurations
in parallel.

Use it for sweeps and long horizons; use ``request`` fidelity for exact percentiles, bursts shorter
than a step, and anything where the order of requests matters (dispatch policies, timeouts).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from tinysim.float_sums import repeat_add
from tinysim.fluid_container import container_kernel
from tinysim.fluid_lambda import lambda_kernel
from tinysim.fluid_quantiles import run_quantiles, step_quantiles
from tinysim.fluid_record import Record
from tinysim.fluid_tasks import EV_REPEAT, EV_SCALE_IN, EV_SCALE_OUT

__all__ = ["HOURLY", "N_COLUMNS", "TOTALS", "aggregate", "batch", "events_rows", "run_into", "run_kernel"]

#: Columns of a kernel's per-step output: 0 offered, 1 served, 2 throttled, 3 timed out, 4-6 latency p50, p95,
#: p99 (ms), 7 mean (ms), 8 CPU %, 9 tasks serving, 10 pending, 11 instances, 12 task-hours (Lambda: cold
#: starts), 13 instance-hours (Lambda: throttles), 14 Lambda concurrency, 15 CPU credits, 16-19 the wait
#: (pa, theta, d0, d1: see ``tinysim.fluid_quantiles``).
N_COLUMNS = 20
#: Columns of ``aggregate``'s hourly output and slots of its totals vector.
HOURLY = ("admitted", "served", "c12", "c13", "ran", "prov_requests", "response_bytes")
TOTALS = (
    "offered",
    "served",
    "throttled",
    "timed_out",
    "c12",
    "c13",
    "p50",
    "p95",
    "p99",
    "mean",
    "max_p99",
    "peak_tasks",
    "max_concurrency",
    "slo_attainment",
    "scale_out",
    "scale_in",
    "surplus",
    "n_events",
)


@numba.njit(cache=True, nogil=True)
def run_kernel(
    serverless: bool,
    p: Record,
    lam: np.ndarray,
    svc: np.ndarray,
    sched: np.ndarray,
    out: np.ndarray,
    same: np.ndarray,
    events: np.ndarray,
) -> tuple[int, float]:  # pragma: no cover - compiled
    """Run the container or the Lambda kernel for record ``p``, then each step's latency quantiles;
    ``svc`` is ``service_points`` with the service p50, p95, p99 (s) as a third row; ``same`` (steps, all
    False) marks the rows copied from the row before (which hold the columns ``fluid_steady.COPIED`` and the
    quantiles; readers take a copied row's other columns from the row before). ``out`` may come
    uninitialised. Returns (events written, unpaid surplus credits)."""
    ne, surplus = 0, 0.0
    if serverless:
        lambda_kernel(p, lam, out)
    else:
        ne, surplus = container_kernel(p, lam, sched, out, same, events)
    step_quantiles(out, same, p.overhead_s, svc[:2], svc[2, :3])
    return ne, surplus


@numba.njit(cache=True, nogil=True)
def aggregate(
    serverless: bool,
    out: np.ndarray,
    same: np.ndarray,
    events: np.ndarray,
    n_events: int,
    surplus: float,
    per_hour: int,
    n_hour: int,
    prov_per_step: float,
    slo_ms: float,
    bytes_per_request: np.ndarray,
    overhead_s: float,
    svc: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """Hourly sums (HOURLY) and run totals (TOTALS) of a kernel's output; ``bytes_per_request`` per step
    (NaN without a trace byte column) gives the served bytes. A row marked in ``same`` (the kernel copied
    the row before into it) is not read again."""
    n = out.shape[0]
    hourly = np.zeros((n_hour, len(HOURLY)))
    tot = np.zeros(len(TOTALS))
    served_sum = mean_acc = ok_sum = 0.0
    # sums in locals (registers), added in step order: the same floats as adding into the arrays
    t0 = t1 = t2 = t3 = t12 = t13 = max_p99 = peak = top = 0.0
    # the row's values (a copied row keeps the row before's); its hourly terms (HOURLY but the bytes)
    x0 = served = x2 = x3 = x6 = x7 = x9 = x12 = x13 = x14 = 0.0
    terms = np.zeros(len(HOURLY) - 1)
    # a whole hour of one term's value sums to the same float: the last such value and sum of each term
    whole_value, whole_sum = np.full(terms.size, np.nan), np.zeros(terms.size)
    i = 0
    while i < n:
        if not same[i]:
            x0, served, x2, x3, x6, x7 = out[i, 0], out[i, 1], out[i, 2], out[i, 3], out[i, 6], out[i, 7]
            x9, x12, x13, x14 = out[i, 9], out[i, 12], out[i, 13], out[i, 14]
            admitted = x0 - (x2 - (x13 if serverless else 0.0))  # less the front door's throttles
            ran = admitted - x13 if serverless else admitted
            terms[0], terms[1], terms[2], terms[3] = admitted, served, x12, x13
            terms[4], terms[5] = ran, min(ran, prov_per_step)
        j = i + 1
        while j < n and same[j]:  # rows i..j-1 carry the same values: a maximum takes them once
            j += 1
        peak = max(peak, x9)
        top = max(top, x14)
        # a row without served requests adds +0.0 to the served sums: a sum that starts at +0.0 stays as it is
        weighted = served_pos = ok = 0.0
        if served > 0:
            max_p99 = max(max_p99, x6)
            weighted, served_pos = served * x7, served
            ok = served if x6 <= slo_ms else 0.0
        k = j - i  # each sum gets the row's value k times: the float adding row by row in step order gives
        t0, t1, t2, t3 = repeat_add(t0, x0, k), repeat_add(t1, served, k), repeat_add(t2, x2, k), repeat_add(t3, x3, k)
        t12, t13 = repeat_add(t12, x12, k), repeat_add(t13, x13, k)
        served_sum, mean_acc = repeat_add(served_sum, served_pos, k), repeat_add(mean_acc, weighted, k)
        ok_sum = repeat_add(ok_sum, ok, k)
        if j == i + 1 and per_hour > 1:  # one row (never a whole hour): each hourly sum plus its term
            h = min(i // per_hour, n_hour - 1)
            for c in range(terms.size):
                hourly[h, c] += terms[c]
            if not math.isnan(hourly[h, 6]):
                hourly[h, 6] += served * bytes_per_request[i]
            i = j
            continue
        r = i
        while r < j:  # the hours the rows fall in (the last hour takes any steps past the hours' end)
            h = min(r // per_hour, n_hour - 1)
            end = j if h == n_hour - 1 else min(j, (h + 1) * per_hour)
            whole = r == h * per_hour and end - r == per_hour
            for c in range(terms.size):
                if whole and terms[c] == whole_value[c]:
                    hourly[h, c] = whole_sum[c]
                else:
                    hourly[h, c] = repeat_add(hourly[h, c], terms[c], end - r)
                    if whole:
                        whole_value[c], whole_sum[c] = terms[c], hourly[h, c]
            if not math.isnan(hourly[h, 6]):  # the served bytes, step by step (a NaN sum stays NaN)
                for q in range(r, end):
                    hourly[h, 6] += served * bytes_per_request[q]
            r = end
        i = j
    tot[0], tot[1], tot[2], tot[3], tot[4], tot[5] = t0, t1, t2, t3, t12, t13
    tot[10], tot[11], tot[12] = max_p99, peak, top
    served_col = out[:, 1]
    tot[6:9] = run_quantiles(out, same, served_col, overhead_s, svc[:2], np.array([0.5, 0.95, 0.99]))
    tot[9] = mean_acc / served_sum if served_sum > 0 else np.nan
    tot[13] = ok_sum / served_sum if served_sum > 0 else np.nan
    logged = n_events  # events logged: a repeat row stands for its rows again at each step it covers
    for e in range(n_events):
        if events[e, 1] == EV_SCALE_OUT:
            tot[14] += 1
        elif events[e, 1] == EV_SCALE_IN:
            tot[15] += 1
        elif events[e, 1] == EV_REPEAT:
            logged += int(events[e, 2]) * int(events[e, 3]) - 1
    tot[16] = surplus
    tot[17] = logged
    return hourly, tot


@numba.njit(cache=True, nogil=True)
def events_rows(n_steps: int, svc_period_steps: int) -> int:  # pragma: no cover - compiled
    """Rows an events array starts with: per alarm period a datapoint of the service and one of the
    cluster, and room for a few events."""
    return 6 * n_steps // max(1, svc_period_steps) + 64


@numba.njit(cache=True, nogil=True)
def run_into(
    serverless: bool,
    p: Record,
    lam: np.ndarray,
    svc: np.ndarray,
    sched: np.ndarray,
    out: np.ndarray,
    same: np.ndarray,
    events: np.ndarray,
) -> tuple[np.ndarray, int, float]:  # pragma: no cover - compiled
    """``run_kernel`` into ``events`` (rows of 4), or into a new, large enough array when it overflows
    (the run is made again): returns the events array written, the events and the unpaid surplus."""
    ne, surplus = run_kernel(serverless, p, lam, svc, sched, out, same, events)
    if ne > events.shape[0]:
        events = np.empty((ne + 64, 4))
        same[:] = False
        ne, surplus = run_kernel(serverless, p, lam, svc, sched, out, same, events)
    return events, ne, surplus


@numba.njit(cache=True, parallel=True)
def batch(
    serverless: np.ndarray,
    params: np.ndarray,
    lams: np.ndarray,
    bprs: np.ndarray,
    lam_row: np.ndarray,
    svc: np.ndarray,
    scheds: np.ndarray,
    per_hour: int,
    n_hour: int,
    prov_per_step: np.ndarray,
    slo_ms: np.ndarray,
    lanes: int,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Many configurations at once (parallel over configurations): hourly sums and totals of each.

    ``params`` holds one ``FLUID_RECORD`` per configuration, ``lams`` / ``bprs`` the step rates and trace
    bytes per request of each distinct traffic (row ``lam_row[k]``; ``bprs`` rows all NaN without a byte
    column), ``scheds[k]`` the scheduled bounds changes padded with rows of time ``inf``; ``lanes`` (>= 1,
    the compiled threads) the configurations' sets of work arrays, run side by side."""
    n_cfg = params.shape[0]
    n = lams.shape[1]
    hourly = np.zeros((n_cfg, n_hour, len(HOURLY)))
    totals = np.zeros((n_cfg, len(TOTALS)))
    rows = 0
    for k in range(n_cfg):
        rows = max(rows, events_rows(n, params[k].svc_period_steps))
    # one set of work arrays per lane, reused configuration after configuration: memory paged in once, not
    # a month's output freshly mapped (and faulted in page by page) per configuration; a lane takes every
    # lanes-th configuration, so the costly ones (overloaded, never steady) spread over the lanes
    for lane in numba.prange(lanes):
        out = np.empty((N_COLUMNS, n)).T  # column-major, like the single-run path; the kernel fills it
        same = np.empty(n, dtype=np.bool_)
        events = np.empty((rows, 4))
        for k in range(lane, n_cfg, lanes):
            same[:] = False
            events, ne, surplus = run_into(
                serverless[k], params[k], lams[lam_row[k]], svc[k], scheds[k], out, same, events
            )
            h, t = aggregate(
                serverless[k], out, same, events, ne, surplus, per_hour, n_hour, prov_per_step[k], slo_ms[k],
                bprs[lam_row[k]], params[k].overhead_s, svc[k],
            )  # fmt: skip
            hourly[k] = h
            totals[k] = t
    return hourly, totals
