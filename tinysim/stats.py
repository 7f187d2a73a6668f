"""Streaming statistics for a run: exact counts, sums and maxima, and a log histogram for
whole-run percentiles (relative error below 0.05%), so a month of requests needs no storage."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["BusySeconds", "LogHistogram"]

X_MIN = 1e-6  # seconds; smaller values share the zero bin
GROWTH = 1.001
N_BINS = int(math.log(1e6 / X_MIN) / math.log(GROWTH)) + 2  # up to ~11.5 days


@dataclass
class LogHistogram:
    """Counts of durations in geometric bins, plus the exact count, sum and maximum."""

    counts: np.ndarray = field(default_factory=lambda: np.zeros(N_BINS, dtype=np.int64))
    n: int = 0
    total: float = 0.0
    maximum: float = 0.0
    # the cumulative counts for quantiles, and the count they were summed at (-1: not yet)
    _cumulative: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64), repr=False, compare=False)
    _cumulative_n: int = field(default=-1, repr=False, compare=False)

    def add(self, x: np.ndarray) -> None:
        if x.size == 0:
            return
        idx = np.zeros(x.size, dtype=np.int64)
        pos = x >= X_MIN
        idx[pos] = np.minimum(np.log(x[pos] / X_MIN) / math.log(GROWTH), N_BINS - 2).astype(np.int64) + 1
        self.counts += np.bincount(idx, minlength=N_BINS)
        self.n += int(x.size)
        self.total += float(x.sum())
        self.maximum = max(self.maximum, float(x.max()))

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else math.nan

    def quantile(self, q: float) -> float:
        """The q-quantile (0 for the zero bin; the bin's geometric middle otherwise)."""
        if not self.n:
            return math.nan
        if self._cumulative_n != self.n:  # counts and n change together (``add``, or a folder's flush)
            self._cumulative, self._cumulative_n = np.cumsum(self.counts), self.n
        rank = q * (self.n - 1)
        b = int(np.searchsorted(self._cumulative, rank, side="right"))
        if b == 0:
            return 0.0
        return float(min(X_MIN * GROWTH ** (b - 0.5), self.maximum))

    def share_at_most(self, x: float) -> float:
        """The share of values at most ``x`` seconds, each bin counted at its geometric middle (as in
        ``quantile``); 1.0 for an empty histogram."""
        if not self.n:
            return 1.0
        if x >= self.maximum:
            return 1.0
        if x < X_MIN:
            return float(self.counts[0]) / self.n
        top = min((math.floor(math.log(x / X_MIN) / math.log(GROWTH) + 0.5)), N_BINS - 1)
        return float(self.counts[: top + 1].sum()) / self.n


class BusySeconds:
    """Worker-seconds per second of a run, from busy intervals [start, end), split exactly at seconds.

    The whole seconds inside an interval go to a difference array that is summed up only as far as
    it is read, so adding an interval costs O(1) per request however long it is: a request busy
    for days costs what a short one does, and the run's work stays bounded by the horizon.
    """

    def __init__(self, n_seconds: int) -> None:
        self._cells = np.zeros(n_seconds)
        self._diff = np.zeros(n_seconds + 1)  # +1 where a run of whole busy seconds starts, -1 where it ends
        self._settled = 0  # cells below this index already hold their whole-second share
        self._carry = 0.0  # running sum of _diff up to _settled

    def add(self, start: np.ndarray, end: np.ndarray, weight: float = 1.0) -> None:
        """Add the intervals [start, end) (seconds), clipped to the run."""
        size = self._cells.size
        lo = np.clip(start, 0.0, size)
        hi = np.clip(end, 0.0, size)
        keep = hi > lo
        lo, hi = lo[keep], hi[keep]
        if not lo.size:
            return
        first = np.floor(lo).astype(np.int64)
        last = np.minimum(np.floor(hi).astype(np.int64), size)  # the cell holding the tail
        same = first == last
        # head and tail: the partial seconds at both ends (the whole interval when it fits in one second)
        head = np.where(same, hi - lo, first + 1.0 - lo)
        np.add.at(self._cells, np.minimum(first, size - 1), weight * head)
        tail = np.where(same | (last >= size), 0.0, hi - last)
        np.add.at(self._cells, np.minimum(last, size - 1), weight * tail)
        # the whole seconds between them
        a, b = first[~same] + 1, last[~same]
        a, b = a[b > a], b[b > a]
        if a.size:
            early = a < self._settled  # a read has already summed past the start: add those cells now
            for x, y in zip(a[early].tolist(), np.minimum(b[early], self._settled).tolist(), strict=True):
                self._cells[x:y] += weight
            a = np.maximum(a, self._settled)
            a, b = a[b > a], b[b > a]
            np.add.at(self._diff, a, weight)
            np.add.at(self._diff, b, -weight)

    def _settle(self, upto: int) -> None:
        upto = min(upto, self._cells.size)
        if upto <= self._settled:
            return
        run = self._carry + np.cumsum(self._diff[self._settled : upto])
        self._cells[self._settled : upto] += run
        self._carry = float(run[-1])
        self._settled = upto

    def arrays(self) -> tuple[np.ndarray, np.ndarray, int]:
        """The per-second cells, the difference array and how far the cells are settled, for a
        compiled adder that adds exactly as :meth:`add` does (``tinysim.window_fold.add_intervals``)."""
        return self._cells, self._diff, self._settled

    def between(self, t0: float, t1: float) -> float:
        """Worker-seconds spent in [t0, t1) (whole seconds)."""
        self._settle(int(t1))
        return float(self._cells[int(t0) : int(t1)].sum())

    def seconds(self) -> np.ndarray:
        """Worker-seconds in each second of the run."""
        self._settle(self._cells.size)
        return self._cells
