"""A NumPy-only reference kernel: the practical speed limit of vectorised NumPy on a request-level
month, for the engine benchmark to show its own time against.

It does the unavoidable work of a request-level run with NumPy alone, block by block: the same
draws as tinysim (per-second Poisson counts, exponentials for the sorted arrival times, lognormal
service times, from the same per-block generators), the vectorised sorted-within-seconds
construction, a FIFO recursion vectorised per worker slot (requests dealt round robin to the
``tasks x slots`` slots, each slot a single-server Lindley recursion in closed form:
end_n = S_n + max_k (a_k - S_{k-1}) with S the cumulative service), and per-minute request counts,
mean latency and exact p50/p95/p99. It is a cost reference, not the same model (tinysim queues
each task's requests over all its slots), so its results are not compared with tinysim's.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

__all__ = ["ReferenceResult", "arrival_times_numpy", "numpy_month"]


@dataclass(frozen=True)
class ReferenceResult:
    requests: int
    mean_latency_ms: float
    p99_ms_median_minute: float


def arrival_times_numpy(rng: np.random.Generator, secs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Sorted arrival times, ``counts[j]`` in second ``secs[j]``, vectorised: partial sums of
    exponentials over each second's total."""
    total = int(counts.sum())
    e = rng.standard_exponential(total + secs.size)
    cs = np.cumsum(e)
    ends = np.cumsum(counts + 1) - 1
    starts = ends - counts
    before = np.where(starts > 0, cs[np.maximum(starts - 1, 0)], 0.0)
    span = cs[ends] - before
    keep = np.ones(cs.size, dtype=bool)
    keep[ends] = False
    owner = np.repeat(np.arange(secs.size), counts)
    return np.asarray(secs[owner] + (cs[keep] - before[owner]) / span[owner])


def numpy_month(
    rps: float, mean_s: float, sigma: float, slots: int, horizon_s: int, seed: int, block_s: int = 600
) -> ReferenceResult:
    """Constant ``rps`` Poisson traffic, lognormal service (mean ``mean_s``, shape ``sigma``) on
    ``slots`` worker slots for ``horizon_s`` seconds."""
    mu = math.log(mean_s) - sigma**2 / 2
    free = np.zeros(slots)
    n_min = math.ceil(horizon_s / 60)
    p99 = np.full(n_min, np.nan)
    total_latency = 0.0
    requests = 0
    for b in range(math.ceil(horizon_s / block_s)):
        rng = np.random.default_rng([seed, b])
        secs = np.arange(b * block_s, min((b + 1) * block_s, horizon_s), dtype=float)
        counts = rng.poisson(np.full(secs.size, rps))
        t = arrival_times_numpy(rng, secs, counts)
        s = rng.lognormal(mu, sigma, t.size)
        latency = np.empty(t.size)
        for j in range(slots):
            a, sj = t[j::slots], s[j::slots]
            if a.size == 0:
                continue
            cum = np.cumsum(sj)
            prev = np.concatenate(([0.0], cum[:-1]))
            first = a - prev
            first[0] = max(a[0], free[j])
            end = cum + np.maximum.accumulate(first)
            latency[j::slots] = end - a
            free[j] = end[-1]
        total_latency += float(latency.sum())
        requests += t.size
        cuts = np.searchsorted(t, np.arange(secs[0], secs[-1] + 61, 60.0))
        for m in range(cuts.size - 1):
            part = latency[cuts[m] : cuts[m + 1]]
            if part.size:
                p99[int(secs[0] // 60) + m] = np.percentile(part, 99) * 1000
    return ReferenceResult(requests, total_latency / max(requests, 1) * 1000, float(np.nanmedian(p99)))
