"""Stopping long work cleanly: SIGTERM (what ``kill``, systemd and container runtimes send) ends it
like Ctrl-C does, and worker processes are ended with it rather than left running."""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from types import FrameType

__all__ = ["caused_by_interrupt", "die_with_parent", "end_workers", "sigterm_interrupts"]

#: prctl(2) option: the signal this process gets when the thread that started it ends
PR_SET_PDEATHSIG = 1


def caused_by_interrupt(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is in ``exc``'s chain: Ctrl-C or SIGTERM handled while a compiled kernel
    runs surfaces as the kernel's SystemError with the KeyboardInterrupt as its context."""
    seen: set[int] = set()
    cur: BaseException | None = exc
    while cur is not None and id(cur) not in seen:
        if isinstance(cur, KeyboardInterrupt):
            return True
        seen.add(id(cur))
        cur = cur.__cause__ or cur.__context__
    return False


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@contextmanager
def sigterm_interrupts() -> Iterator[None]:
    """Within the block, SIGTERM raises ``KeyboardInterrupt`` (only the main thread can set handlers;
    elsewhere the block runs unchanged). The previous handler is restored on exit."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def end_workers(pool: ProcessPoolExecutor) -> None:
    """Cancel what has not started and terminate the pool's worker processes now (not after their task)."""
    workers = list((getattr(pool, "_processes", None) or {}).values())  # the pool keeps no public list
    pool.shutdown(wait=False, cancel_futures=True)
    for worker in workers:
        worker.terminate()
    for worker in workers:
        worker.join(timeout=5)


def die_with_parent(parent_pid: int) -> None:
    """In a worker process started by ``parent_pid``: ask the kernel to SIGKILL this process when
    its parent ends, however it ends (Linux's ``prctl(PR_SET_PDEATHSIG)``; elsewhere nothing). A
    worker whose parent was killed (SIGKILL gives it no chance to end its workers) then stops at
    once instead of running its point to the end for nobody. If the parent has ended already, this
    process ends now. The kernel sends the signal when the *thread* that started the process ends:
    start workers from a thread that outlives them (a sweep starts them from its own)."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)  # the symbols already loaded, libc's among them
    if libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
        return  # not allowed here (a sandbox): the worker ends after its point, as before
    if os.getppid() != parent_pid:  # the parent ended before the request was made
        os._exit(1)
