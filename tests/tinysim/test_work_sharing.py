"""Work shared between worker processes and this one: every item runs exactly once, this process
takes items too (the largest at once, while the workers start), the workers keep taking items
while this process is busy with its own, a process left without an item says so while the others
still run theirs, and a worker's failure comes back as an error, not a hang."""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import ProcessPoolExecutor

import pytest

from tinysim.work_sharing import SharedFlag, map_sharing_work


def _pid_after(seconds: float) -> tuple[float, int, float, float]:
    start = time.time()  # the wall clock: one for every process
    time.sleep(seconds)
    return seconds, os.getpid(), start, time.time()


def _fail(item: int) -> int:
    raise ValueError(f"item {item} failed in a worker")


def _die(item: int) -> int:
    os._exit(1)


def _pool(workers: int) -> ProcessPoolExecutor:
    return ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"))


def test_every_item_runs_once_here_and_in_the_workers() -> None:
    items = [1.5, 1.0, 1.0, 0.5, 0.5, 0.3, 0.2, 0.1]  # largest first: 5.1 s, a worker starts in ~1 s
    with _pool(1) as pool:
        results = list(map_sharing_work(pool, 1, _pid_after, items))
    assert sorted(r[0] for r in results) == sorted(items)
    here = [r for r in results if r[1] == os.getpid()]
    there = [r for r in results if r[1] != os.getpid()]
    assert here[0][0] == 1.5 and there  # this process took the largest at once; the worker took some
    # side by side: an item of the worker ran while one of this process did
    assert any(a[2] < b[3] and b[2] < a[3] for a in here for b in there)


def test_a_workers_exception_is_raised_here() -> None:
    # this process runs its items without failing; the worker's first (item 1) fails
    with _pool(1) as pool, pytest.raises(ValueError, match="item 1 failed in a worker"):
        list(map_sharing_work(pool, 1, _fail, [0, 1, 2, 3, 4, 5], here=lambda item: item))


def test_a_dead_worker_is_an_error_not_a_hang() -> None:
    t0 = time.perf_counter()
    with _pool(1) as pool, pytest.raises(RuntimeError):  # BrokenProcessPool, or no worker left
        list(map_sharing_work(pool, 1, _die, list(range(6)), here=lambda item: time.sleep(0.3)))
    assert time.perf_counter() - t0 < 30


def test_a_process_left_without_an_item_says_so() -> None:
    """Once every item is handed out, the first process to find none left calls ``drained``, while
    the others still run theirs (a sweep then lends them its core); not before."""
    drained_at: list[float] = []
    idle = threading.Event()

    def drained() -> None:
        drained_at.append(time.time())
        idle.set()

    def here(seconds: float) -> tuple[float, int, float, float]:  # runs until a worker is left idle
        start = time.time()
        assert idle.wait(30), "no process said it was left idle"
        return seconds, os.getpid(), start, time.time()

    with _pool(1) as pool:  # this process takes 5.0 at once; the worker takes the others
        results = list(map_sharing_work(pool, 1, _pid_after, [5.0, 0.2, 0.1], here=here, drained=drained))
    assert sorted(r[0] for r in results) == [0.1, 0.2, 5.0]
    mine = next(r for r in results if r[1] == os.getpid())
    assert mine[0] == 5.0 and drained_at[0] < mine[3]  # said while this process's item still ran
    assert drained_at[0] >= max(r[2] for r in results)  # and only after the last item had started


def _set_then_read(flag: SharedFlag) -> None:
    flag.set()
    while True:  # reading it until killed
        flag.is_set()


def test_a_shared_flag_outlives_a_worker_killed_while_reading_it() -> None:
    """A worker sets the flag and is killed while reading it; this process sees it set and can still
    set it (a ``multiprocessing.Event`` locks to read: a worker killed holding that lock would leave
    every later ``set`` here waiting for ever)."""
    spawn = multiprocessing.get_context("spawn")
    flag = SharedFlag(spawn)
    assert not flag.is_set()
    worker = spawn.Process(target=_set_then_read, args=(flag,))
    worker.start()
    for _ in range(300):
        if flag.is_set():
            break
        time.sleep(0.05)
    assert flag.is_set()
    worker.kill()
    worker.join(10)
    t0 = time.perf_counter()
    flag.set()
    assert flag.is_set() and time.perf_counter() - t0 < 0.1
