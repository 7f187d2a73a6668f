"""Exact per-minute latency percentiles in linear time, from the run histogram's own bins.

A minute's served latencies are kept as they come (``pend``), and each is counted in the latency
histogram's log bin (:func:`tinysim.log_bins.fast_bin`: 0.1% wide) when its window is folded: the
bin goes beside the value (``pbin``) and the count into the minute's histogram (``mcount``). When the
minute closes, one scan of its counts finds the bin holding each wanted order statistic, one pass
over ``pbin`` gathers the few values in those bins, and a sort of those alone gives the order
statistics exactly. p50, p95 and p99 then interpolate linearly between order statistics, as
``numpy.percentile`` does. The minute's counts are then added to the run's latency histogram, so a
latency is binned once for both.

State: ``ist`` int64 [open minute, its count, (unused), lowest bin, highest bin]; ``pend`` the
minute's latencies (s); ``pbin`` int16 their bins; ``mcount`` int64 (N_BINS,) the minute's counts
by bin, zero outside the open minute.
"""

from __future__ import annotations

import numba
import numpy as np

from tinysim.log_bins import fast_bin
from tinysim.stats import N_BINS

__all__ = ["BIN_DTYPE", "close_minute", "count_latencies", "open_minute"]

BIN_DTYPE = np.int16  # a bin number beside each latency of the open minute
assert np.iinfo(BIN_DTYPE).max >= N_BINS
PCT = (0.50, 0.95, 0.99)
I_MINUTE, I_COUNT, I_LOW, I_HIGH = 0, 1, 3, 4
SKIP = 64  # bins summed at once while looking for a rank's bin (a minute spans thousands of bins)


@numba.njit(cache=True, nogil=True)
def count_latencies(
    pend: np.ndarray, seg0: int, n: int, pbin: np.ndarray, mcount: np.ndarray, ist: np.ndarray, bins: np.ndarray
) -> float:  # pragma: no cover - compiled
    """Bin the open minute's latencies ``pend[seg0:seg0+n]`` (s, n > 0) into ``pbin`` and ``mcount``
    (``bins``: :func:`tinysim.log_bins.bin_table`), widening the minute's bin range; returns their
    maximum (taken from the values this pass loads anyway)."""
    top = pend[seg0]
    bottom = top
    for i in range(seg0, seg0 + n):
        x = pend[i]
        b = fast_bin(x, bins)
        mcount[b] += 1
        pbin[i] = b
        bottom = min(bottom, x)
        top = max(top, x)
    # the bins of the extremes bound the others' (bins increase with the value)
    low, high = fast_bin(bottom, bins), fast_bin(top, bins)
    if seg0 > 0:
        low, high = min(low, ist[I_LOW]), max(high, ist[I_HIGH])
    ist[I_LOW], ist[I_HIGH] = low, high
    return float(top)


@numba.njit(cache=True, nogil=True)
def _order_statistics(
    pend: np.ndarray, n: int, pbin: np.ndarray, mcount: np.ndarray, low: int, high: int, ranks: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """The values of the given ascending ranks among ``pend[:n]``."""
    m = ranks.shape[0]
    target = np.empty(m, dtype=np.int64)  # the bin of each rank
    below = np.empty(m, dtype=np.int64)  # values in lower bins
    b = low
    cum = 0  # values below bin b
    for r in range(m):
        while True:
            if b + SKIP <= high + 1:  # a whole stretch of bins below the rank: one vectorised sum
                ahead = 0
                for c in range(b, b + SKIP):
                    ahead += mcount[c]
                if cum + ahead <= ranks[r]:
                    cum += ahead
                    b += SKIP
                    continue
            if ranks[r] < cum + mcount[b]:
                break
            cum += mcount[b]
            b += 1
        target[r] = b
        below[r] = cum
    # the distinct target bins (ascending), where their values go in ``gathered``, and a mark per
    # bin from low to high: 1 + its target's index, 0 for the others (the scan branches only on the
    # few values it keeps)
    mark = np.zeros(high - low + 1, dtype=np.int8)  # (at most 6 targets)
    start = np.empty(m, dtype=np.int64)
    fill = np.empty(m, dtype=np.int64)
    size = 0
    t = -1
    for j in range(m):
        if j == 0 or target[j] != target[j - 1]:
            t += 1
            start[t] = fill[t] = size
            size += mcount[target[j]]
            mark[target[j] - low] = t + 1
    gathered = np.empty(size)
    for i in range(n):
        q = mark[pbin[i] - low] - 1
        if q >= 0:
            gathered[fill[q]] = pend[i]
            fill[q] += 1
    for q in range(t + 1):
        gathered[start[q] : fill[q]] = np.sort(gathered[start[q] : fill[q]])
    out = np.empty(m)
    t = -1
    for j in range(m):
        if j == 0 or target[j] != target[j - 1]:
            t += 1
        out[j] = gathered[start[t] + ranks[j] - below[j]]
    return out


@numba.njit(cache=True, nogil=True)
def close_minute(
    ist: np.ndarray, pend: np.ndarray, pbin: np.ndarray, mcount: np.ndarray, pct: np.ndarray, hist: np.ndarray
) -> None:  # pragma: no cover
    """Write the open minute's latency p50/p95/p99 (ms) if it served anything, add its counts to the
    run's latency histogram ``hist`` (int64, N_BINS), and close it."""
    n = ist[I_COUNT]
    if ist[I_MINUTE] >= 0 and n > 0:
        low, high = ist[I_LOW], ist[I_HIGH]
        ranks = np.empty(6, dtype=np.int64)
        pos = np.empty(3)
        for q in range(3):
            pos[q] = PCT[q] * (n - 1)
            k = int(pos[q])
            ranks[2 * q] = k
            ranks[2 * q + 1] = min(k + 1, n - 1)
        ascending = np.sort(ranks)
        values = _order_statistics(pend, n, pbin, mcount, low, high, ascending)
        row = pct[ist[I_MINUTE]]
        for q in range(3):
            lo_v = values[np.searchsorted(ascending, ranks[2 * q])]
            hi_v = values[np.searchsorted(ascending, ranks[2 * q + 1])]
            row[q] = (lo_v + (hi_v - lo_v) * (pos[q] - ranks[2 * q])) * 1000
        for b in range(low, high + 1):
            hist[b] += mcount[b]
            mcount[b] = 0
    ist[I_MINUTE] = -1
    ist[I_COUNT] = 0


@numba.njit(cache=True, nogil=True)
def open_minute(
    minute: int,
    ist: np.ndarray,
    pend: np.ndarray,
    pbin: np.ndarray,
    mcount: np.ndarray,
    pct: np.ndarray,
    hist: np.ndarray,
) -> None:  # pragma: no cover
    """Make ``minute`` the one collecting latencies (closing the previous one)."""
    if ist[I_MINUTE] != minute:
        close_minute(ist, pend, pbin, mcount, pct, hist)
        ist[I_MINUTE] = minute
        ist[I_COUNT] = 0
