"""Compiled folding of a window's requests into the run's accumulators.

A window's requests are folded from their outcome codes, latencies and waits
(:func:`fold_outcomes`, on a background thread: :mod:`tinysim.window_folder`): outcomes into
per-minute and per-hour counts, latencies and waits into the run's log histograms, latencies into
the open minute's buffer (exact per-minute percentiles by selection, not a sort). Busy intervals go
into per-second worker-seconds as the window runs (:func:`busy_head`, :func:`busy_rest`). Sums are
taken in the same order and grouping as the NumPy reductions they replace (pairwise sums,
pass-by-pass second splitting), so the same requests give bit-identical results.

State arrays (owned by :class:`~tinysim.dataplane.DataPlane` and its folder):

- ``mins`` int64 (len(MINUTE_FIELDS), minutes); ``hrs`` float (len(HOUR_FIELDS), hours);
- ``pct`` float (minutes, 3): latency p50/p95/p99 in ms; ``busy`` float (seconds + 1);
- ``hcounts`` int64 (2, N_BINS) and ``hstat`` float (2, 3): latency (row 0) and wait (row 1)
  histogram counts and [n, sum, max];
- ``pend``, ``pbin``, ``mcount``, ``ist``: the open minute's latencies, their bins and its counts
  (``tinysim.minute_percentiles``).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from tinysim.log_bins import fast_bin
from tinysim.minute_percentiles import count_latencies, open_minute
from tinysim.stats import X_MIN

__all__ = [
    "FAILED",
    "H_RECEIVED",
    "H_RESPONSE_KB",
    "IN_FLIGHT",
    "M_FAILED",
    "M_IN_FLIGHT",
    "M_OFFERED",
    "M_SERVED",
    "M_THROTTLED",
    "M_TIMED_OUT",
    "SERVED",
    "THROTTLED",
    "TIMED_OUT",
    "add_intervals",
    "busy_head",
    "busy_rest",
    "close_window",
    "fold_outcomes",
    "pairwise_sum",
]

THROTTLED, SERVED, TIMED_OUT, IN_FLIGHT, FAILED = range(5)
# rows of ``mins`` and ``hrs`` (the order of dataplane.MINUTE_FIELDS and HOUR_FIELDS)
M_OFFERED, M_SERVED, M_THROTTLED, M_TIMED_OUT, M_IN_FLIGHT, M_FAILED = range(6)
H_RECEIVED, H_ADMITTED, H_SERVED, H_REQUEST_KB, H_RESPONSE_KB = range(5)


@numba.njit(cache=True, nogil=True)
def _block_sum(a: np.ndarray, lo: int, n: int) -> float:  # pragma: no cover - compiled
    """NumPy's sum of at most 128 values: 8 accumulators, then the rest one by one."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return float(res)
    r0, r1, r2, r3 = a[lo], a[lo + 1], a[lo + 2], a[lo + 3]
    r4, r5, r6, r7 = a[lo + 4], a[lo + 5], a[lo + 6], a[lo + 7]
    i = 8
    m = n - n % 8
    while i < m:
        j = lo + i
        r0 += a[j]
        r1 += a[j + 1]
        r2 += a[j + 2]
        r3 += a[j + 3]
        r4 += a[j + 4]
        r5 += a[j + 5]
        r6 += a[j + 6]
        r7 += a[j + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return float(res)


@numba.njit(cache=True, nogil=True)
def pairwise_sum(a: np.ndarray, lo: int, n: int) -> float:  # pragma: no cover - compiled
    """``a[lo:lo+n].sum()`` exactly as NumPy adds it: blocks of at most 128 values, halved at a
    multiple of 8 and the halves added (the recursion, walked with an explicit stack)."""
    if n <= 128:
        return _block_sum(a, lo, n)
    f_lo = np.empty(128, dtype=np.int64)
    f_n = np.empty(128, dtype=np.int64)
    f_stage = np.zeros(128, dtype=np.int64)
    vals = np.empty(128)
    f_lo[0], f_n[0], f_stage[0] = lo, n, 0
    fp, vp = 1, 0
    while fp > 0:
        i = fp - 1
        m = f_n[i]
        if m <= 128:
            vals[vp] = _block_sum(a, f_lo[i], m)
            vp += 1
            fp -= 1
            continue
        half = m // 2
        half -= half % 8
        if f_stage[i] == 0:  # left half first
            f_stage[i] = 1
            f_lo[fp], f_n[fp], f_stage[fp] = f_lo[i], half, 0
            fp += 1
        elif f_stage[i] == 1:  # then the right half
            f_stage[i] = 2
            f_lo[fp], f_n[fp], f_stage[fp] = f_lo[i] + half, m - half, 0
            fp += 1
        else:  # both done: left + right
            vals[vp - 2] = vals[vp - 2] + vals[vp - 1]
            vp -= 1
            fp -= 1
    return float(vals[0])


@numba.njit(cache=True, nogil=True, inline="always")
def busy_head(cells: np.ndarray, start: float, end: float, rest: np.ndarray, m: int) -> int:  # pragma: no cover
    """Add the head of the interval ``[start, end)`` (its first partial second, or all of it within
    one second) to ``cells``; an interval reaching past its first second goes to ``rest[:, m]``
    (clipped start and end) for :func:`busy_rest`. Returns the new count in ``rest``."""
    size = cells.shape[0]
    lo = min(max(start, 0.0), size)
    hi = min(max(end, 0.0), size)
    if hi > lo:
        first = math.floor(lo)
        last = min(math.floor(hi), size)
        if first == last:
            cells[min(first, size - 1)] += hi - lo
        else:
            cells[min(first, size - 1)] += first + 1.0 - lo
            rest[0, m] = lo
            rest[1, m] = hi
            m += 1
    return m


@numba.njit(cache=True, nogil=True)
def busy_rest(cells: np.ndarray, diff: np.ndarray, settled: int, rest: np.ndarray, m: int) -> None:  # pragma: no cover
    """After every head: the tails (last partial seconds), then the whole seconds between (to the
    difference array, or straight into cells already settled) of the intervals in ``rest[:, :m]``."""
    size = cells.shape[0]
    for i in range(m):
        last = min(math.floor(rest[1, i]), size)
        if last < size:
            cells[last] += rest[1, i] - last
    for i in range(m):
        a = math.floor(rest[0, i]) + 1
        b = min(math.floor(rest[1, i]), size)
        if b > a:
            if a < settled:
                for c in range(a, min(b, settled)):
                    cells[c] += 1.0
                a = max(a, settled)
            if b > a:
                diff[a] += 1.0
                diff[b] -= 1.0


@numba.njit(cache=True, nogil=True)
def add_intervals(
    cells: np.ndarray, diff: np.ndarray, settled: int, start: np.ndarray, end: np.ndarray, n: int
) -> None:  # pragma: no cover - compiled
    """``BusySeconds.add(start[:n], end[:n])`` on its arrays, adding in the same order: every
    interval's head, then every tail, then the whole seconds between."""
    rest = np.empty((2, n))
    m = 0
    for i in range(n):
        m = busy_head(cells, start[i], end[i], rest, m)
    busy_rest(cells, diff, settled, rest, m)


@numba.njit(cache=True, nogil=True)
def close_window(
    n: int,
    n_admitted: int,
    n_served: int,
    n_timed_out: int,
    n_in_flight: int,
    n_failed: int,
    seg0: int,
    minute: int,
    hour: int,
    request_kb: float,
    response_kb: float,
    mins: np.ndarray,
    hrs: np.ndarray,
    hcounts: np.ndarray,
    hstat: np.ndarray,
    pend: np.ndarray,
    pbin: np.ndarray,
    mcount: np.ndarray,
    ist: np.ndarray,
    served_wait: np.ndarray,
    bins: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Counts of the window's outcomes into its minute and hour (the requests offered are counted
    when the window runs: the control loop reads them); the histograms' bins, sums and maxima (the
    window's served latencies are ``pend[seg0:seg0+n_served]``, their waits ``served_wait[:n_served]``;
    ``bins`` is :func:`tinysim.log_bins.bin_table`). The latencies are binned into the open minute's
    counts (:func:`tinysim.minute_percentiles.count_latencies`), which reach the run's histogram
    ``hcounts[0]`` when the minute closes. ``response_kb < 0`` leaves response bytes to the caller
    (trace bytes per request).

    The bins are counted here, a tight pass per histogram after the window's requests, rather than
    request by request: the table lookups of a pass overlap, where in the request loop they wait on it."""
    mins[M_THROTTLED, minute] += n - n_admitted
    mins[M_SERVED, minute] += n_served
    mins[M_TIMED_OUT, minute] += n_timed_out
    mins[M_IN_FLIGHT, minute] += n_in_flight
    mins[M_FAILED, minute] += n_failed
    hrs[H_ADMITTED, hour] += n_admitted
    hrs[H_SERVED, hour] += n_served
    hrs[H_REQUEST_KB, hour] += n_admitted * request_kb
    if response_kb >= 0:
        hrs[H_RESPONSE_KB, hour] += n_served * response_kb
    if n_served == 0:
        return
    # the maxima are taken in the binning passes, from the values already loaded
    top_l = count_latencies(pend, seg0, n_served, pbin, mcount, ist, bins)
    no_wait = 0  # most requests start at once: their bin 0 is counted in a register
    top_w = served_wait[0]
    for i in range(n_served):
        w = served_wait[i]
        if w < X_MIN:
            no_wait += 1
        else:
            hcounts[1, fast_bin(w, bins)] += 1
        if w > top_w:
            top_w = w
    hcounts[1, 0] += no_wait
    hstat[0, 0] += n_served
    hstat[0, 1] += pairwise_sum(pend, seg0, n_served)
    hstat[1, 0] += n_served
    hstat[1, 1] += pairwise_sum(served_wait, 0, n_served)
    hstat[0, 2] = max(hstat[0, 2], top_l)
    hstat[1, 2] = max(hstat[1, 2], top_w)


@numba.njit(cache=True, nogil=True)
def fold_outcomes(
    codes: np.ndarray,
    latency: np.ndarray,
    wait: np.ndarray,
    n_admitted: int,
    minute: int,
    hour: int,
    request_kb: float,
    response_kb: float,
    ist: np.ndarray,
    mins: np.ndarray,
    hrs: np.ndarray,
    pct: np.ndarray,
    hcounts: np.ndarray,
    hstat: np.ndarray,
    pend: np.ndarray,
    pbin: np.ndarray,
    mcount: np.ndarray,
    served_wait: np.ndarray,
    bins: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Fold a window's outcomes (``bins`` as for :func:`close_window`; ``ist``, ``pend``, ``pbin``
    and ``mcount`` are the open minute's, :mod:`tinysim.minute_percentiles`)."""
    open_minute(minute, ist, pend, pbin, mcount, pct, hcounts[0])
    seg0 = ist[1]
    count = seg0
    k = 0
    n_timed_out = 0
    n_in_flight = 0
    n_failed = 0
    for i in range(codes.shape[0]):
        c = codes[i]
        if c == SERVED:
            pend[count] = latency[i]
            count += 1
            served_wait[k] = wait[i]
            k += 1
        elif c == TIMED_OUT:
            n_timed_out += 1
        elif c == IN_FLIGHT:
            n_in_flight += 1
        elif c == FAILED:
            n_failed += 1
    ist[1] = count
    n = codes.shape[0]
    close_window(
        n, n_admitted, k, n_timed_out, n_in_flight, n_failed, seg0, minute, hour, request_kb, response_kb,
        mins, hrs, hcounts, hstat, pend, pbin, mcount, ist, served_wait, bins,
    )  # fmt: skip
