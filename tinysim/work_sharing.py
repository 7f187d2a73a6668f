"""Items of work shared between worker processes and the calling process, the largest first.

A sweep's ``processes`` executor spawns its workers, and each spawned worker imports tinysim and
loads its compiled kernels before its first point: 1.3-1.6 s of a core here, in a sweep of a few
tens of seconds. The calling process has both already, so it takes points too: with ``n`` cores,
``n - 1`` workers and this process work through one queue, this one starting at once while the
workers start. Whoever is free takes the next item from the front (a worker through a callback
when its last item completes, this process between its own items), so items handed out largest
first keep everyone busy to the end. When the items run out, the first to find none left says so
(``drained``): the forecasts still running can then take up the cores it leaves.
"""

from __future__ import annotations

import ctypes
import queue
import signal
import threading
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import contextmanager
from multiprocessing.context import BaseContext
from typing import Any

__all__ = ["SharedFlag", "map_sharing_work", "sigint_blocked"]

POLL_S = 0.2  # how often a wait for the workers' results looks up (interrupts land between looks)


class SharedFlag:
    """A flag that processes started with it (as an argument when they are spawned) read and set:
    one byte of shared memory, with no lock. A ``multiprocessing.Event`` takes a lock to read or
    set: a worker killed while holding it (its ``is_set``) would leave every later ``set`` waiting
    for ever."""

    def __init__(self, context: BaseContext) -> None:
        self._byte = context.RawValue(ctypes.c_bool, False)

    def set(self) -> None:
        self._byte.value = True

    def is_set(self) -> bool:
        return bool(self._byte.value)


@contextmanager
def sigint_blocked() -> Iterator[None]:
    """Within the block, SIGINT is blocked in this thread (not ignored: one that arrives is raised
    when the block ends). Processes started in the block inherit the blocked signal, so a Ctrl-C at
    the terminal, which goes to the whole process group, is left to this process."""
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT}) if hasattr(signal, "pthread_sigmask") else None
    try:
        yield
    finally:
        if held is not None:
            signal.pthread_sigmask(signal.SIG_SETMASK, held)


def map_sharing_work(
    pool: ProcessPoolExecutor,
    workers: int,
    fn: Callable[[Any], Any],
    items: Sequence[Any],
    here: Callable[[Any], Any] | None = None,
    drained: Callable[[], None] | None = None,
) -> Iterator[Any]:
    """``fn(item)`` for every item, in ``pool``'s ``workers`` processes and in this one (through
    ``here``, if given: ``fn`` as this process should run it); the results are yielded as they
    complete (unordered). ``drained`` is called (from any thread, perhaps more than once) whenever a
    process, this one or a worker, is left without an item because none is left. A worker's
    exception is raised here when its result comes; an interrupt here leaves the pool to the caller
    (end its workers). Raises ``RuntimeError`` if the pool stopped taking items (broken) before all
    were run."""
    todo = deque(items)
    lock = threading.Lock()
    finished: queue.SimpleQueue[Future[Any]] = queue.SimpleQueue()
    given = [0]  # items taken for the workers whose futures are not yet in ``finished``

    def feed(done: Future[Any] | None = None) -> None:
        """Give a worker the next item (after its last one, ``done``, completed)."""
        with lock:  # a result is in ``finished`` before it stops counting as given
            if done is not None:
                finished.put(done)
                given[0] -= 1
            got = bool(todo)
            item = todo.popleft() if got else None
            given[0] += got
        if not got:
            if drained is not None:  # a worker left idle (or never started: its core is free)
                drained()
            return
        try:
            future = pool.submit(fn, item)
        except RuntimeError:  # the pool is broken or shutting down (an interrupt): not run
            with lock:
                given[0] -= 1
            return
        future.add_done_callback(feed)

    def mine() -> tuple[bool, Any]:
        with lock:
            if todo:
                return True, todo.popleft()
        if drained is not None:  # this process left idle
            drained()
        return False, None

    def results(wait_s: float | None) -> Iterator[Any]:
        """The workers' results in ``finished``; with ``wait_s``, waiting that long for the first."""
        while True:
            try:
                done = finished.get(timeout=wait_s) if wait_s is not None else finished.get_nowait()
            except queue.Empty:
                return
            wait_s = None  # the rest only if already there
            yield done.result()

    total = len(todo)
    yielded = 0
    got, item = mine()  # this process starts on the largest at once
    with sigint_blocked():  # the first submissions start the workers: they inherit the mask
        for _ in range(workers):
            feed()
    while got:
        yield (here or fn)(item)
        yielded += 1
        for result in results(None):  # the workers' results that came meanwhile
            yielded += 1
            yield result
        got, item = mine()
    while yielded < total:
        for result in results(POLL_S):
            yielded += 1
            yield result
        with lock:
            stalled = given[0] == 0 and finished.empty()
        if stalled and yielded < total:
            raise RuntimeError("the worker processes stopped before every point was run")
