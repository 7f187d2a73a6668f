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
from multiprocessing.context import BaseContext

__all__ = ["PRELOAD", "worker_context"]

#: Imported by the fork server before it forks any worker.
PRELOAD = ["tinysim.worker_preload"]


def worker_context() -> BaseContext:
    """The ``multiprocessing`` context sweep workers start from (the fork server, preloaded)."""
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(PRELOAD)
    return context
