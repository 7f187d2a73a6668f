"""Service-time distributions: objects with ``sample(rng, n)`` in seconds and an analytic mean."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from models.scenario import ServiceTime
from tinysim.draws import exponentials, lognormals

__all__ = ["Distribution", "from_spec"]

Z99 = 2.3263478740408408  # standard normal 0.99 quantile


@dataclass(frozen=True)
class Distribution:
    """A positive distribution of durations (seconds)."""

    kind: str
    mean_s: float
    sigma: float = 0.0  # lognormal shape
    samples_s: tuple[float, ...] = ()

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` durations (s): the numbers NumPy's ``rng.exponential``/``rng.lognormal``/``rng.choice``
        give, drawn in compiled code where :mod:`tinysim.draws` has them."""
        if self.kind == "exponential":
            return exponentials(rng, self.mean_s, n)
        if self.kind == "constant":
            return np.full(n, self.mean_s)
        if self.kind == "lognormal":
            return lognormals(rng, self.lognormal_mu, self.sigma, n)
        return rng.choice(np.asarray(self.samples_s), n)

    @property
    def lognormal_mu(self) -> float:
        """The underlying normal's mean for a lognormal of mean ``mean_s`` and shape ``sigma``."""
        return math.log(self.mean_s) - self.sigma**2 / 2

    @property
    def scv(self) -> float:
        """Squared coefficient of variation (1 for exponential), used by the fluid model."""
        if self.kind == "exponential":
            return 1.0
        if self.kind == "constant":
            return 0.0
        if self.kind == "lognormal":
            return math.exp(self.sigma**2) - 1
        arr = np.asarray(self.samples_s)
        return float(arr.var() / arr.mean() ** 2)


def _sigma_from_p99(mean: float, p99: float) -> float:
    """Lognormal shape with the given mean and 99th percentile: solve s^2/2 - z s + ln(p99/mean) = 0."""
    r = math.log(p99 / mean)
    disc = Z99**2 - 2 * r
    if disc < 0:  # the largest p99/mean ratio a lognormal can have for this mean
        return Z99
    return Z99 - math.sqrt(disc)


def from_spec(spec: ServiceTime) -> Distribution:
    """The distribution a scenario's ``workload.service_time_ms`` describes."""
    mean_s = spec.mean / 1000
    if spec.dist == "lognormal":
        sigma = spec.sigma if spec.sigma is not None else _sigma_from_p99(spec.mean, spec.p99 or 3 * spec.mean)
        return Distribution("lognormal", mean_s, sigma=sigma)
    if spec.dist == "empirical":
        samples = tuple(x / 1000 for x in spec.samples or ())
        return Distribution("empirical", float(np.mean(samples)), samples_s=samples)
    return Distribution(spec.dist, mean_s)
