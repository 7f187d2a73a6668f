"""One window of an ECS service's requests in one compiled pass: front-door admission (API
Gateway's token bucket), dispatch to the serving tasks (round robin, random, least outstanding
requests, or one central queue), the exact FIFO start of each request on its task's slots, its
busy seconds and its outcome.

The window writes what the control loop reads while the run goes on (busy seconds, requests
offered per minute and received per hour) and, per request, the outcome code, latency and wait
that :func:`tinysim.window_fold.fold_outcomes` folds into the run's statistics afterwards (on
another core: see :mod:`tinysim.window_folder`). The arithmetic is operation for operation that of
the vectorised form (start = max(arrival, earliest free slot); latency = start + service - arrival
+ front-door overhead), so the same seed gives bit-identical results.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numba
import numpy as np

from tinysim.queueing import heap_pop, heap_push
from tinysim.window_fold import (
    FAILED,
    H_RECEIVED,
    IN_FLIGHT,
    M_OFFERED,
    SERVED,
    THROTTLED,
    TIMED_OUT,
    busy_rest,
)

__all__ = ["DISPATCH_CODES", "MAX_UNROLLED_SLOTS", "Kernel", "ecs_window", "kernel", "window_params"]

DISPATCH_CODES = {"round_robin": 0, "random": 1, "least_outstanding": 2, "central_queue": 3}
#: A compiled window kernel (the parameters of ``window`` in :func:`_compile`): returns the
#: (possibly grown) heap storage and the requests admitted.
Kernel = Callable[..., tuple[np.ndarray, int]]
# layout of the float parameter vector
P_OVERHEAD, P_TIMEOUT, P_HORIZON, P_RATE, P_BURST, P_PAYLOAD = range(6)


def window_params(
    overhead_s: float,
    timeout_s: float,
    horizon_s: float,
    throttle_rps: float,
    burst: float,
    payload_error: bool = False,
) -> np.ndarray:
    """The kernel's parameter vector (``payload_error``: every answer is over a payload limit, so
    served requests fail)."""
    return np.array([overhead_s, timeout_s, horizon_s, throttle_rps, burst, payload_error], dtype=float)


@numba.njit(cache=True, nogil=True, inline="always")
def _earliest(free: np.ndarray, row: int, slots: int) -> int:  # pragma: no cover - compiled
    """The slot of task ``row`` that frees first (lowest index on ties); ``slots`` is the count of
    slots when the caller compiles it as a constant, 0 for ``free``'s width."""
    j = 0
    m = free[row, 0]
    for q in range(1, slots if slots > 0 else free.shape[1]):
        if free[row, q] < m:
            m = free[row, q]
            j = q
    return j


@numba.njit(cache=True, nogil=True, inline="always")
def _least_outstanding(heaps: np.ndarray, sizes: np.ndarray, now: float) -> int:  # pragma: no cover
    """The task with the fewest requests outstanding at ``now`` (the first on ties), dropping the
    completions due by then from each task's heap."""
    row = 0
    best = -1
    for r in range(heaps.shape[0]):
        while sizes[r] > 0 and heaps[r, 0] <= now:
            heap_pop(heaps, sizes, r)
        if best < 0 or sizes[r] < best:
            best = sizes[r]
            row = r
    return row


@numba.njit(cache=True, nogil=True, inline="always")
def _remember(heaps: np.ndarray, sizes: np.ndarray, row: int, end: float) -> np.ndarray:  # pragma: no cover
    """Push a completion on task ``row``'s heap, doubling the storage when it is full."""
    if sizes[row] == heaps.shape[1]:
        grown = np.empty((heaps.shape[0], 2 * heaps.shape[1]))
        grown[:, : heaps.shape[1]] = heaps
        heaps = grown
    heap_push(heaps, sizes, row, end)
    return heaps


