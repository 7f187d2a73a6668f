"""The compiled draws give NumPy's numbers, value for value, and leave the generator where NumPy's
methods leave it (a block's later draws, such as the dispatch uniforms, stay the same)."""

from __future__ import annotations

import numpy as np
import pytest

from tinysim.draws import exponentials, lognormals

N = 400_000  # enough that the ziggurats' rare paths (about 1% of draws, and their tails) are taken


@pytest.mark.parametrize("seed", [1, [7, 123]])
def test_same_numbers_as_numpy(seed: int | list[int]) -> None:
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    assert np.array_equal(exponentials(ours, 0.015, N), numpys.exponential(0.015, N))
    # a long right tail (sigma 2) as well as the seed example's shape
    for mu, sigma in ((-4.6, 0.77), (-6.0, 2.0)):
        assert np.array_equal(lognormals(ours, mu, sigma, N), numpys.lognormal(mu, sigma, N))
    assert ours.random() == numpys.random()  # the generators are at the same place


def test_empty_draw_leaves_the_generator_alone() -> None:
    ours, numpys = np.random.default_rng(5), np.random.default_rng(5)
    assert lognormals(ours, 0.0, 1.0, 0).size == 0
    assert ours.random() == numpys.random()
