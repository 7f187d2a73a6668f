"""The compiled fold adds exactly as the NumPy code it replaced: pairwise sums equal
``ndarray.sum()`` bit for bit, and busy seconds equal ``BusySeconds.add`` bit for bit and conserve
the intervals' total length."""

from __future__ import annotations

import numpy as np
import pytest

from tinysim.busy_seconds import BusySeconds
from tinysim.window_fold import add_intervals, pairwise_sum


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 1000, 4097, 65_537, 1_000_003])
def test_pairwise_sum_is_numpy_sum(n: int) -> None:
    rng = np.random.default_rng(n)
    x = rng.lognormal(-3, 2, n + 3)
    assert pairwise_sum(x, 3, n) == float(x[3:].sum())


def test_busy_split_equals_busy_seconds_and_conserves_time() -> None:
    rng = np.random.default_rng(5)
    start = np.sort(rng.uniform(0, 60, 20_000))
    end = start + rng.lognormal(-3, 2, start.size)  # some intervals span many seconds
    end[::1000] += 7.25
    end = np.minimum(end, 190.0)
    ref, got = BusySeconds(200), BusySeconds(200)
    half = start.size // 2
    for part in (slice(0, half), slice(half, None)):  # two windows, a read between them
        ref.add(start[part], end[part])
        add_intervals(*got.arrays(), start[part].copy(), end[part].copy(), start[part].size)
        assert ref.between(0, 30) == got.between(0, 30)
    assert np.array_equal(got.seconds(), ref.seconds())
    assert got.seconds().sum() == pytest.approx(float((end - start).sum()), rel=1e-12)


def test_busy_beyond_the_horizon_is_dropped() -> None:
    busy = BusySeconds(4)  # seconds 0..3
    add_intervals(*busy.arrays(), np.array([2.5]), np.array([6.0]), 1)
    assert busy.seconds().tolist() == [0.0, 0.0, 0.5, 1.0]
