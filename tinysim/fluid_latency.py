"""Latency in the fluid kernel: each step's p50, p95, p99 and mean (ms) from its wait and the service
time, and the served share that misses the front door's timeout.

Without a backlog the wait is Erlang C's: P(W > t) = pw exp(-t (c mu - lambda) / k) with k = (1 + SCV)/2
(Allen–Cunneen; exact for M/M/c); with a backlog every request waits the backlog's drain time. A latency
quantile is taken as the wait quantile plus the service-time quantile (an upper bound: the two are not
comonotone).
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["cold_latency", "step_latency", "wait_quantile", "weighted_quantile"]

_LN = (0.6931471805599453, 2.995732273553991, 4.605170185988091)  # -ln(0.5), -ln(0.05), -ln(0.01)


@numba.njit(cache=True, nogil=True)
def wait_quantile(pw: float, c: int, lam: float, mu: float, scv: float, q: float) -> float:  # pragma: no cover
    """Allen–Cunneen wait quantile of a G/G/c queue (exact for M/M/c when ``scv`` = 1), given the
    probability of waiting ``pw`` (Erlang C)."""
    if lam <= 0 or pw <= 1 - q:
        return 0.0
    return math.log(pw / (1 - q)) * (1 + scv) / 2 / (c * mu - lam)


@numba.njit(cache=True, nogil=True)
def step_latency(
    out: np.ndarray,
    i: int,
    pw: float,
    backlog_wait_s: float,
    spare_rate: float,
    scv: float,
    mean_s: float,
    overhead_s: float,
    timeout_s: float,
    svc_q: np.ndarray,
) -> float:  # pragma: no cover - compiled
    """Write step ``i``'s latency p50, p95, p99 and mean (ms, columns 4-7) and return the share of its
    requests that miss ``timeout_s`` (0 or 1: the step's mean latency against the timeout).

    ``pw`` is Erlang C's probability of waiting and ``spare_rate`` = c mu - lambda (requests/s) when there
    is no backlog; with one, ``backlog_wait_s`` > 0 is everyone's wait."""
    qs = np.zeros(3)
    if backlog_wait_s > 0:
        qs[:] = backlog_wait_s
        wmean = backlog_wait_s
    else:
        wmean = 0.0
        if pw > 0 and spare_rate > 0:
            scale = (1 + scv) / 2 / spare_rate
            wmean = pw * scale
            for k in range(3):
                if pw > math.exp(-_LN[k]):
                    qs[k] = (math.log(pw) + _LN[k]) * scale
    for k in range(3):
        out[i, 4 + k] = 1000 * (qs[k] + svc_q[k] + overhead_s)
    out[i, 7] = 1000 * (wmean + mean_s + overhead_s)
    return 1.0 if wmean + mean_s + overhead_s > timeout_s else 0.0


@numba.njit(cache=True, nogil=True)
def cold_latency(
    out: np.ndarray, i: int, cold_share: float, init_s: float, mean_s: float, overhead_s: float, svc_q: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Write a Lambda step's latency columns: a quantile includes INIT when more than its tail share of
    requests started cold."""
    tails = (0.5, 0.05, 0.01)
    for k in range(3):
        out[i, 4 + k] = 1000 * (svc_q[k] + overhead_s + (init_s if cold_share > tails[k] else 0.0))
    out[i, 7] = 1000 * (mean_s + overhead_s + min(1.0, cold_share) * init_s)


@numba.njit(cache=True, nogil=True)
def _bin(v: float) -> int:  # pragma: no cover - compiled
    """Geometric bin of a positive value: 1,024 bins per octave (0.07% wide), from its float exponent."""
    m, e = math.frexp(v)
    return (e + 1100) * 1024 + int((m - 0.5) * 2048.0)


@numba.njit(cache=True, nogil=True)
def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:  # pragma: no cover
    """The q-quantile of ``values`` weighted by ``weights`` (NaN when nothing is weighted), from
    geometric bins 0.07% wide: no sort, no logarithm."""
    lo_bin = 1 << 30
    hi_bin = -1
    total = 0.0
    hi = 0.0
    for i in range(values.shape[0]):
        v = values[i]
        if weights[i] > 0 and v > 0 and np.isfinite(v):
            b = _bin(v)
            lo_bin = min(lo_bin, b)
            hi_bin = max(hi_bin, b)
            hi = max(hi, v)
            total += weights[i]
    if total <= 0:
        return np.nan
    hist = np.zeros(hi_bin - lo_bin + 1)
    for i in range(values.shape[0]):
        v = values[i]
        if weights[i] > 0 and v > 0 and np.isfinite(v):
            hist[_bin(v) - lo_bin] += weights[i]
    target = q * total
    acc = 0.0
    for k in range(hist.shape[0]):
        acc += hist[k]
        if acc >= target:
            b = lo_bin + k
            e = b // 1024 - 1100
            m = 0.5 + ((b % 1024) + 0.5) / 2048.0
            return float(min(math.ldexp(m, e), hi))
    return float(hi)
