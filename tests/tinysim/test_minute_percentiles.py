"""Per-minute percentiles by the histogram's bins and a small sort are exactly numpy.percentile's
(linear interpolation between order statistics), for any sample: ties, one value, values in the
first and last bins; the minute's counts reach the run's histogram as LogHistogram counts them."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest

from tinysim.log_bins import bin_table
from tinysim.minute_percentiles import BIN_DTYPE, close_minute, count_latencies
from tinysim.stats import N_BINS, LogHistogram

SAMPLES = {
    "lognormal": np.random.default_rng(1).lognormal(-4, 1, 10_007),
    "one": np.array([0.0123]),
    "two": np.array([0.5, 0.25]),
    "ties": np.repeat([0.01, 0.02, 0.04], [500, 300, 17]),
    "constant": np.full(2000, 0.015),
    "zeros_and_huge": np.concatenate([np.zeros(50), np.full(3, 5e6), np.linspace(1e-9, 2e-7, 40)]),
    "wide": np.exp(np.random.default_rng(2).uniform(np.log(1e-8), np.log(1e5), 5000)),
}


@pytest.mark.parametrize("windows", [1, 3])
@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_percentiles_equal_numpy(name: str, windows: int) -> None:
    values = SAMPLES[name]
    pend, pbin = values.copy(), np.empty(values.size, dtype=BIN_DTYPE)
    mcount, hist = np.zeros(N_BINS, dtype=np.int64), np.zeros(N_BINS, dtype=np.int64)
    hist[7] = 5  # counts of earlier minutes stay
    ist = np.array([3, values.size, 0, 0, 0], dtype=np.int64)  # minute 3 open, holding the values
    cuts = np.linspace(0, values.size, windows + 1).astype(int)  # folded in one window or several
    tops = [
        count_latencies(pend, lo, hi - lo, pbin, mcount, ist, bin_table())
        for lo, hi in pairwise(cuts.tolist())
        if hi > lo
    ]
    assert max(tops) == values.max()
    pct = np.full((5, 3), np.nan)
    close_minute(ist, pend, pbin, mcount, pct, hist)
    want = np.percentile(values, [50, 95, 99]) * 1000
    assert np.array_equal(pct[3], want), (pct[3], want)
    counted = LogHistogram()
    counted.add(values)
    counted.counts[7] += 5
    assert np.array_equal(hist, counted.counts)
    assert not mcount.any() and ist[0] == -1 and ist[1] == 0  # ready for the next minute
    assert np.isnan(pct[[0, 1, 2, 4]]).all()
