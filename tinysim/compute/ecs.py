"""The ECS service: tasks with ``slots`` worker slots each, and the dispatch of requests to them.

A task's life is placing (EC2 only: waiting for room) -> starting (image pull, health checks) ->
serving -> stopped. Only serving tasks take requests; a stopped task finishes what it already holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tinysim.queueing import least_outstanding_fifo, pooled_fifo, routed_fifo
from tinysim.traffic import Arrivals

__all__ = ["EcsService", "Task"]

HEAP_START = 16


@dataclass
class Task:
    """One ECS task and its slots' next-free times."""

    id: int
    slots: int
    requested_s: float
    state: str = "placing"
    instance: int | None = None
    free: np.ndarray = field(default_factory=lambda: np.zeros(0))
    heap: np.ndarray = field(default_factory=lambda: np.zeros(HEAP_START))
    heap_size: int = 0

    def begin_serving(self, now_s: float) -> None:
        self.state = "serving"
        self.free = np.full(self.slots, now_s)


@dataclass
class EcsService:
    """Routes each window's requests to the serving tasks and computes their start times exactly."""

    slots: int
    dispatch: str
    tasks: list[Task] = field(default_factory=list)
    rr: int = 0

    def new_task(self, now_s: float) -> Task:
        task = Task(len(self.tasks), self.slots, now_s)
        self.tasks.append(task)
        return task

    @property
    def serving(self) -> list[Task]:
        return [t for t in self.tasks if t.state == "serving"]

    def count(self, state: str) -> int:
        return sum(1 for t in self.tasks if t.state == state)

    @property
    def active(self) -> list[Task]:
        """Tasks that count toward the desired count (not stopped)."""
        return [t for t in self.tasks if t.state != "stopped"]

    def route(self, arr: Arrivals) -> np.ndarray | None:
        """Start times of the requests, or ``None`` when no task is serving (all are refused)."""
        serving = self.serving
        n = len(serving)
        if n == 0:
            return None
        if len(arr) == 0:
            return np.empty(0)
        if self.dispatch == "central_queue":
            free = np.concatenate([t.free for t in serving])
            start = pooled_fifo(arr.t, arr.service_s, free)
            for i, task in enumerate(serving):
                task.free = free[i * self.slots : (i + 1) * self.slots]
            return np.asarray(start)
        free2 = np.stack([t.free for t in serving])
        if self.dispatch == "least_outstanding":
            width = max(t.heap.size for t in serving)
            heaps = np.zeros((n, width))
            sizes = np.array([t.heap_size for t in serving], dtype=np.int64)
            for i, task in enumerate(serving):
                heaps[i, : task.heap_size] = task.heap[: task.heap_size]
            start, _, heaps = least_outstanding_fifo(arr.t, arr.service_s, free2, heaps, sizes)
            for i, task in enumerate(serving):
                task.heap, task.heap_size = heaps[i].copy(), int(sizes[i])
        else:
            if self.dispatch == "round_robin":
                which = (self.rr + np.arange(len(arr))) % n
                self.rr = int((self.rr + len(arr)) % n)
            else:  # random
                which = np.minimum((arr.u * n).astype(np.int64), n - 1)
            start = routed_fifo(arr.t, arr.service_s, which, free2)
        for i, task in enumerate(serving):
            task.free = free2[i]
        return np.asarray(start)
