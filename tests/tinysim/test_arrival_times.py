"""The compiled arrival times are bit for bit the vectorised NumPy construction's (partial sums of
exponentials over their total, drawn from the same generator), sorted, and inside their seconds."""

from __future__ import annotations

import numpy as np

from benchmarks.numpy_reference import arrival_times_numpy
from tinysim.arrival_times import sorted_within_seconds


def test_compiled_arrival_times_equal_the_numpy_construction() -> None:
    rng = np.random.default_rng(3)
    secs = np.arange(600.0, 1200.0)
    counts = rng.poisson(np.linspace(0, 40, secs.size))
    counts[5:9] = 0
    ours, numpys = np.random.default_rng(4), np.random.default_rng(4)
    got = sorted_within_seconds(ours, counts, secs)
    e = numpys.standard_exponential(int(counts.sum()) + secs.size)
    want = arrival_times_numpy(_Replay(e), secs, counts)
    assert ours.random() == numpys.random()  # the same exponentials drawn, no more
    assert np.array_equal(got, want)
    assert np.all(np.diff(got) >= 0)
    owner = np.repeat(secs, counts)
    assert np.all((got >= owner) & (got < owner + 1))


class _Replay:
    """Hands out given exponentials, as a generator would."""

    def __init__(self, e: np.ndarray) -> None:
        self.e = e

    def standard_exponential(self, n: int) -> np.ndarray:
        assert n == self.e.size
        return self.e
