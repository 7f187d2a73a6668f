"""Folding windows' requests into the run's statistics, on a core of its own.

A window's requests feed two kinds of numbers. The control loop reads some of them while the run
goes on (busy seconds, requests offered), so the window kernels write those at once. The rest
(outcomes per minute and hour, the minute's exact latency percentiles, the run's histograms, sums
and maxima) are only read when the run ends: :class:`WindowFolder` folds them from each window's
per-request outcome codes, latencies and waits with :func:`tinysim.window_fold.fold_outcomes`, on
a background thread while the next windows run. Windows are folded one at a time in the order they
ran, so the statistics are the same as when each is folded at once (the compiled fold releases
the GIL, so the two run on two cores).

State (the statistics' arrays, see :mod:`tinysim.window_fold`) belongs to the folder: read it only
after :meth:`WindowFolder.finish`. ``mins`` and ``hrs`` are shared with the window kernels, which
write other rows of them.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from itertools import count

import numpy as np

from tinysim.background import BackgroundThreads
from tinysim.log_bins import bin_table
from tinysim.minute_percentiles import BIN_DTYPE, close_minute
from tinysim.stats import N_BINS
from tinysim.window_fold import fold_outcomes

__all__ = ["BATCH_REQUESTS", "MAX_PENDING", "WindowFolder"]

#: Windows are handed to the background thread in batches of at least this many requests (or at the
#: end): each hand-over wakes the thread and passes the GIL, which costs more than folding a few
#: requests.
BATCH_REQUESTS = 32_768
#: Batches handed over and not yet folded, at most (the window kernel waits beyond that, so a
#: slower fold never holds more than this many batches' requests in memory).
MAX_PENDING = 4

Window = tuple[np.ndarray, np.ndarray, np.ndarray, int, int, int]  # codes, latency, wait, admitted, minute, hour


@dataclass
class WindowFolder:
    """The run's statistics, folded window by window (in the background when ``background``)."""

    mins: np.ndarray  # int64 (minute fields, minutes), shared with the window kernels
    hrs: np.ndarray  # float (hour fields, hours), shared with the window kernels
    request_kb: float
    response_kb: float  # < 0: response bytes come from a trace, added by the data plane
    background: bool = True  # may be turned on in mid-run (the windows before are folded already)
    pct: np.ndarray = field(init=False)  # per minute: latency p50, p95, p99 (ms)
    hcounts: np.ndarray = field(init=False)  # int64 (2, N_BINS): latency and wait histograms
    hstat: np.ndarray = field(init=False)  # (2, 3): their [n, sum, max]
    _thread: BackgroundThreads | None = None
    _handed: deque[int] = field(default_factory=deque)  # batches handed over, not known folded
    _ids: Iterator[int] = field(default_factory=count)
    _batch: list[Window] = field(default_factory=list)
    _batch_requests: int = 0

    def __post_init__(self) -> None:
        self.pct = np.full((self.mins.shape[1], 3), np.nan)
        self.hcounts = np.zeros((2, N_BINS), dtype=np.int64)
        self.hstat = np.zeros((2, 3))
        # the open minute: [minute, its latencies, (unused), lowest and highest bin], its latencies,
        # their bins and its counts by bin
        self._ist = np.array([-1, 0, 0, 0, 0], dtype=np.int64)
        self._pend = np.empty(0)
        self._pbin = np.empty(0, dtype=BIN_DTYPE)
        self._mcount = np.zeros(N_BINS, dtype=np.int64)
        self._served_wait = np.empty(0)  # work space of a fold
        self._bins = bin_table()

    def fold(
        self, codes: np.ndarray, latency: np.ndarray, wait: np.ndarray, admitted: int, minute: int, hour: int
    ) -> None:
        """Fold one window (per request: outcome code, latency and wait in seconds; ``admitted``:
        the requests past the front door and the backend's own throttles). The arrays must not be
        changed afterwards: they may be read later, on the background thread."""
        if not self.background:
            self._fold(codes, latency, wait, admitted, minute, hour)
            return
        self._batch.append((codes, latency, wait, admitted, minute, hour))
        self._batch_requests += codes.size
        if self._batch_requests >= BATCH_REQUESTS:
            self._hand_over()

    def _hand_over(self) -> None:
        """Give the batch to the background thread (waiting while ``MAX_PENDING`` are not folded)."""
        if self._thread is None:
            self._thread = BackgroundThreads(1, "fold")
        while len(self._handed) >= MAX_PENDING:
            self._thread.result(self._handed[0])
            self._handed.popleft()
        key = next(self._ids)  # unique, whatever an interrupt cut short before
        self._thread.submit(key, partial(self._fold_batch, self._batch))
        self._handed.append(key)
        self._batch, self._batch_requests = [], 0

    def _fold_batch(self, batch: list[Window]) -> None:
        for window in batch:
            self._fold(*window)

    def _fold(
        self, codes: np.ndarray, latency: np.ndarray, wait: np.ndarray, admitted: int, minute: int, hour: int
    ) -> None:
        need = int(self._ist[1]) + codes.size  # the open minute's latencies and this window's
        if self._pend.size < need:
            kept = int(self._ist[1])
            size = max(need, 2 * self._pend.size)
            pend, pbin = np.empty(size), np.empty(size, dtype=BIN_DTYPE)
            pend[:kept], pbin[:kept] = self._pend[:kept], self._pbin[:kept]
            self._pend, self._pbin = pend, pbin
        if self._served_wait.size < codes.size:
            self._served_wait = np.empty(max(codes.size, 2 * self._served_wait.size))
        fold_outcomes(
            codes, latency, wait, admitted, minute, hour, self.request_kb, self.response_kb, self._ist,
            self.mins, self.hrs, self.pct, self.hcounts, self.hstat, self._pend, self._pbin, self._mcount,
            self._served_wait, self._bins,
        )  # fmt: skip

    def finish(self) -> None:
        """Wait for every window handed over, close the last minute (its percentiles) and stop the
        background thread. Raises what a fold raised."""
        try:
            while self._thread is not None and self._handed:
                self._thread.result(self._handed[0])
                self._handed.popleft()
            self._fold_batch(self._batch)  # the last windows, here
        finally:
            self.stop()
        close_minute(self._ist, self._pend, self._pbin, self._mcount, self.pct, self.hcounts[0])

    def stop(self) -> None:
        """Stop the background thread without waiting for windows not yet folded (a run given up)."""
        if self._thread is not None:
            self._thread.close()
            self._thread = None
        self._handed.clear()
        self._batch, self._batch_requests = [], 0

    def histogram_stats(self) -> list[tuple[int, float, float]]:
        """Latency and wait: (count, sum in s, maximum in s)."""
        return [(int(n), float(total), float(top)) for n, total, top in self.hstat]
