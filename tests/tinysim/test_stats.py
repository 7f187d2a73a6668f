"""The run's streaming statistics (``tinysim.stats``)."""

from __future__ import annotations

import numpy as np

from tinysim.stats import GROWTH, LogHistogram


def test_quantiles_follow_values_added_after_an_earlier_quantile() -> None:
    # a histogram asked for a quantile, then given more values, answers from all of them: the
    # exact order statistic (numpy's "lower" rank q * (n - 1)) within one bin's relative width
    rng = np.random.default_rng(3)
    first, later = rng.exponential(0.05, 10_000), rng.exponential(2.0, 30_000)
    h = LogHistogram()
    h.add(first)
    assert abs(h.quantile(0.99) / np.quantile(first, 0.99, method="lower") - 1) < GROWTH - 1
    h.add(later)
    both = np.concatenate([first, later])
    for q in (0.5, 0.95, 0.99):
        assert abs(h.quantile(q) / np.quantile(both, q, method="lower") - 1) < GROWTH - 1
