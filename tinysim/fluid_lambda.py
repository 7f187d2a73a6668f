"""Lambda as a fluid: concurrency = rate x duration (Little's law) per step; environments are kept for the
idle TTL (the peak need over it, at least the provisioned ones); more are cold-started when needed, as
fast as the function's scaling rule allows, up to the concurrency limit; the rest is throttled.

Scaling rules (docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html): since November 2023 1,000 new
environments per 10 s per function (unused rate not carried over); before that (``lambda_scaling:
legacy``) a burst of 3,000, then 500 more per minute (a bucket of 3,000 refilled at 500/min, as the
request engine's Lambda pool keeps it). Environments started within a step serve from when they start:
a step's concurrency is its mean over the step.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from tinysim.compute.lambda_scaling import LEGACY_BURST, LEGACY_PER_MINUTE, NEW_PER_WINDOW, WINDOW_S
from tinysim.fluid_container import admit
from tinysim.fluid_latency import cold_latency
from tinysim.fluid_record import Record

__all__ = ["lambda_kernel"]


@numba.njit(cache=True, nogil=True, inline="always")
def _current_new(deficit: float, t0: float, dt: float) -> tuple[float, float]:  # pragma: no cover - compiled
    """Environments started within a step from ``t0`` (mean over the step, and by its end) when ``deficit``
    are wanted: up to 1,000 more in each 10-s window (windows from time 0, as the request engine counts).
    A step shorter than a window gets its share of the window's 1,000, all at its start."""
    if dt < WINDOW_S:
        total = min(deficit, NEW_PER_WINDOW * dt / WINDOW_S)
        return total, total
    total = acc = 0.0
    t = t0
    while t < t0 + dt:
        end = min(t0 + dt, (math.floor(t / WINDOW_S) + 1) * WINDOW_S)
        total = min(deficit, total + NEW_PER_WINDOW)
        acc += total * (end - t)
        t = end
    return acc / dt, total


@numba.njit(cache=True, nogil=True, inline="always")
def _legacy_new(deficit: float, tokens: float, per_s: float, dt: float) -> tuple[float, float]:  # pragma: no cover
    """The same under the legacy rule: the bucket's ``tokens`` at once, then ``per_s`` more each second."""
    if tokens >= deficit:
        return deficit, deficit
    if tokens + per_s * dt <= deficit:
        return tokens + per_s * dt / 2, tokens + per_s * dt
    until = (deficit - tokens) / per_s  # when the deficit is met
    return (tokens * until + per_s * until * until / 2 + deficit * (dt - until)) / dt, deficit


@numba.njit(cache=True, nogil=True)
def lambda_kernel(p: Record, lam: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """Run the function described by record ``p`` (``FLUID_RECORD``) on the step rates ``lam``; fills
    ``out`` (steps x 20: every column of every row but the latency quantiles 4-6)."""
    n, dt = lam.shape[0], p.dt
    alive = float(p.provisioned)
    recent = np.zeros(n)
    # steps of the idle TTL window whose ``recent`` may still be its maximum, largest first
    # (a monotonic queue: O(1) per step however long the TTL)
    window = np.empty(n, dtype=np.int64)
    head = tail = 0
    bucket = np.array([p.throttle_burst])
    tokens = LEGACY_BURST
    for i in range(n):
        offered = lam[i] * dt
        admitted = admit(offered, dt, p.throttle_rps, p.throttle_burst, bucket)
        rate = admitted / dt
        need = rate * p.mean_s
        while head < tail and window[head] < i - p.ttl_steps:
            head += 1
        keep = float(p.provisioned)
        if head < tail:
            keep = max(keep, recent[window[head]])
        alive = min(alive, keep)
        deficit = max(0.0, min(need, float(p.limit)) - alive)
        if p.legacy_scaling:
            mean_new, cold = _legacy_new(deficit, tokens, LEGACY_PER_MINUTE / 60, dt)
            tokens = min(LEGACY_BURST, tokens + LEGACY_PER_MINUTE * dt / 60 - cold)
        else:
            mean_new, cold = _current_new(deficit, i * dt, dt)
        conc = min(need, alive + mean_new)  # environments started within the step serve from then on
        alive += cold
        served_rate = rate if need <= 0 else rate * conc / need
        recent[i] = alive
        while head < tail and recent[window[tail - 1]] <= alive:
            tail -= 1
        window[tail] = i
        tail += 1
        lambda_thr = (rate - served_rate) * dt
        late = served_rate * dt if p.mean_s + p.overhead_s > p.timeout_s else 0.0
        out[i, 0] = offered
        out[i, 1] = served_rate * dt - late
        out[i, 2] = offered - admitted + lambda_thr
        out[i, 3] = late
        cold_latency(out, i, cold / max(served_rate * dt, 1e-12), p.init_s, p.mean_s, p.overhead_s)
        out[i, 14] = conc
        out[i, 12] = cold  # cold starts this step
        out[i, 13] = lambda_thr
        out[i, 8] = out[i, 9] = out[i, 10] = out[i, 11] = out[i, 15] = 0.0  # the container stack's columns
