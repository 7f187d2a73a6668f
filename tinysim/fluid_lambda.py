"""Lambda as a fluid: concurrency = rate x duration (Little's law) per step; environments are kept for the
idle TTL (the peak need over it, at least the provisioned ones); more are cold-started when needed, as
fast as the function's scaling rule allows, up to the concurrency limit; the rest is throttled.

Scaling rules (docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html): since November 2023 1,000 new
environments per 10 s per function (unused rate not carried over); before that (``lambda_scaling:
legacy``) a burst of 3,000, then 500 more per minute (a bucket of 3,000 refilled at 500/min, as the
request engine's Lambda pool keeps it).
"""

from __future__ import annotations

import numba
import numpy as np

from tinysim.fluid_container import admit
from tinysim.fluid_latency import cold_latency
from tinysim.fluid_record import Record

__all__ = ["LEGACY_BURST", "LEGACY_PER_MINUTE", "NEW_PER_10_S", "lambda_kernel"]

NEW_PER_10_S = 1000.0
LEGACY_BURST = 3000.0
LEGACY_PER_MINUTE = 500.0


@numba.njit(cache=True, nogil=True)
def lambda_kernel(p: Record, lam: np.ndarray, out: np.ndarray) -> None:  # pragma: no cover
    """Run the function described by record ``p`` (``FLUID_RECORD``) on the step rates ``lam``; fills
    ``out`` (steps x 20)."""
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
        cold = max(0.0, min(need, float(p.limit)) - alive)
        if p.legacy_scaling:
            tokens = min(LEGACY_BURST, tokens + LEGACY_PER_MINUTE * dt / 60)
            cold = min(cold, tokens)
            tokens -= cold
        else:
            cold = min(cold, NEW_PER_10_S * dt / 10)
        alive += cold
        conc = min(need, alive)
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
