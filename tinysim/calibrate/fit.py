"""Service-time distributions fitted to measured durations (SciPy's maximum-likelihood fits), judged
by the Kolmogorov-Smirnov distance and a Q-Q table; the empirical distribution where none fits."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from models.scenario import MAX_SERVICE_MS, ServiceTime

__all__ = ["KS_MAX", "QQ_PROBS", "Candidate", "ServiceFit", "fit_service_time"]

#: Largest KS distance at which a fitted family is used; above it the empirical distribution is kept.
KS_MAX = 0.03
#: Probabilities of the Q-Q table.
QQ_PROBS = (0.5, 0.9, 0.95, 0.99, 0.999)
#: Most samples a fit sees (a uniform subsample beyond; a fit's error is far below KS_MAX then).
FIT_SAMPLES = 50_000
#: Points kept of an empirical distribution (its quantiles at evenly spaced probabilities).
EMPIRICAL_POINTS = 1000
#: Families the simulator replays as such; the others are reported for comparison.
REPLAYABLE = ("lognormal", "exponential")
_FAMILIES = {
    "lognormal": stats.lognorm,
    "exponential": stats.expon,
    "gamma": stats.gamma,
    "weibull": stats.weibull_min,
}


@dataclass(frozen=True)
class Candidate:
    """One fitted family: SciPy's parameters (location fixed at 0), its mean and its KS distance."""

    family: str
    params: tuple[float, ...]
    mean_ms: float
    p99_ms: float
    ks: float


@dataclass(frozen=True)
class ServiceFit:
    """The chosen service time, every candidate, and the Q-Q table (probability, observed ms, fitted ms)."""

    chosen: str  # a family name or "empirical"
    spec: ServiceTime
    candidates: tuple[Candidate, ...]
    qq: tuple[tuple[float, float, float], ...]
    samples: int
    observed_mean_ms: float
    observed_p99_ms: float


def _dequantize(x: np.ndarray, resolution_s: float, rng: np.random.Generator) -> np.ndarray:
    """Spread values logged to ``resolution_s`` uniformly over their rounding interval (a value logged
    as 0.000 was somewhere in [0, 0.0005)), so that a continuous family can be fitted and tested."""
    lo = np.maximum(x - resolution_s / 2, 0.0)
    hi = x + resolution_s / 2
    return np.asarray(lo + rng.random(x.size) * (hi - lo))


def fit_service_time(samples_s: np.ndarray, mean_s: float | None = None, resolution_s: float = 0.001) -> ServiceFit:
    """Fit lognormal, exponential, gamma and Weibull (location 0) to durations in seconds.

    The replayable family (lognormal or exponential) with the smaller KS distance is chosen when that
    distance is at most :data:`KS_MAX`; otherwise the empirical distribution (its quantiles) is kept.
    ``mean_s`` (the exact mean over all requests, when the samples are a subsample) is reported as the
    observed mean. Raises ValueError with fewer than 2 positive samples.
    """
    x = np.asarray(samples_s, dtype=float)
    x = x[np.isfinite(x) & (x >= 0)]
    if x.size < 2:
        raise ValueError("fewer than two service times to fit")
    rng = np.random.default_rng(0)
    if x.size > FIT_SAMPLES:
        x = rng.choice(x, FIT_SAMPLES, replace=False)
    x = _dequantize(x, resolution_s, rng) if resolution_s > 0 else x
    x = x[x > 0]
    obs_mean_ms = 1000 * (mean_s if mean_s is not None else float(x.mean()))
    cands = []
    for name, family in _FAMILIES.items():
        params = tuple(float(p) for p in family.fit(x, floc=0))
        frozen = family(*params)
        ks = float(stats.kstest(x, frozen.cdf).statistic)
        cands.append(Candidate(name, params, 1000 * float(frozen.mean()), 1000 * float(frozen.ppf(0.99)), ks))
    best = min((c for c in cands if c.family in REPLAYABLE), key=lambda c: c.ks)
    probs = np.asarray(QQ_PROBS)
    observed = 1000 * np.quantile(x, probs)
    if best.ks <= KS_MAX:
        spec = _spec_of(best)
        fitted = 1000 * _FAMILIES[best.family](*best.params).ppf(probs)
        chosen = best.family
    else:
        points = np.quantile(x, (np.arange(EMPIRICAL_POINTS) + 0.5) / EMPIRICAL_POINTS) * 1000
        spec = ServiceTime(dist="empirical", mean=float(points.mean()), samples=tuple(float(p) for p in points))
        fitted = np.quantile(points, probs)
        chosen = "empirical"
    qq = tuple((float(p), float(o), float(f)) for p, o, f in zip(probs, observed, fitted, strict=True))
    return ServiceFit(chosen, spec, tuple(cands), qq, int(x.size), obs_mean_ms, float(observed[3]))


def _spec_of(c: Candidate) -> ServiceTime:
    if c.family == "lognormal":
        sigma = c.params[0]  # scipy's lognorm(s, loc, scale): s is the shape sigma, scale = exp(mu)
        mean_ms = round(min(c.mean_ms, MAX_SERVICE_MS), 3)
        return ServiceTime(dist="lognormal", mean=mean_ms, sigma=round(min(sigma, 5.0), 4))
    return ServiceTime(dist="exponential", mean=round(min(c.mean_ms, MAX_SERVICE_MS), 3))
