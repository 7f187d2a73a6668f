"""One window of a Lambda function's requests in compiled code: the environment pool
(:func:`tinysim.compute.lambda_.lambda_kernel`), what Lambda bills for the window, and each
request's outcome, latency and wait for :func:`tinysim.window_fold.fold_outcomes`.

The arithmetic is operation for operation that of the vectorised form it replaces (latency = end
- arrival + front-door overhead; billed duration rounded up to the millisecond per invocation,
docs.aws.amazon.com/lambda/latest/dg/lambda-pricing... "Duration is calculated from the time your
code begins executing until it returns or otherwise terminates, rounded up to the nearest 1 ms";
sums added pairwise as NumPy adds them), so the same seed gives bit-identical results.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from tinysim.compute.lambda_ import lambda_kernel
from tinysim.window_fold import (
    FAILED,
    H_RECEIVED,
    IN_FLIGHT,
    M_OFFERED,
    SERVED,
    THROTTLED,
    TIMED_OUT,
    add_intervals,
    pairwise_sum,
)

__all__ = [
    "H_BILLED_MS",
    "H_INIT_MS",
    "H_LAMBDA_REQUESTS",
    "H_PROV_REQUESTS",
    "M_COLD_STARTS",
    "M_LAMBDA_THROTTLES",
    "lambda_window",
]

# rows of the minute and hour accumulators beyond the window fold's (dataplane.MINUTE_FIELDS, HOUR_FIELDS)
M_COLD_STARTS, M_LAMBDA_THROTTLES = 6, 7
H_BILLED_MS, H_INIT_MS, H_PROV_REQUESTS, H_LAMBDA_REQUESTS = 5, 6, 7, 8


@numba.njit(cache=True, nogil=True)
def lambda_window(
    t: np.ndarray,
    s: np.ndarray,
    ok: np.ndarray,
    function_timeout_s: float,
    overhead_s: float,
    door_timeout_s: float,
    horizon_s: float,
    payload_error: bool,
    prov_free: np.ndarray,
    busy_heap: np.ndarray,
    idle: np.ndarray,
    state: np.ndarray,
    limit: int,
    init_s: float,
    idle_ttl_s: float,
    legacy: bool,
    minute: int,
    hour: int,
    cells: np.ndarray,
    diff: np.ndarray,
    settled: int,
    mins: np.ndarray,
    hrs: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:  # pragma: no cover - compiled
    """Requests of one window (arrival ``t``, service ``s``, s; ``ok``: past the front door's own
    throttle). Returns per request the outcome code, latency (s, NaN unless the function ran) and
    the start delay (cold-start init, s), and the requests that ran (the admitted, for
    :func:`tinysim.window_fold.fold_outcomes`). The pool's and the accumulators' arrays (busy
    seconds; the minute and hour rows of what Lambda does and bills) are updated in place.
    """
    n = t.shape[0]
    mins[M_OFFERED, minute] += n
    n_ok = 0
    for i in range(n):
        if ok[i]:
            n_ok += 1
    hrs[H_RECEIVED, hour] += n_ok  # past the front door's own throttle: billed
    idx = np.empty(n_ok, dtype=np.int64)
    adm_t = np.empty(n_ok)
    service = np.empty(n_ok)
    k = 0
    for i in range(n):
        if ok[i]:
            idx[k] = i
            adm_t[k] = t[i]
            service[k] = min(s[i], function_timeout_s)
            k += 1
    delay, kind, end = lambda_kernel(
        adm_t, service, prov_free, busy_heap, idle, state, limit, init_s, idle_ttl_s, legacy
    )
    # per request that ran: billed and init milliseconds (for the pairwise sums), busy interval
    billed = np.empty(n_ok)
    init = np.empty(n_ok)
    run_t = np.empty(n_ok)
    run_end = np.empty(n_ok)
    n_run = n_prov = n_cold = 0
    latency = np.full(n, np.nan)
    wait = np.zeros(n)
    outcome = np.full(n, THROTTLED, dtype=np.int8)
    for j in range(n_ok):
        i = idx[j]
        if kind[j] == 0:  # throttled by the function's concurrency or scaling rate
            ok[i] = False
            continue
        billed[n_run] = math.ceil(service[j] * 1000 - 1e-9)
        init[n_run] = math.ceil(delay[j] * 1000 - 1e-9)
        run_t[n_run] = adm_t[j]
        run_end[n_run] = end[j]
        n_run += 1
        if kind[j] == 1:
            n_prov += 1
        elif kind[j] == 3:
            n_cold += 1
        wait[i] = delay[j]
        lat = end[j] - t[i] + overhead_s
        latency[i] = lat
        timed_out = lat > door_timeout_s or s[i] > function_timeout_s  # a function over its own timeout fails
        if timed_out:
            code = TIMED_OUT
            finish = t[i] + min(lat, door_timeout_s)
        else:
            code = SERVED
            finish = t[i] + lat
        if finish > horizon_s:
            code = IN_FLIGHT
        elif code == SERVED and payload_error:
            code = FAILED
        outcome[i] = code
    add_intervals(cells, diff, settled, run_t, run_end, n_run)
    hrs[H_BILLED_MS, hour] += pairwise_sum(billed, 0, n_run)
    hrs[H_INIT_MS, hour] += pairwise_sum(init, 0, n_run)
    hrs[H_PROV_REQUESTS, hour] += n_prov
    hrs[H_LAMBDA_REQUESTS, hour] += n_run
    mins[M_COLD_STARTS, minute] += n_cold
    mins[M_LAMBDA_THROTTLES, minute] += n_ok - n_run
    return outcome, latency, wait, n_run
