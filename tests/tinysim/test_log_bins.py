"""The table lookup of the run histograms' log bins gives the bin the logarithm gives, for every value:
across the whole range, at each bin edge and one float below it, and at the ends (0, below the first bin,
past the last)."""

from __future__ import annotations

import numba
import numpy as np

from tinysim.log_bins import bin_table, fast_bin, log_bin
from tinysim.stats import N_BINS, X_MIN


@numba.njit(cache=True)
def _both(x: np.ndarray, table: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    want = np.empty(x.size, dtype=np.int64)
    got = np.empty(x.size, dtype=np.int64)
    for i in range(x.size):
        want[i] = log_bin(x[i])
        got[i] = fast_bin(x[i], table)
    return want, got


def test_table_lookup_is_the_logarithm_everywhere() -> None:
    table = bin_table()
    rng = np.random.default_rng(3)
    x = np.concatenate(
        [
            np.exp(rng.uniform(np.log(1e-8), np.log(1e8), 2_000_000)),  # every scale, log-uniform
            rng.lognormal(np.log(0.015), 0.8, 500_000),  # where request latencies lie
            [0.0, X_MIN / 2, np.nextafter(X_MIN, 0), X_MIN, 1e6, 1e7, 1e12, np.inf],
        ]
    )
    edges = table[table[:, 1] != np.iinfo(np.int64).max, 1].view(np.float64)
    x = np.concatenate([x, edges, np.nextafter(edges, 0)])  # each bin's first value and the float below
    want, got = _both(x, table)
    assert np.array_equal(want, got), x[want != got][:5]


def test_each_bucket_holds_at_most_one_edge_and_bins_rise_by_one() -> None:
    table = bin_table()
    steps = np.diff(table[:, 0])
    has_edge = table[:-1, 1] != np.iinfo(np.int64).max
    assert set(np.unique(steps)) <= {0, 1}
    assert np.array_equal(steps == 1, has_edge)  # a bucket's next one starts past its edge exactly when it has one
    assert table[0, 0] == 0 and table[-1, 0] == N_BINS - 1  # from X_MIN's bucket (its start is below it) to the last
