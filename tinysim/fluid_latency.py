"""Latency in the fluid kernel: each step's wait distribution and mean latency, and the served share that
misses the front door's timeout.

The queue a request waits in follows the service's dispatch (:func:`dispatch_queue`, as the request
engine's ``tinysim.compute.ecs_window`` dispatches). Without a backlog the wait in that queue is Allen and
Cunneen's G/G/c approximation: P(W > t) = pw exp(-t (c mu - lambda) / k), pw Erlang C's probability of
waiting and k = (ca^2 + cs^2) / 2 (arrival and service SCV; exact for M/M/c, Kingman's mean for c = 1);
with a backlog every request waits the backlog's drain time. The latency quantiles follow from that wait
and the service time (:mod:`tinysim.fluid_quantiles`).

Sources: A. O. Allen, *Probability, Statistics, and Queueing Theory* (2nd ed., 1990), eq. 6.52
(W_q(G/G/c) ~ W_q(M/M/c) (ca^2 + cs^2) / 2); J. F. C. Kingman, "The single server queue in heavy traffic"
(1961); W. Whitt, "Approximations for the GI/G/m queue" (1993), for the exponential conditional wait.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "CENTRAL_QUEUE",
    "LEAST_OUTSTANDING",
    "RANDOM",
    "ROUND_ROBIN",
    "cold_latency",
    "dispatch_queue",
    "step_latency",
    "wait_quantile",
    "weighted_quantile",
]

#: ``DISPATCH_CODES`` of ``tinysim.compute.ecs_window`` (kept equal by a test).
ROUND_ROBIN, RANDOM, LEAST_OUTSTANDING, CENTRAL_QUEUE = 0, 1, 2, 3


@numba.njit(cache=True, nogil=True, inline="always")
def dispatch_queue(dispatch: int, tasks: int, slots: int, rate: float) -> tuple[int, float, float]:  # pragma: no cover
    """The queue one request waits in, as ``(servers, arrival rate /s, arrival SCV)``, for ``tasks``
    serving tasks of ``slots`` slots each offered ``rate`` requests/s (Poisson).

    - ``round_robin``: each task is its own FIFO queue of ``slots`` servers fed every ``tasks``-th
      arrival: interarrival times are Erlang-``tasks`` (the sum of ``tasks`` exponentials), SCV 1/tasks;
    - ``random``: each task is its own queue fed by a Bernoulli split of a Poisson stream, itself Poisson
      (SCV 1) of rate ``rate / tasks``;
    - ``central_queue``: one FIFO queue in front of every slot, M/G/(tasks x slots) exactly;
    - ``least_outstanding``: join-the-shortest-queue, approximated by the pooled queue (JSQ's waits lie
      close to the central queue's: W. Winston, "Optimality of the shortest line discipline", J. Appl.
      Prob. 14 (1977); J. Foschini and J. Salz, "A basic dynamic routing problem and diffusion",
      IEEE Trans. Commun. 26 (1978), JSQ is asymptotically the pooled queue in heavy traffic).
    """
    if dispatch in (ROUND_ROBIN, RANDOM) and tasks > 1:
        return slots, rate / tasks, (1.0 / tasks if dispatch == ROUND_ROBIN else 1.0)
    return tasks * slots, rate, 1.0


@numba.njit(cache=True, nogil=True)
def wait_quantile(
    pw: float, c: int, lam: float, mu: float, scv: float, q: float, arrival_scv: float = 1.0
) -> float:  # pragma: no cover
    """Allen–Cunneen wait quantile (s) of a G/G/c queue (exact for M/M/c when both SCVs are 1), given the
    probability of waiting ``pw`` (Erlang C)."""
    if lam <= 0 or pw <= 1 - q:
        return 0.0
    return math.log(pw / (1 - q)) * (arrival_scv + scv) / 2 / (c * mu - lam)


@numba.njit(cache=True, nogil=True, inline="always")
def step_latency(
    out: np.ndarray,
    i: int,
    pw: float,
    backlog_wait_s: float,
    spare_rate: float,
    k: float,
    mean_s: float,
    overhead_s: float,
    timeout_s: float,
) -> float:  # pragma: no cover - compiled
    """Write step ``i``'s wait (columns 16-19, see :mod:`tinysim.fluid_quantiles`) and mean latency (ms,
    column 7); return the share of its requests that miss ``timeout_s`` (0 or 1: the step's mean latency
    against the timeout).

    ``pw`` is Erlang C's probability of waiting, ``spare_rate`` = c mu - lambda (requests/s) of the queue
    a request waits in (:func:`dispatch_queue`) and ``k`` = (ca^2 + cs^2) / 2 its Allen–Cunneen factor when
    there is no backlog; with one, ``backlog_wait_s`` > 0 is everyone's wait."""
    pa = theta = d0 = 0.0
    wmean = 0.0
    if backlog_wait_s > 0:
        d0 = wmean = backlog_wait_s
    elif pw > 0 and spare_rate > 0:
        pa = pw
        theta = spare_rate / k
        wmean = pw / theta
    out[i, 16], out[i, 17], out[i, 18], out[i, 19] = pa, theta, d0, 0.0
    out[i, 7] = 1000 * (wmean + mean_s + overhead_s)
    return 1.0 if wmean + mean_s + overhead_s > timeout_s else 0.0


@numba.njit(cache=True, nogil=True, inline="always")
def cold_latency(
    out: np.ndarray, i: int, cold_share: float, init_s: float, mean_s: float, overhead_s: float
) -> None:  # pragma: no cover - compiled
    """Write a Lambda step's wait (the cold-started share waits INIT) and mean latency (ms, column 7)."""
    share = min(1.0, cold_share)
    out[i, 16], out[i, 17], out[i, 18], out[i, 19] = share, 0.0, 0.0, init_s
    out[i, 7] = 1000 * (mean_s + overhead_s + share * init_s)


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
