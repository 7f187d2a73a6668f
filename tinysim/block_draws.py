"""One block's requests from the block's own generator: arrival times, service times, dispatch uniforms.

The order of the draws is fixed, so a seed always gives the same requests: the arrival times (given,
or ``counts.sum() + secs.size`` exponentials, :mod:`tinysim.arrival_times`), then one service time
per request, then, for random dispatch only, one uniform per request. Exponential, constant and
lognormal service times are drawn with the generator running inline (:mod:`tinysim.raw_draws`);
a sampled distribution draws through NumPy's ``Generator`` methods. Both give the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from tinysim.arrival_times import sorted_within_seconds
from tinysim.distributions import Distribution
from tinysim.libm_exp import matches_libm
from tinysim.pcg64 import pcg64_words
from tinysim.raw_draws import SERVICE_KINDS, arrival_times, service_times, uniforms

__all__ = ["Arrivals", "draw_block"]


@dataclass(frozen=True)
class Arrivals:
    """Requests of a stretch of time: arrival times, service times and a uniform for dispatch."""

    t: np.ndarray
    service_s: np.ndarray
    u: np.ndarray

    def __len__(self) -> int:
        return int(self.t.size)

    def take(self, mask: np.ndarray | slice) -> Arrivals:
        return Arrivals(self.t[mask], self.service_s[mask], self.u[mask] if self.u.size else self.u)

    @staticmethod
    def concat(parts: list[Arrivals]) -> Arrivals:
        if len(parts) == 1:
            return parts[0]
        return Arrivals(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("t", "service_s", "u")))


@dataclass(frozen=True)
class Seconds:
    """How many requests arrive in each second of a block: ``counts`` (int64) at ``secs`` (s, float)."""

    secs: np.ndarray
    counts: np.ndarray


def draw_block(
    rng: np.random.Generator,
    arrivals: Seconds | np.ndarray,
    service: Distribution,
    horizon_s: float,
    with_uniforms: bool,
) -> Arrivals:
    """The block's requests before ``horizon_s``: ``arrivals`` gives the count of each second (times
    uniform within it) or the sorted times themselves; ``with_uniforms`` draws a dispatch uniform
    per request (only random dispatch reads them; left out, no other number changes)."""
    n = int(arrivals.counts.sum()) if isinstance(arrivals, Seconds) else int(arrivals.size)
    if n == 0:
        return Arrivals(np.empty(0), np.empty(0), np.empty(0))
    kind = SERVICE_KINDS.get(service.kind)
    # inline only if every draw of the block can be: the inline draws leave ``rng`` where it was
    words = pcg64_words(rng) if kind is not None else None
    if not isinstance(arrivals, Seconds):
        t = arrivals
    elif words is not None:
        t = arrival_times(words, arrivals.counts, arrivals.secs)
    else:
        t = np.asarray(sorted_within_seconds(rng, arrivals.counts, arrivals.secs))
    t = t[: int(t.searchsorted(horizon_s))]
    if words is None or kind is None:
        return Arrivals(t, service.sample(rng, t.size), rng.random(t.size) if with_uniforms else np.empty(0))
    mu = service.lognormal_mu if kind == SERVICE_KINDS["lognormal"] else 0.0
    service_s = service_times(words, kind, service.mean_s, mu, service.sigma, t.size, matches_libm())
    return Arrivals(t, service_s, uniforms(words, t.size) if with_uniforms else np.empty(0))
