"""Threads a run hands work to (drawing arrivals ahead, folding windows), safe to interrupt.

A Ctrl-C reaches the main thread wherever it is. ``concurrent.futures`` takes Python-level locks on
the main thread to hand work over and collect it, and a KeyboardInterrupt raised just after such a
lock is taken leaves it taken: the next hand-over, the worker's own bookkeeping and the executor's
shutdown all wait on it for ever. Here the main thread only puts jobs on and takes results off
``queue.SimpleQueue`` (C code, with no lock of its own held across Python code), so an interrupt
anywhere leaves nothing held. The threads are daemons: a run given up never keeps the process
alive, and :meth:`BackgroundThreads.close` drops the jobs not yet started. Starting a thread takes
``threading``'s own module-wide lock, so the threads are started with Ctrl-C (and SIGTERM) held back
until they run: an interrupt there is raised right after.
"""

from __future__ import annotations

import queue
import signal
import threading
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import Any

__all__ = ["BackgroundThreads"]

_Job = tuple[Hashable, Callable[[], Any]]


class BackgroundThreads:
    """``threads`` daemon threads running jobs in the order given; each job's result (or the
    exception it raised) is collected by its key."""

    def __init__(self, threads: int, name: str) -> None:
        self._jobs: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[tuple[Hashable, Any, BaseException | None]] = queue.SimpleQueue()
        self._arrived: dict[Hashable, tuple[Any, BaseException | None]] = {}
        self._dropped: set[Hashable] = set()
        self.pending: set[Hashable] = set()  # keys given and not yet collected or dropped
        self._threads = [threading.Thread(target=self._work, name=f"{name}_{i}", daemon=True) for i in range(threads)]
        try:
            with _interrupts_held():
                for thread in self._threads:
                    thread.start()
        except BaseException:  # an interrupt noted while they started: they end at once
            self.close()
            raise

    def _work(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            key, fn = job
            try:
                self._done.put((key, fn(), None))
            except BaseException as exc:  # handed to the collector, raised there
                self._done.put((key, None, exc))

    def submit(self, key: Hashable, fn: Callable[[], Any]) -> None:
        """Run ``fn()`` on a thread; collect it with :meth:`result` (``key`` unique among those given)."""
        self._jobs.put((key, fn))
        self.pending.add(key)  # after the hand-over: a key pending is always on its way

    def result(self, key: Hashable) -> Any:
        """Wait for the job ``key`` and return its result, or raise what it raised (``None`` for a key
        not pending: collected already, or its hand-over interrupted)."""
        if key not in self.pending:
            return None
        while key not in self._arrived:
            got, value, exc = self._done.get()
            if got in self._dropped:
                self._dropped.discard(got)
            else:
                self._arrived[got] = (value, exc)
        self.pending.discard(key)  # first: an interrupt between the two leaves a result unread, not a wait
        value, exc = self._arrived.pop(key)
        if exc is not None:
            raise exc
        return value

    def drop(self, key: Hashable) -> None:
        """Forget the job ``key``: its result is thrown away when it comes."""
        self.pending.discard(key)
        if self._arrived.pop(key, None) is None:
            self._dropped.add(key)

    def close(self) -> None:
        """Drop the jobs not yet started and let the threads end after the ones running (not waited
        for: their results are thrown away)."""
        try:
            while True:
                self._jobs.get_nowait()
        except queue.Empty:
            pass
        for _ in self._threads:
            self._jobs.put(None)
        self.pending.clear()
        self._arrived.clear()


HELD_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGALRM)


@contextmanager
def _interrupts_held() -> Iterator[None]:
    """Within the block, the Python handlers of SIGINT, SIGTERM and SIGALRM only note the signal; on
    leaving it the handlers are restored and the first signal noted is handled then (only the main
    thread can set handlers: elsewhere the block runs unchanged)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    noted: list[tuple[signal.Signals, FrameType | None]] = []

    def note(signum: int, frame: FrameType | None) -> None:
        noted.append((signal.Signals(signum), frame))

    previous: dict[signal.Signals, Any] = {}
    for signum in HELD_SIGNALS:
        handler = signal.getsignal(signum)
        if callable(handler):  # a Python handler (not the default action or ignored)
            previous[signum] = signal.signal(signum, note)
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        if noted:
            signum, frame = noted[0]
            handler = previous[signum]
            assert callable(handler)
            handler(signum, frame)
