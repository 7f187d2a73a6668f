"""Queueing: compiled pieces of the exact FIFO recursions (per-task heaps of outstanding
completions, the API Gateway token bucket) and Erlang C, the analytic reference.

The recursion itself is the Kiefer–Wolfowitz workload recursion for FIFO multi-server queues: each
arrival starts at ``max(arrival, earliest free slot)`` and that slot becomes free after its service.
It runs inside the fused window (``tinysim.compute.ecs_window``), request by request, and gives
exactly the waits a one-process-per-request simulation gives.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "erlang_c",
    "heap_pop",
    "heap_push",
    "mmc_mean_wait",
    "mmc_wait_quantile",
    "token_bucket",
]


@numba.njit(cache=True, nogil=True)
def heap_push(heap: np.ndarray, size: np.ndarray, row: int, value: float) -> None:  # pragma: no cover
    """Push ``value`` on row ``row``'s min-heap (``size[row]`` values, capacity ``heap.shape[1]``)."""
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
def heap_pop(heap: np.ndarray, size: np.ndarray, row: int) -> None:  # pragma: no cover
    """Drop the smallest value of row ``row``'s min-heap."""
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
