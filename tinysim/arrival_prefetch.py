"""Drawing the next block of arrivals while the current one is processed.

Every block of arrivals has its own random generator (seeded by the run's seed and the block's
index), so drawing block ``b + 1`` on a background thread while block ``b`` is processed gives
the same requests as drawing it later. NumPy's generators and the compiled kernels release the
GIL, so on a machine with a free core the two overlap. Sweeps turn it off (``no_prefetch``): they
use the cores by running forecasts side by side.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np

from tinysim.traffic import Arrivals, ArrivalSource

__all__ = ["PrefetchingSource", "no_prefetch", "set_prefetch"]

_ENABLED = [True]  # for the process
_LOCAL = threading.local()  # per thread, within ``no_prefetch``


def set_prefetch(enabled: bool) -> None:
    """Draw blocks ahead on a background thread (the default) or not, for this process."""
    _ENABLED[0] = enabled


def _enabled() -> bool:
    return _ENABLED[0] and not getattr(_LOCAL, "off", False)


@contextmanager
def no_prefetch() -> Iterator[None]:
    """Within the block, runs on this thread draw every block of arrivals when it is needed."""
    before = getattr(_LOCAL, "off", False)
    _LOCAL.off = True
    try:
        yield
    finally:
        _LOCAL.off = before


@dataclass
class PrefetchingSource:
    """:meth:`ArrivalSource.span` with the next block drawn in the background."""

    source: ArrivalSource
    _pool: ThreadPoolExecutor | None = None
    _ahead: dict[int, Future[Arrivals]] = field(default_factory=dict)

    def _block(self, b: int) -> Arrivals:
        fut = self._ahead.pop(b, None)
        blk = fut.result() if fut is not None else self.source.draw(b)
        if _enabled() and (b + 1) * self.source.block_s < self.source.horizon_s and b + 1 not in self._ahead:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(1, thread_name_prefix="arrivals")
            self._ahead = {b + 1: self._pool.submit(self.source.draw, b + 1)}
        return blk

    def span(self, t0: float, t1: float) -> tuple[Arrivals, int, int]:
        """The block holding ``[t0, t1)`` and the index range of its arrivals in that interval."""
        b = int(t0 // self.source.block_s)
        if t1 > (b + 1) * self.source.block_s:
            raise ValueError(f"[{t0}, {t1}) crosses a block boundary")
        blk = self.source.cached(b)
        if blk is None:
            blk = self._block(b)
            self.source.keep(b, blk)
        lo, hi = np.searchsorted(blk.t, [t0, t1])
        return blk, int(lo), int(hi)

    def close(self) -> None:
        """Stop the background thread (a later ``span`` starts it again)."""
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None
        self._ahead = {}
