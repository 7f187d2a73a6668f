"""Queueing: exact FIFO recursions (compiled with numba) and Erlang C, the analytic reference.

The recursions are the Kiefer–Wolfowitz workload recursion for FIFO multi-server queues: each
arrival starts at ``max(arrival, earliest free slot)`` and that slot becomes free after its service.
They give exactly the waits a one-process-per-request simulation gives, at compiled speed.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "erlang_c",
    "least_outstanding_fifo",
    "mmc_mean_wait",
    "mmc_wait_quantile",
    "pooled_fifo",
    "routed_fifo",
    "token_bucket",
]


@numba.njit(cache=True, nogil=True)
def pooled_fifo(t: np.ndarray, s: np.ndarray, free: np.ndarray) -> np.ndarray:  # pragma: no cover - compiled
    """One FIFO queue in front of all slots (M/M/c when arrivals are Poisson): start times.

    ``free`` holds each slot's next free time and is updated in place.
    """
    n = t.shape[0]
    c = free.shape[0]
    start = np.empty(n)
    for i in range(n):
        j = 0
        m = free[0]
        for k in range(1, c):
            if free[k] < m:
                m = free[k]
                j = k
        st = t[i] if t[i] > m else m
        start[i] = st
        free[j] = st + s[i]
    return start


@numba.njit(cache=True, nogil=True)
def routed_fifo(t: np.ndarray, s: np.ndarray, task: np.ndarray, free: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Requests already routed to tasks; each task is a FIFO queue over its own slots.

    ``free`` is (tasks x slots) and is updated in place.
    """
    n = t.shape[0]
    k = free.shape[1]
    start = np.empty(n)
    for i in range(n):
        row = task[i]
        j = 0
        m = free[row, 0]
        for q in range(1, k):
            if free[row, q] < m:
                m = free[row, q]
                j = q
        st = t[i] if t[i] > m else m
        start[i] = st
        free[row, j] = st + s[i]
    return start


@numba.njit(cache=True, nogil=True)
def _heap_push(heap: np.ndarray, size: np.ndarray, row: int, value: float) -> None:  # pragma: no cover
    i = size[row]
    heap[row, i] = value
    size[row] = i + 1
    while i > 0:
        parent = (i - 1) // 2
        if heap[row, parent] <= heap[row, i]:
            break
        heap[row, parent], heap[row, i] = heap[row, i], heap[row, parent]
        i = parent


@numba.njit(cache=True, nogil=True)
def _heap_pop(heap: np.ndarray, size: np.ndarray, row: int) -> None:  # pragma: no cover
    last = size[row] - 1
    heap[row, 0] = heap[row, last]
    size[row] = last
    i = 0
    while True:
        left = 2 * i + 1
        if left >= last:
            break
        small = left
        if left + 1 < last and heap[row, left + 1] < heap[row, left]:
            small = left + 1
        if heap[row, i] <= heap[row, small]:
            break
        heap[row, i], heap[row, small] = heap[row, small], heap[row, i]
        i = small


@numba.njit(cache=True, nogil=True)
def least_outstanding_fifo(
    t: np.ndarray, s: np.ndarray, free: np.ndarray, ends: np.ndarray, size: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover
    """Route each arrival to the task with the fewest outstanding requests (lowest index on ties).

    ``ends``/``size`` are per-task min-heaps of outstanding completion times (grown when full);
    returns start times, chosen tasks, and the (possibly grown) heap storage.
    """
    n = t.shape[0]
    tasks, k = free.shape
    start = np.empty(n)
    chosen = np.empty(n, dtype=np.int64)
    for i in range(n):
        now = t[i]
        best = 0
        best_count = -1
        for row in range(tasks):
            while size[row] > 0 and ends[row, 0] <= now:
                _heap_pop(ends, size, row)
            if best_count < 0 or size[row] < best_count:
                best_count = size[row]
                best = row
        j = 0
        m = free[best, 0]
        for q in range(1, k):
            if free[best, q] < m:
                m = free[best, q]
                j = q
        st = now if now > m else m
        start[i] = st
        chosen[i] = best
        free[best, j] = st + s[i]
        if size[best] == ends.shape[1]:
            grown = np.empty((tasks, 2 * ends.shape[1]))
            grown[:, : ends.shape[1]] = ends
            ends = grown
        _heap_push(ends, size, best, st + s[i])
    return start, chosen, ends


@numba.njit(cache=True, nogil=True)
def token_bucket(t: np.ndarray, rate: float, burst: float, state: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Admit each arrival if a token is left (bucket of ``burst`` refilled at ``rate``/s).

    ``state`` = [tokens, time of last update], updated in place. Returns the admitted mask.
    """
    n = t.shape[0]
    ok = np.empty(n, dtype=np.bool_)
    tokens = state[0]
    last = state[1]
    for i in range(n):
        tokens = min(burst, tokens + (t[i] - last) * rate)
        last = t[i]
        if tokens >= 1.0:
            tokens -= 1.0
            ok[i] = True
        else:
            ok[i] = False
    state[0] = tokens
    state[1] = last
    return ok


@numba.njit(cache=True, nogil=True)
def erlang_c(c: int, a: float) -> float:  # pragma: no cover - compiled (also used by the fluid kernel)
    """Probability that an arrival waits in M/M/c with offered load ``a`` = lambda/mu (< c)."""
    if c <= 0 or a >= c:
        return 1.0
    term = 1.0
    total = 1.0
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c / (1 - a / c)
    return last / (total + last)


def mmc_mean_wait(c: int, lam: float, mu: float) -> float:
    """Mean time in queue of M/M/c: C(c, a) / (c mu - lambda)."""
    return erlang_c(c, lam / mu) / (c * mu - lam)


def mmc_wait_quantile(c: int, lam: float, mu: float, q: float) -> float:
    """The q-quantile of the M/M/c queueing delay: P(W > t) = C exp(-(c mu - lambda) t)."""
    pw = erlang_c(c, lam / mu)
    if pw <= 1 - q:
        return 0.0
    return math.log(pw / (1 - q)) / (c * mu - lam)
