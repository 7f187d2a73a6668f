"""The compiled draws with the inlined generator give NumPy's ``Generator`` methods' numbers, value for
value, including the ziggurats' rare paths (tails and wedges), and continue one stream call after call."""

from __future__ import annotations

import numpy as np
from numba.np.random._constants import ziggurat_exp_r, ziggurat_nor_r

from tinysim.arrival_times import sorted_within_seconds
from tinysim.libm_exp import matches_libm
from tinysim.pcg64 import pcg64_words
from tinysim.raw_draws import SERVICE_KINDS, arrival_times, service_times, uniforms

N = 400_000  # about 100 normals and 180 exponentials from each tail at this size (P = 2.6e-4, 4.5e-4)


def _pair(seed: int) -> tuple[np.random.Generator, np.ndarray]:
    rng = np.random.default_rng(seed)
    words = pcg64_words(np.random.default_rng(seed))
    assert words is not None
    return rng, words


def test_exponential_and_lognormal_service_times_equal_numpys() -> None:
    numpys, words = _pair(11)
    got = service_times(words, SERVICE_KINDS["exponential"], 0.015, 0.0, 0.0, N, True)
    want = numpys.exponential(0.015, N)
    assert np.array_equal(got, want)
    assert np.count_nonzero(want / 0.015 > ziggurat_exp_r) > 50  # the tail path was taken
    assert matches_libm()  # the inline exponential is the library's here
    for mu, sigma, inline_exp in ((-4.6, 0.77, True), (-6.0, 2.0, True), (-4.6, 0.77, False)):
        got = service_times(words, SERVICE_KINDS["lognormal"], 0.0, mu, sigma, N, inline_exp)
        want = numpys.lognormal(mu, sigma, N)
        assert np.array_equal(got, want)
        z = (np.log(want) - mu) / sigma
        assert np.count_nonzero(np.abs(z) > ziggurat_nor_r) > 30  # both tails, through the tail path
    assert np.array_equal(uniforms(words, 1000), numpys.random(1000))  # the streams are at one place


def test_constant_service_times_draw_nothing() -> None:
    numpys, words = _pair(3)
    assert np.array_equal(service_times(words, SERVICE_KINDS["constant"], 0.02, 0.0, 0.0, 5, True), np.full(5, 0.02))
    assert np.array_equal(uniforms(words, 10), numpys.random(10))


def test_arrival_times_equal_the_generator_method_version() -> None:
    counts = np.random.default_rng(2).poisson(np.linspace(0.0, 300.0, 400)).astype(np.int64)
    counts[10:20] = 0
    secs = np.arange(1_000.0, 1_400.0)
    numpys, words = _pair(9)
    got = arrival_times(words, counts, secs)
    # the generator-method version, itself checked against the vectorised NumPy construction
    assert np.array_equal(got, sorted_within_seconds(numpys, counts, secs))
    assert np.all(np.diff(got) >= 0)
    owner = np.repeat(secs, counts)
    assert np.all((got >= owner) & (got < owner + 1))
    assert np.array_equal(uniforms(words, 100), numpys.random(100))  # exactly counts.sum() + 400 drawn
