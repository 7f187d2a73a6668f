"""Exact per-minute latency percentiles in linear time.

A minute's served latencies are kept as they come; each is also counted in a coarse bucket taken
from its bit pattern (for non-negative doubles the bits order as the values do; 7 mantissa bits
give buckets 0.8% wide). When the minute closes, one scan of the bucket counts finds the bucket
holding each wanted order statistic, one pass gathers the few values in those buckets, and a
sort of those alone gives the order statistics exactly. p50, p95 and p99 then interpolate
linearly between order statistics, as ``numpy.percentile`` does.

State: ``ist`` int64 [open minute, its count, (unused), lowest bucket, highest bucket];
``pend`` the minute's latencies (seconds); ``pcount`` int64 (N_KEYS,) bucket counts.
"""

from __future__ import annotations

import numba
import numpy as np

from tinysim.float_bits import float_bits

__all__ = ["N_KEYS", "close_minute", "collect", "open_minute"]

SHIFT = 45  # keep the sign, the 11 exponent bits and the top 7 mantissa bits
KEY_LO = int(np.array(1e-7).view(np.int64)) >> SHIFT  # shorter latencies share the first bucket
KEY_HI = int(np.array(1e6).view(np.int64)) >> SHIFT  # longer ones the last
N_KEYS = KEY_HI - KEY_LO + 1
PCT = (0.50, 0.95, 0.99)
I_MINUTE, I_COUNT, I_LOW, I_HIGH = 0, 1, 3, 4


@numba.njit(cache=True, nogil=True, inline="always")
def _key(bits: int) -> int:  # pragma: no cover - compiled
    k = (bits >> SHIFT) - KEY_LO
    if k < 0:
        return 0
    if k >= N_KEYS:
        return N_KEYS - 1
    return k


@numba.njit(cache=True, nogil=True, inline="always")
def collect(
    lat: float, pend: np.ndarray, pcount: np.ndarray, count: int, low: int, high: int
) -> tuple[int, int, int]:  # pragma: no cover - compiled
    """Keep a served latency (s) of the open minute: ``pend[count] = lat`` and its bucket counted.
    Takes and returns the minute's count and lowest and highest buckets (``ist[1]``, ``ist[3]``,
    ``ist[4]``, kept in registers by the caller)."""
    pend[count] = lat
    k = _key(float_bits(lat))
    pcount[k] += 1
    if count == 0:
        return 1, k, k
    return count + 1, min(low, k), max(high, k)


@numba.njit(cache=True, nogil=True)
def _order_statistics(
    pend: np.ndarray, n: int, pcount: np.ndarray, low: int, high: int, ranks: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """The values of the given ascending ranks among ``pend[:n]``."""
    m = ranks.shape[0]
    bucket = np.empty(m, dtype=np.int64)
    below = np.empty(m, dtype=np.int64)  # values in lower buckets
    r = 0
    cum = 0
    for k in range(low, high + 1):
        c = pcount[k]
        while r < m and ranks[r] < cum + c:
            bucket[r] = k
            below[r] = cum
            r += 1
        cum += c
    # the distinct target buckets (ascending) and their values
    size = 0
    first = np.empty(m, dtype=np.int64)
    for j in range(m):
        if j == 0 or bucket[j] != bucket[j - 1]:
            size += pcount[bucket[j]]
    gathered = np.empty(size)
    start = np.empty(m, dtype=np.int64)
    fill = np.empty(m, dtype=np.int64)
    off = 0
    t = -1
    for j in range(m):
        if j == 0 or bucket[j] != bucket[j - 1]:
            t += 1
            start[t] = off
            fill[t] = off
            first[t] = bucket[j]
            off += pcount[bucket[j]]
    targets = t + 1
    # per bucket from low to high: 1 + its target's index, 0 for the others (most values), so the
    # scan branches only on the few values it keeps
    mark = np.zeros(high - low + 1, dtype=np.int64)
    for q in range(targets):
        mark[first[q] - low] = q + 1
    for i in range(n):
        q = mark[_key(float_bits(pend[i])) - low] - 1
        if q >= 0:
            gathered[fill[q]] = pend[i]
            fill[q] += 1
    for q in range(targets):
        gathered[start[q] : fill[q]] = np.sort(gathered[start[q] : fill[q]])
    out = np.empty(m)
    t = -1
    for j in range(m):
        if j == 0 or bucket[j] != bucket[j - 1]:
            t += 1
        out[j] = gathered[start[t] + ranks[j] - below[j]]
    return out


@numba.njit(cache=True, nogil=True)
def close_minute(ist: np.ndarray, pend: np.ndarray, pcount: np.ndarray, pct: np.ndarray) -> None:  # pragma: no cover
    """Write the open minute's latency p50/p95/p99 (ms) if it served anything, and close it."""
    n = ist[I_COUNT]
    if ist[I_MINUTE] >= 0 and n > 0:
        ranks = np.empty(6, dtype=np.int64)
        pos = np.empty(3)
        for q in range(3):
            pos[q] = PCT[q] * (n - 1)
            k = int(pos[q])
            ranks[2 * q] = k
            ranks[2 * q + 1] = min(k + 1, n - 1)
        ascending = np.sort(ranks)
        values = _order_statistics(pend, n, pcount, ist[I_LOW], ist[I_HIGH], ascending)
        row = pct[ist[I_MINUTE]]
        for q in range(3):
            lo_v = values[np.searchsorted(ascending, ranks[2 * q])]
            hi_v = values[np.searchsorted(ascending, ranks[2 * q + 1])]
            row[q] = (lo_v + (hi_v - lo_v) * (pos[q] - ranks[2 * q])) * 1000
        pcount[ist[I_LOW] : ist[I_HIGH] + 1] = 0
    ist[I_MINUTE] = -1
    ist[I_COUNT] = 0


@numba.njit(cache=True, nogil=True)
def open_minute(
    minute: int, ist: np.ndarray, pend: np.ndarray, pcount: np.ndarray, pct: np.ndarray
) -> None:  # pragma: no cover
    """Make ``minute`` the one collecting latencies (closing the previous one)."""
    if ist[I_MINUTE] != minute:
        close_minute(ist, pend, pcount, pct)
        ist[I_MINUTE] = minute
        ist[I_COUNT] = 0
