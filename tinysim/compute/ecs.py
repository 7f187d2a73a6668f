"""The ECS service: tasks with ``slots`` worker slots each, and the dispatch of requests to them.

A task's life is placing (EC2 only: waiting for room) -> starting (image pull, health checks) ->
serving -> stopped. Only serving tasks take requests; a stopped task finishes what it already holds.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

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
    """The tasks, and the state the compiled window (``tinysim.compute.ecs_window``) dispatches on."""

    slots: int
    dispatch: str
    tasks: list[Task] = field(default_factory=list)
    _key: tuple[int, ...] = ()
    _free: np.ndarray = field(default_factory=lambda: np.zeros((0, 0)))
    _heaps: np.ndarray = field(default_factory=lambda: np.zeros((0, HEAP_START)))
    _sizes: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

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

    def window_state(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The serving tasks' state for a window, in task order: slots' next free times (tasks x
        slots), outstanding-completion heaps (tasks x capacity) and their sizes. The arrays are
        kept while the serving set is unchanged (each task's ``free`` is a view of its row), so the
        compiled window updates them in place."""
        key = tuple(t.id for t in self.tasks if t.state == "serving")
        if key != self._key:
            self._sync_heaps()
            serving = [self.tasks[i] for i in key]
            free = np.stack([t.free for t in serving]) if serving else np.zeros((0, self.slots))
            width = max([t.heap.size for t in serving], default=HEAP_START)
            heaps = np.zeros((len(serving), width))
            for i, task in enumerate(serving):
                heaps[i, : task.heap_size] = task.heap[: task.heap_size]
                task.free = free[i]
            self._key, self._free, self._heaps = key, free, heaps
            self._sizes = np.array([t.heap_size for t in serving], dtype=np.int64)
        return self._free, self._heaps, self._sizes

    def keep_heaps(self, heaps: np.ndarray) -> None:
        """Keep the heap storage a window returned (it grows when a task's heap is full)."""
        self._heaps = heaps

    def _sync_heaps(self) -> None:
        for i, tid in enumerate(self._key):
            task = self.tasks[tid]
            task.heap, task.heap_size = self._heaps[i].copy(), int(self._sizes[i])