def _compile(dispatch: int, slots: int) -> Kernel:
    """The window kernel of one dispatch policy (``DISPATCH_CODES``) for tasks of ``slots`` slots (0:
    any count). The policy is a constant of the compiled code, so each kernel carries only its own
    dispatch (a policy read per request costs the loop over a third of its time); so is the count
    of slots, so the search for a task's earliest free slot is unrolled (a loop over a count known
    only when it runs branches on each comparison, mispredicted as often as the slots free in random
    order; unrolled, four slots took 9.4-10.0 ns per request here against 10.0-11.0). Numba caches
    each on disk apart (its index keys closures by the values they hold)."""

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
        rr_next: np.ndarray,
        free: np.ndarray,
        heaps: np.ndarray,
        sizes: np.ndarray,
        cells: np.ndarray,
        diff: np.ndarray,
        settled: int,
        mins: np.ndarray,
        hrs: np.ndarray,
        rest: np.ndarray,
        codes: np.ndarray,
        latency: np.ndarray,
        wait: np.ndarray,
    ) -> tuple[np.ndarray, int]:  # pragma: no cover - compiled
        """Requests ``lo..hi-1`` of a block (arrival ``t``, service ``s``, dispatch uniform ``u``, s).

        ``free`` (serving tasks x slots) holds each slot's next free time, ``heaps``/``sizes`` each
        task's outstanding completions (least outstanding dispatch), ``rr_next[0]`` the round-robin
        position; ``bucket`` is the token bucket [tokens, last update] (empty: no throttle); ``rest``
        (2 x >= hi-lo) is work space. Per request (``hi-lo`` each): outcome code, latency (s, NaN when
        throttled) and wait (s). All state is updated in place; returns the (possibly grown) heap
        storage and the requests admitted.
        """
        n = hi - lo
        overhead, timeout, horizon = prm[P_OVERHEAD], prm[P_TIMEOUT], prm[P_HORIZON]
        rate, burst = prm[P_RATE], prm[P_BURST]
        payload_error = prm[P_PAYLOAD] > 0
        throttled_door = bucket.shape[0] > 0
        tasks = free.shape[0]
        flat = free.reshape(free.size)
        tokens = bucket[0] if throttled_door else 0.0
        last = bucket[1] if throttled_door else 0.0
        rr = rr_next[0] % tasks if tasks > 0 else 0  # the next task in turn (no division per request)
        n_adm = n_received = n_rest = 0
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
                latency[k] = np.nan
                wait[k] = 0.0
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
                    row = _least_outstanding(heaps, sizes, ti)
                j = _earliest(free, row, slots)
                m = free[row, j]
                st = ti if ti > m else m
                free[row, j] = st + si
                if dispatch == 2:
                    heaps = _remember(heaps, sizes, row, st + si)
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
                    rest[0, n_rest] = b_lo
                    rest[1, n_rest] = b_hi
                    n_rest += 1
            n_adm += 1
            lat = end - ti + overhead
            latency[k] = lat
            wait[k] = st - ti
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
        if throttled_door:
            bucket[0] = tokens
            bucket[1] = last
        if tasks > 0 and n_adm > 0 and dispatch == 0:
            rr_next[0] = rr
        mins[M_OFFERED, minute] += n
        hrs[H_RECEIVED, hour] += n_received
        if cell >= 0:
            cells[cell] = held
        busy_rest(cells, diff, settled, rest, n_rest)
        return heaps, n_adm

    return window


#: Tasks of up to this many slots get a kernel of their own; wider ones share one (``slots`` 0).
MAX_UNROLLED_SLOTS = 16


@functools.cache
def _kernel(dispatch: int, slots: int) -> Kernel:
    return _compile(dispatch, slots)


def kernel(dispatch: str, slots: int) -> Kernel:
    """The compiled window kernel of a dispatch policy (a ``DISPATCH_CODES`` name) for tasks of
    ``slots`` slots, compiled (or loaded from numba's cache) when first asked for."""
    return _kernel(DISPATCH_CODES[dispatch], slots if slots <= MAX_UNROLLED_SLOTS else 0)


def ecs_window(dispatch: str, *args: object) -> tuple[np.ndarray, int]:
    """The kernel of ``dispatch`` for the width of ``free`` (``args[10]``), called with ``args`` (as
    :func:`kernel`'s kernels take them)."""
    free = args[10]
    assert isinstance(free, np.ndarray)
    return kernel(dispatch, free.shape[1])(*args)
