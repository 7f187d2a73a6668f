"""The inlined PCG64 gives NumPy's own outputs (``BitGenerator.random_raw``) in order, from any state."""

from __future__ import annotations

import numba
import numpy as np
import pytest

from tinysim.pcg64 import next_double, next_uint64, pcg64_words


@numba.njit
def _outputs(words: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    lo, hi, il, ih = words[0], words[1], words[2], words[3]
    raw, doubles = np.empty(n, dtype=np.uint64), np.empty(n)
    for k in range(n):
        r, lo, hi = next_uint64(lo, hi, il, ih)
        raw[k] = r
    for k in range(n):
        u, lo, hi = next_double(lo, hi, il, ih)
        doubles[k] = u
    return raw, doubles


@pytest.mark.parametrize("seed", [0, 12345, [7, 4_000], 2**63 + 5])
def test_same_outputs_as_numpy(seed: int | list[int]) -> None:
    ours, numpys = np.random.default_rng(seed), np.random.default_rng(seed)
    ours.poisson(50.0, 1000)  # from the middle of a stream, as a block's draws start
    numpys.poisson(50.0, 1000)
    words = pcg64_words(ours)
    assert words is not None
    raw, doubles = _outputs(words, 50_000)
    assert np.array_equal(raw, numpys.bit_generator.random_raw(50_000))
    assert np.array_equal(doubles, numpys.random(50_000))


def test_other_bit_generators_are_not_taken() -> None:
    assert pcg64_words(np.random.Generator(np.random.SFC64(1))) is None
