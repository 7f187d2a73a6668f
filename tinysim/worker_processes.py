"""Where a sweep's worker processes come from: a fork server that imported tinysim and loaded its
request-level kernels once.

A freshly spawned worker imports tinysim (pandas, pydantic, numba) and loads each compiled kernel from
the on-disk cache before its first forecast: about a second per worker here, paid by every sweep. A
fork server (``multiprocessing``'s ``forkserver`` start method) is started once per session, from a
clean interpreter with no threads; it imports :mod:`tinysim.worker_preload`, which loads the kernels a
request-level forecast uses, and each worker is then a fork of it, ready at once. Forking the server,
not the caller, keeps the caller's threads (a dashboard's, a run's background threads, numba's
thread pool) out of the workers. The server ends with the session.
"""

from __future__ import annotations

import multiprocessing
import signal
import threading
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

__all__ = ["PRELOAD", "worker_context"]

#: Imported by the fork server before it forks any worker.
PRELOAD = ["tinysim.worker_preload"]


def worker_context() -> BaseContext:
    """The ``multiprocessing`` context sweep workers start from (the fork server, preloaded)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    if not _READY:
        _start_fork_server()
        # wait here, interruptibly, until the server has imported tinysim and forks: the pool's
        # workers are then forked at once, and an interrupt while it loads leaves no pool behind
        probe = context.Process(target=_ready, name="tinysim-fork-server-ready")
        probe.start()
        probe.join()
        _READY.append(True)
    return context


_READY: list[bool] = []  # the fork server has been seen forking (once per session)


def _ready() -> None:
    """The probe's work: none (it only shows that the server forks)."""


def _start_fork_server() -> None:
    """Start the fork server (if not running) ignoring SIGINT from the start: a Ctrl-C at the terminal
    reaches every process of the foreground group, and the caller handles it (ending the workers), so
    neither the server, while it imports, nor the workers forked from it print a KeyboardInterrupt.
    Only the main thread can change a signal's handling; from another thread the server starts as is."""
    if threading.current_thread() is not threading.main_thread():
        forkserver.ensure_running()
        return
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)  # inherited by the server it starts
    try:
        forkserver.ensure_running()
    finally:
        signal.signal(signal.SIGINT, previous)
