"""Per-minute percentiles by buckets and a small sort are exactly numpy.percentile's (linear
interpolation between order statistics), for any sample: ties, one value, values spanning the
buckets' clamps."""

from __future__ import annotations

import numpy as np
import pytest

from tinysim.minute_percentiles import N_KEYS, close_minute, collect

SAMPLES = {
    "lognormal": np.random.default_rng(1).lognormal(-4, 1, 10_007),
    "one": np.array([0.0123]),
    "two": np.array([0.5, 0.25]),
    "ties": np.repeat([0.01, 0.02, 0.04], [500, 300, 17]),
    "constant": np.full(2000, 0.015),
    "zeros_and_huge": np.concatenate([np.zeros(50), np.full(3, 5e6), np.linspace(1e-9, 2e-7, 40)]),
    "wide": np.exp(np.random.default_rng(2).uniform(np.log(1e-8), np.log(1e5), 5000)),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_percentiles_equal_numpy(name: str) -> None:
    values = SAMPLES[name]
    pend = np.empty(values.size)
    pcount = np.zeros(N_KEYS, dtype=np.int64)
    ist = np.array([3, 0, 0, 0, 0], dtype=np.int64)  # minute 3 open
    count = low = high = 0
    for v in values:
        count, low, high = collect(float(v), pend, pcount, count, low, high)
    ist[1], ist[3], ist[4] = count, low, high
    pct = np.full((5, 3), np.nan)
    close_minute(ist, pend, pcount, pct)
    want = np.percentile(values, [50, 95, 99]) * 1000
    assert np.array_equal(pct[3], want), (pct[3], want)
    assert not pcount.any() and ist[0] == -1 and ist[1] == 0  # ready for the next minute
    assert np.isnan(pct[[0, 1, 2, 4]]).all()
