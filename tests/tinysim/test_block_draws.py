"""A block drawn with the inlined generator is the block NumPy's ``Generator`` methods draw: arrival
times, service times and dispatch uniforms, for every service-time kind, counts or given times, and a
horizon that ends inside the block."""

from __future__ import annotations

import numpy as np
import pytest

from tinysim.arrival_times import sorted_within_seconds
from tinysim.block_draws import Seconds, draw_block
from tinysim.distributions import Distribution
from tinysim.draws import exponentials, lognormals

SERVICES = [
    Distribution("exponential", 0.02),
    Distribution("constant", 0.015),
    Distribution("lognormal", 0.03, sigma=0.8),
    Distribution("samples", 0.02, samples_s=(0.01, 0.02, 0.03)),
]


def _by_methods(
    rng: np.random.Generator,
    counts: np.ndarray,
    secs: np.ndarray,
    service: Distribution,
    horizon_s: float,
    with_u: bool,
) -> tuple[np.ndarray, ...]:
    """The block as the Generator's methods give it, written out here independently."""
    t = sorted_within_seconds(rng, counts, secs)
    t = t[t < horizon_s]
    if service.kind == "exponential":
        s = exponentials(rng, service.mean_s, t.size)
    elif service.kind == "lognormal":
        s = lognormals(rng, np.log(service.mean_s) - service.sigma**2 / 2, service.sigma, t.size)
    elif service.kind == "constant":
        s = np.full(t.size, service.mean_s)
    else:
        s = rng.choice(np.asarray(service.samples_s), t.size)
    return t, s, rng.random(t.size) if with_u else np.empty(0)


@pytest.mark.parametrize("service", SERVICES, ids=lambda d: d.kind)
@pytest.mark.parametrize("with_u", [True, False])
@pytest.mark.parametrize("horizon_s", [1e9, 1_234.5])  # beyond the block, or inside its last seconds
def test_block_equals_the_generator_methods(service: Distribution, with_u: bool, horizon_s: float) -> None:
    secs = np.arange(1_200.0, 1_260.0)
    counts = np.random.default_rng(1).poisson(80.0, secs.size).astype(np.int64)
    got = draw_block(np.random.default_rng([5, 2]), Seconds(secs, counts), service, horizon_s, with_u)
    want = _by_methods(np.random.default_rng([5, 2]), counts, secs, service, horizon_s, with_u)
    for a, b in zip((got.t, got.service_s, got.u), want, strict=True):
        assert np.array_equal(a, b)
    assert got.t.size == (counts.sum() if horizon_s > 2_000 else np.count_nonzero(got.t < horizon_s))


def test_given_times_draw_only_service_and_uniforms() -> None:
    times = np.sort(np.random.default_rng(4).random(500)) * 60
    service = SERVICES[2]
    got = draw_block(np.random.default_rng(8), times, service, 1e9, True)
    rng = np.random.default_rng(8)
    assert np.array_equal(got.t, times)
    assert np.array_equal(got.service_s, lognormals(rng, service.lognormal_mu, service.sigma, times.size))
    assert np.array_equal(got.u, rng.random(times.size))


def test_no_requests_draw_nothing() -> None:
    got = draw_block(
        np.random.default_rng(1), Seconds(np.arange(5.0), np.zeros(5, dtype=np.int64)), SERVICES[0], 1e9, True
    )
    assert len(got) == 0 and got.service_s.size == 0 and got.u.size == 0
