"""Tasks that waited for a container instance: the desired count the service asked for against the
tasks it could place.

On the EC2 launch type a task the service launches is placed only on a registered instance with room
for its CPU and memory; until then it stays pending (PROVISIONING, "waiting for an instance"), and
it waits for good if no instance is ever added
(https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-lifecycle-explanation.html). Both
fidelities record the service's desired count in ``scale_out``/``scale_in`` events and each placement
as ``task_placed`` (then ``task_serving`` once started); waiting tasks are placed oldest first, and a
scale-in stops the tasks not yet serving before serving ones, oldest first (so placed, starting ones
before those still waiting), so replaying the events through a first-in first-out queue gives each
task's wait.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["TaskWaits", "task_waits"]


@dataclass(frozen=True)
class TaskWaits:
    """``desired_max``: the largest desired count; ``waited``: tasks that waited for an instance;
    ``longest_s``: the longest wait (seconds); ``still_waiting``: tasks unplaced when the run ended."""

    desired_max: int
    waited: int
    longest_s: float
    still_waiting: int


def task_waits(events: Iterable[tuple[float, str, Mapping[str, Any]]], horizon_s: float) -> TaskWaits:
    """Replay ``events`` (time in s, kind, details, in the order logged) of a run of ``horizon_s``."""
    queue: deque[float] = deque()  # launch times of tasks waiting to be placed
    desired_max = 0
    waits: list[float] = []
    starting = 0  # placed, not yet serving
    for t_s, kind, detail in events:
        if kind == "scale_out":
            start, end = int(detail["desired_from"]), int(detail["desired_to"])
            desired_max = max(desired_max, start, end)
            queue.extend([t_s] * (end - start))
        elif kind == "scale_in":
            start, end = int(detail["desired_from"]), int(detail["desired_to"])
            desired_max = max(desired_max, start)
            stopped_starting = min(starting, start - end)
            starting -= stopped_starting
            for _ in range(min(len(queue), start - end - stopped_starting)):
                waits.append(t_s - queue.popleft())
        elif kind == "task_placed":
            starting += 1
            if queue:
                waits.append(t_s - queue.popleft())
        elif kind == "task_serving":
            starting = max(0, starting - 1)
    still = len(queue)
    waits += [horizon_s - launched for launched in queue]
    waited = [w for w in waits if w > 0]
    return TaskWaits(desired_max, len(waited), max(waited, default=0.0), still)
