"""Busy worker-seconds (``tinysim.busy_seconds``): reads while intervals are still being added give
NumPy's own sums bit for bit, and the seconds hold exactly the intervals' lengths."""

from __future__ import annotations

import numpy as np

from tests.tinysim.helpers import busy_truth
from tinysim.busy_seconds import BusySeconds


def test_minute_reads_during_a_run_equal_numpy_sums_and_conserve_busy_time() -> None:
    rng = np.random.default_rng(5)
    size = 600
    busy = BusySeconds(size)
    starts_all, ends_all = [], []
    for minute in range(10):  # a minute's intervals (some reaching seconds back or minutes on), then its read
        starts = minute * 60 + rng.uniform(-5, 60, 200)
        ends = starts + rng.exponential(3.0, 200)
        busy.add(starts, ends)
        starts_all.append(starts)
        ends_all.append(ends)
        t0, t1 = minute * 60.0, minute * 60.0 + 60.0
        got = busy.between(t0, t1)
        assert got == busy.seconds()[int(t0) : int(t1)].sum()  # the read sums as NumPy does, bit for bit
    starts, ends = np.concatenate(starts_all), np.concatenate(ends_all)
    want = busy_truth(size, starts, ends)
    assert np.allclose(busy.seconds(), want, rtol=1e-12, atol=1e-9)
    clipped = np.clip(ends, 0, size) - np.clip(starts, 0, size)
    assert abs(busy.seconds().sum() - clipped.sum()) < 1e-9 * clipped.sum()
    assert busy.between(590.0, 700.0) == busy.seconds()[590:].sum()  # a read past the end stops at it
