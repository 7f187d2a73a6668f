"""Streaming statistics for a run: exact counts, sums and maxima, and a log histogram for
whole-run percentiles (relative error below 0.05%), so a month of requests needs no storage."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

__all__ = ["LogHistogram"]

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
