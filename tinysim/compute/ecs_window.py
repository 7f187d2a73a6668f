"""One window of an ECS service's requests in one compiled pass: front-door admission (API
Gateway's token bucket), dispatch to the serving tasks (round robin, random, least outstanding
requests, or one central queue), the exact FIFO start of each request on its task's slots, its
outcome, and the folding into the run's accumulators (see :mod:`tinysim.window_fold`).

Each request is touched once; nothing per request outlives the window except the open minute's
latencies. The arithmetic is operation for operation that of the vectorised form (start =
max(arrival, earliest free slot); latency = start + service - arrival + front-door overhead), so
the same seed gives bit-identical results.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numba
import numpy as np

from tinysim.minute_percentiles import collect, open_minute
from tinysim.queueing import heap_pop, heap_push
from tinysim.window_fold import (
    FAILED,
    H_RECEIVED,
    IN_FLIGHT,
    SERVED,
    THROTTLED,
    TIMED_OUT,
    busy_rest,
    close_window,
)

__all__ = [
    "DISPATCH_CODES",
    "KERNELS",
    "P_RECORD",
    "P_REQUEST_KB",
    "P_RESPONSE_KB",
    "Kernel",
    "ecs_window",
    "window_params",
]

DISPATCH_CODES = {"round_robin": 0, "random": 1, "least_outstanding": 2, "central_queue": 3}
DISPATCH_NAMES = {code: name for name, code in DISPATCH_CODES.items()}
#: A compiled window kernel (the parameters of ``window`` in :func:`_compile`).
Kernel = Callable[..., np.ndarray]
# layout of the float parameter vector
P_OVERHEAD, P_TIMEOUT, P_HORIZON, P_REQUEST_KB, P_RESPONSE_KB = range(5)
P_RATE, P_BURST, P_DISPATCH, P_RECORD, P_PAYLOAD = range(5, 10)
I_RR = 2  # ist[2]: the round-robin position


def window_params(
    overhead_s: float,
    timeout_s: float,
    horizon_s: float,
    request_kb: float,
    response_kb: float,
    throttle_rps: float,
    burst: float,
    dispatch: str,
    record: bool,
    payload_error: bool = False,
) -> np.ndarray:
    """The kernel's parameter vector (``response_kb < 0``: response bytes come from a trace;
    ``payload_error``: every answer is over a payload limit, so served requests fail)."""
    return np.array(
        [
            overhead_s,
            timeout_s,
            horizon_s,
            request_kb,
            response_kb,
            throttle_rps,
            burst,
            DISPATCH_CODES[dispatch],
            record,
            payload_error,
        ],
        dtype=float,
    )


@numba.njit(cache=True, nogil=True, inline="always")
def _earliest(free: np.ndarray, row: int) -> int:  # pragma: no cover - compiled
    """The slot of task ``row`` that frees first (lowest index on ties)."""
    j = 0
    m = free[row, 0]
    for q in range(1, free.shape[1]):
        if free[row, q] < m:
            m = free[row, q]
            j = q
    return j


def _compile(dispatch: int) -> Kernel:
    """The window kernel of one dispatch policy (``DISPATCH_CODES``). The policy is a constant of the
    compiled code, so each kernel carries only its own dispatch (a policy read per request costs the
    loop over a third of its time). Numba caches each on disk apart (its index keys closures by the
    values they hold)."""

    @numba.njit(cache=True, nogil=True)
    def window(
        t: np.ndarray,
        s: np.ndarray,
        u: np.ndarray,
        lo: int,
        hi: int,
        minute: int,
        hour: int,
        prm: np.ndarray,
        bucket: np.ndarray,
        ist: np.ndarray,
        free: np.ndarray,
        heaps: np.ndarray,
        sizes: np.ndarray,
        cells: np.ndarray,
        diff: np.ndarray,
        settled: int,
        mins: np.ndarray,
        hrs: np.ndarray,
        pct: np.ndarray,
        hcounts: np.ndarray,
        hstat: np.ndarray,
        pend: np.ndarray,
        pcount: np.ndarray,
        scratch: np.ndarray,
        codes: np.ndarray,
        bins: np.ndarray,
    ) -> np.ndarray:  # pragma: no cover - compiled
        """Requests ``lo..hi-1`` of a block (arrival ``t``, service ``s``, dispatch uniform ``u``, s).

        ``free`` (serving tasks x slots) holds each slot's next free time, ``heaps``/``sizes`` each
        task's outstanding completions (least outstanding dispatch); ``bucket`` is the token bucket
        [tokens, last update] (empty: no throttle). ``scratch`` (3 + 2 x record, >= hi-lo) is work space;
        per request outcome codes go to ``codes`` and, with ``prm[P_RECORD]``, latency and wait to
        ``scratch[3]`` and ``scratch[4]``; ``bins`` is :func:`tinysim.log_bins.bin_table`. All state is
        updated in place; returns the (possibly grown) heap storage.
        """
        n = hi - lo
        overhead, timeout, horizon = prm[P_OVERHEAD], prm[P_TIMEOUT], prm[P_HORIZON]
        rate, burst = prm[P_RATE], prm[P_BURST]
        record = prm[P_RECORD] > 0
        payload_error = prm[P_PAYLOAD] > 0
        throttled_door = bucket.shape[0] > 0
        tasks = free.shape[0]
        flat = free.reshape(free.size)
        tokens = bucket[0] if throttled_door else 0.0
        last = bucket[1] if throttled_door else 0.0
        open_minute(minute, ist, pend, pcount, pct)
        seg0 = ist[1]
        count, low, high = ist[1], ist[3], ist[4]
        rr = ist[I_RR] % tasks if tasks > 0 else 0  # the next task in turn (no division per request)
        n_adm = n_served = n_late = n_flight = n_failed = n_received = n_rest = 0
        n_cells, cell, held = cells.shape[0], -1, 0.0
        for k in range(n):
            i = lo + k
            ti = t[i]
            ok = True
            if throttled_door:
                tokens = min(burst, tokens + (ti - last) * rate)
                last = ti
                if tokens >= 1.0:
                    tokens -= 1.0
                else:
                    ok = False
            if ok:
                n_received += 1
            if ok and tasks == 0:
                ok = False
            if not ok:
                codes[k] = THROTTLED
                if record:
                    scratch[3, k] = np.nan
                    scratch[4, k] = 0.0
                continue
            si = s[i]
            if dispatch == 3:  # one queue in front of every slot
                j = 0
                m = flat[0]
                for q in range(1, flat.shape[0]):
                    if flat[q] < m:
                        m = flat[q]
                        j = q
                st = ti if ti > m else m
                flat[j] = st + si
            else:
                if dispatch == 0:
                    row = rr
                    rr += 1
                    if rr == tasks:
                        rr = 0
                elif dispatch == 1:
                    row = min(int(u[i] * tasks), tasks - 1)
                else:
                    row = 0
                    best = -1
                    for r in range(tasks):
                        while sizes[r] > 0 and heaps[r, 0] <= ti:
                            heap_pop(heaps, sizes, r)
                        if best < 0 or sizes[r] < best:
                            best = sizes[r]
                            row = r
                j = _earliest(free, row)
                m = free[row, j]
                st = ti if ti > m else m
                free[row, j] = st + si
                if dispatch == 2:
                    if sizes[row] == heaps.shape[1]:
                        grown = np.empty((tasks, 2 * heaps.shape[1]))
                        grown[:, : heaps.shape[1]] = heaps
                        heaps = grown
                    heap_push(heaps, sizes, row, st + si)
            end = st + si
            # busy seconds: window_fold.busy_head written out here (called, it costs this loop about
            # half its time), with the cell being added to held in a register and written back when
            # another cell is added to: the same adds in the same order, so the same result
            b_lo = min(max(st, 0.0), n_cells)
            b_hi = min(max(end, 0.0), n_cells)
            if b_hi > b_lo:
                sec0 = math.floor(b_lo)
                sec1 = min(math.floor(b_hi), n_cells)
                c0 = min(sec0, n_cells - 1)
                if c0 != cell:
                    if cell >= 0:
                        cells[cell] = held
                    cell = c0
                    held = cells[c0]
                if sec0 == sec1:
                    held += b_hi - b_lo
                else:
                    held += sec0 + 1.0 - b_lo
                    scratch[0, n_rest] = b_lo
                    scratch[1, n_rest] = b_hi
                    n_rest += 1
            n_adm += 1
            lat = end - ti + overhead
            w = st - ti
            if lat > timeout:
                code = TIMED_OUT
                finish = ti + timeout
            else:
                code = SERVED
                finish = ti + lat
            if finish > horizon:
                code = IN_FLIGHT
            elif code == SERVED and payload_error:
                code = FAILED
            codes[k] = code
            if record:
                scratch[3, k] = lat
                scratch[4, k] = w
            if code == SERVED:
                count, low, high = collect(lat, pend, pcount, count, low, high)
                scratch[2, n_served] = w
                n_served += 1
            elif code == TIMED_OUT:
                n_late += 1
            elif code == IN_FLIGHT:
                n_flight += 1
            else:
                n_failed += 1
        if throttled_door:
            bucket[0] = tokens
            bucket[1] = last
        if tasks > 0 and n_adm > 0 and dispatch == 0:
            ist[I_RR] = rr
        ist[1], ist[3], ist[4] = count, low, high
        close_window(
            n, n_adm, n_served, n_late, n_flight, n_failed, seg0, minute, hour, prm[P_REQUEST_KB], prm[P_RESPONSE_KB],
            mins, hrs, hcounts, hstat, pend, scratch[2], bins,
        )  # fmt: skip
        hrs[H_RECEIVED, hour] += n_received
        if cell >= 0:
            cells[cell] = held
        busy_rest(cells, diff, settled, scratch, n_rest)
        return heaps

    return window


#: The compiled kernels, by dispatch policy (each compiled when first called).
KERNELS: dict[str, Kernel] = {name: _compile(code) for name, code in DISPATCH_CODES.items()}


def ecs_window(*args: object) -> np.ndarray:
    """The kernel of the dispatch policy ``prm[P_DISPATCH]`` (args as :data:`KERNELS`' kernels take)."""
    prm = args[7]
    assert isinstance(prm, np.ndarray)
    return KERNELS[DISPATCH_NAMES[int(prm[P_DISPATCH])]](*args)
