"""The compiled fold adds exactly as the NumPy code it replaced: pairwise sums equal
``ndarray.sum()`` bit for bit, and busy seconds equal ``BusySeconds.add`` bit for bit and conserve
the intervals' total length; a window's outcomes fold into NumPy's histograms, sums and maxima."""

from __future__ import annotations

import numpy as np
import pytest

from tinysim.busy_seconds import BusySeconds
from tinysim.log_bins import bin_table
from tinysim.minute_percentiles import BIN_DTYPE, close_minute
from tinysim.stats import N_BINS, LogHistogram
from tinysim.window_fold import (
    FAILED,
    IN_FLIGHT,
    M_FAILED,
    M_IN_FLIGHT,
    M_SERVED,
    M_TIMED_OUT,
    SERVED,
    THROTTLED,
    TIMED_OUT,
    add_intervals,
    fold_outcomes,
    pairwise_sum,
)


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


@pytest.mark.parametrize("wait_scales", [[3e-7, 0.02], [3e-7]])
def test_fold_outcomes_equals_numpy_histograms_sums_and_maxima(wait_scales: list[float]) -> None:
    # a window of every outcome, with waits of zero, below the histogram's first bin (all of them,
    # in the second case) and above it: the histograms are LogHistogram.add's, the sums NumPy's,
    # the maxima the values' own
    rng = np.random.default_rng(8)
    n = 3000
    codes = rng.choice([THROTTLED, SERVED, TIMED_OUT, IN_FLIGHT, FAILED], n, p=[0.1, 0.6, 0.1, 0.1, 0.1]).astype(
        np.int8
    )
    latency = rng.exponential(0.05, n)
    wait = np.where(rng.random(n) < 0.5, 0.0, rng.choice(wait_scales, n) * rng.random(n))
    wait[np.flatnonzero(codes == SERVED)[0]] = 0.0
    served = codes == SERVED
    mins, hrs = np.zeros((6, 1), dtype=np.int64), np.zeros((5, 1))
    pct, hcounts, hstat = np.full((1, 3), np.nan), np.zeros((2, N_BINS), dtype=np.int64), np.zeros((2, 3))
    ist = np.array([-1, 0, 0, 0, 0], dtype=np.int64)
    pend, pbin, mcount = np.empty(n), np.empty(n, dtype=BIN_DTYPE), np.zeros(N_BINS, dtype=np.int64)
    fold_outcomes(
        codes, latency, wait, n - int((codes == THROTTLED).sum()), 0, 0, 1.0, 2.0, ist, mins, hrs, pct, hcounts,
        hstat, pend, pbin, mcount, np.empty(n), bin_table(),
    )  # fmt: skip
    assert not hcounts[0].any()  # the latencies are counted in the minute's own bins until it closes
    close_minute(ist, pend, pbin, mcount, pct, hcounts[0])
    assert np.array_equal(pct[0], np.percentile(latency[served], [50, 95, 99]) * 1000)
    for row, values in enumerate((latency[served], wait[served])):
        want = LogHistogram()
        want.add(values)
        assert np.array_equal(hcounts[row], want.counts)
        assert hstat[row, 0] == served.sum() and hstat[row, 1] == values.sum() and hstat[row, 2] == values.max()
    assert mins[M_SERVED, 0] == served.sum() and mins[M_TIMED_OUT, 0] == (codes == TIMED_OUT).sum()
    assert mins[M_IN_FLIGHT, 0] == (codes == IN_FLIGHT).sum() and mins[M_FAILED, 0] == (codes == FAILED).sum()
