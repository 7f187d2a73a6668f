"""Busy worker-seconds per second of a run (ECS slots or Lambda environments), kept exactly from
the busy intervals of its requests, so the control loop can read any period's CPU use while the run
goes on and the timeline every minute's.

The cells below ``settled`` hold their whole value; above it, the whole seconds inside intervals wait
in a difference array until a read sums them up (:func:`settle_cells`, compiled: a minute's read is
one call, where NumPy's running sum, add and sum of a minute's slices cost several microseconds of
calls each).
"""

from __future__ import annotations

import numba
import numpy as np

from tinysim.window_fold import pairwise_sum

__all__ = ["BusySeconds", "settle_cells"]


@numba.njit(cache=True, nogil=True)
def settle_cells(
    cells: np.ndarray, diff: np.ndarray, settled: int, upto: int, carry: float
) -> float:  # pragma: no cover - compiled
    """Add to ``cells[settled:upto]`` the running sum of ``diff`` from ``settled`` on, plus ``carry``
    (the running sum before ``settled``); returns the running sum at ``upto - 1``. The additions are
    NumPy's ``carry + np.cumsum(diff[settled:upto])``, one by one in order, so the cells are the same
    bit for bit."""
    run = 0.0
    for c in range(settled, upto):
        run += diff[c]
        cells[c] += carry + run
    return carry + run


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
        if upto > self._settled:
            self._carry = settle_cells(self._cells, self._diff, self._settled, upto, self._carry)
            self._settled = upto

    def arrays(self) -> tuple[np.ndarray, np.ndarray, int]:
        """The per-second cells, the difference array and how far the cells are settled, for a
        compiled adder that adds exactly as :meth:`add` does (``tinysim.window_fold.add_intervals``)."""
        return self._cells, self._diff, self._settled

    def between(self, t0: float, t1: float) -> float:
        """Worker-seconds spent in [t0, t1) (whole seconds)."""
        self._settle(int(t1))
        lo, hi = max(int(t0), 0), min(int(t1), self._cells.size)
        return pairwise_sum(self._cells, lo, hi - lo) if hi > lo else 0.0

    def seconds(self) -> np.ndarray:
        """Worker-seconds in each second of the run."""
        self._settle(self._cells.size)
        return self._cells
