"""Drawing the next blocks of arrivals while the current one is processed.

Every block of arrivals has its own random generator (seeded by the run's seed and the block's
index), so drawing blocks ``b + 1 .. b + depth`` on background threads while block ``b`` is
processed gives the same requests as drawing them later. NumPy's generators and the compiled
kernels release the GIL, so the draws and the window kernels run on every core at once. Drawing a
block costs more than processing it, so a run keeps one drawing thread per core and as many blocks
in flight: the window kernel's thread then shares the cores with them and none of them waits long.
Sweeps turn it off (``no_prefetch``): they use the cores by running forecasts side by side. Once a
sweep has nothing left to hand out, a core whose last forecast ended would idle while the others
finish theirs; given an event (``no_prefetch(until=...)``), a run turns its background threads on
when the event is set, at its next block, and finishes on the cores left free.

Quiet traffic leaves the threads little to do and costs their hand-overs (each passes the GIL and
wakes a thread): below ``BACKGROUND_MIN_RPS`` on average a run draws and folds on its own thread.
"""

from __future__ import annotations

import math
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from typing import Protocol, cast

from tinysim.background import BackgroundThreads
from tinysim.traffic import Arrivals, ArrivalSource

__all__ = [
    "BACKGROUND_MIN_RPS",
    "Flag",
    "PrefetchingSource",
    "drawing_threads",
    "lent_cores",
    "no_prefetch",
    "set_prefetch",
    "use_background_threads",
]

#: The mean offered rate (requests/s) from which a run works on background threads. Measured here on
#: two days of the seed's container stack, best of two, background threads against none: 0.63x the
#: speed at 0.1 req/s, 0.46x at 2, 0.86x at 10, 1.11x at 30, 1.24x at 100 (and about 1.8x at 167).
BACKGROUND_MIN_RPS = 25.0

_ENABLED = [True]  # for the process
_LOCAL = threading.local()  # per thread, within ``no_prefetch``: ``off`` (bool) and ``until`` (Flag | None)


class Flag(Protocol):
    """What ``no_prefetch(until=...)`` reads: a ``threading.Event``, or a flag shared between
    processes (``tinysim.work_sharing.SharedFlag``)."""

    def is_set(self) -> bool: ...


def set_prefetch(enabled: bool) -> None:
    """Work on background threads (the default: draw blocks ahead, fold windows) or not, for this process."""
    _ENABLED[0] = enabled


def use_background_threads(mean_rps: float = math.inf) -> bool:
    """Whether a run on this thread, of traffic averaging ``mean_rps`` requests/s, works on background
    threads: draws blocks ahead and folds its windows' statistics there (off within ``no_prefetch``,
    after ``set_prefetch(False)``, or below ``BACKGROUND_MIN_RPS``)."""
    off: bool = getattr(_LOCAL, "off", False)
    until: Flag | None = getattr(_LOCAL, "until", None)
    if off and until is not None:
        off = not until.is_set()
    return _ENABLED[0] and not off and mean_rps >= BACKGROUND_MIN_RPS


def lent_cores() -> bool:
    """Whether runs on this thread are within ``no_prefetch(until=...)``: their background threads, if
    the event turns them on, use the cores other forecasts left (one drawing thread, not one per core)."""
    return getattr(_LOCAL, "until", None) is not None


def drawing_threads() -> int:
    """Background drawing threads of a run: one per core this process may use (at least one)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - platforms without CPU affinity
        cores = os.cpu_count() or 1
    return max(1, cores)


@contextmanager
def no_prefetch(until: Flag | None = None) -> Iterator[None]:
    """Within the block, runs on this thread use no background thread: they draw every block of
    arrivals when it is needed and fold each window at once; with ``until``, only until it is set
    (checked at each block of arrivals: the run then goes on with background threads)."""
    before = getattr(_LOCAL, "off", False), getattr(_LOCAL, "until", None)
    _LOCAL.off, _LOCAL.until = True, until
    try:
        yield
    finally:
        _LOCAL.off, _LOCAL.until = before


@dataclass
class PrefetchingSource:
    """:meth:`ArrivalSource.span` with the next ``depth`` blocks drawn in the background
    (``depth``: :func:`drawing_threads` unless given, one for a run on lent cores)."""

    source: ArrivalSource
    depth: int = 0
    _threads: BackgroundThreads | None = None

    background: bool = False  # the last block asked for was on background threads: fold there too

    def __post_init__(self) -> None:
        if self.depth <= 0:
            self.depth = 1 if lent_cores() else drawing_threads()

    def _block(self, b: int) -> Arrivals:
        threads = self._threads
        ahead = threads is not None and b in threads.pending
        if threads is not None:
            for stale in [k for k in threads.pending if isinstance(k, int) and k < b]:  # skipped over
                threads.drop(stale)
        self.background = use_background_threads(self.source.mean_rps)
        if self.background:
            self._draw_ahead(b)
        if ahead:
            assert threads is not None
            return cast(Arrivals, threads.result(b))
        return self.source.draw(b)

    def _draw_ahead(self, b: int) -> None:
        """Hand over blocks ``b + 1 .. b + depth`` that are within the horizon and not yet drawing."""
        if self._threads is None:
            self._threads = BackgroundThreads(self.depth, "arrivals")
        for nxt in range(b + 1, b + 1 + self.depth):
            if nxt * self.source.block_s >= self.source.horizon_s:
                break
            if nxt not in self._threads.pending:
                self._threads.submit(nxt, partial(self.source.draw, nxt))

    def span(self, t0: float, t1: float) -> tuple[Arrivals, int, int]:
        """The block holding ``[t0, t1)`` and the index range of its arrivals in that interval."""
        b = int(t0 // self.source.block_s)
        if t1 > (b + 1) * self.source.block_s:
            raise ValueError(f"[{t0}, {t1}) crosses a block boundary")
        blk = self.source.cached(b)
        if blk is None:
            blk = self._block(b)
            self.source.keep(b, blk)
        return blk, int(blk.t.searchsorted(t0)), int(blk.t.searchsorted(t1))

    def close(self) -> None:
        """Stop the background threads (a later ``span`` starts them again)."""
        if self._threads is not None:
            self._threads.close()
            self._threads = None
