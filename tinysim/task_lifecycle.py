"""ECS tasks of a request-level run: placing (EC2: until an instance has room) -> starting (image pull,
health checks: ``task_start_s``) -> serving -> stopped. Scaling in stops tasks not yet serving first,
then the newest serving ones; a Fargate Spot task may be interrupted (two minutes' warning) and is
replaced like any stopped task."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import simpy

from tinysim.compute.ecs import EcsService, Task
from tinysim.ec2_fleet import InstanceFleet
from tinysim.run_records import RunRecords
from tinysim.spot import WARNING_S, SpotPlacement

__all__ = ["TaskLifecycle"]


@dataclass
class TaskLifecycle:
    """Starts and stops the service's tasks on SimPy's clock (on the fleet's instances with EC2)."""

    env: simpy.Environment
    ecs: EcsService
    fleet: InstanceFleet | None
    spot: SpotPlacement
    records: RunRecords
    task_start_s: float
    advance: Callable[[float], None]
    counts_changed: Callable[[], None]

    def start(self, desired: int) -> None:
        """``desired`` tasks serving at time 0 (placed on the instances ready then)."""
        for _ in range(desired):
            task = self.ecs.new_task(0.0)
            self._watch_if_spot(task)
            if self.fleet is not None:
                inst = self.fleet.cluster.room()
                assert inst is not None
                inst.tasks.add(task.id)
                task.instance = inst.id
            task.begin_serving(0.0)

    @property
    def desired(self) -> int:
        """The service's desired count: every task not stopped."""
        return len(self.ecs.active)

    def scale(self, target: int, **detail: Any) -> None:
        """Move the desired count to ``target``, logging a scale_out or scale_in with ``detail``."""
        now, current = float(self.env.now), self.desired
        if target == current:
            return
        self.records.log(
            now, "scale_out" if target > current else "scale_in", desired_from=current, desired_to=target, **detail
        )
        if target > current:
            for _ in range(target - current):
                self._launch(now)
            return
        waiting = sorted((t for t in self.ecs.active if t.state != "serving"), key=lambda t: t.id)
        victims = waiting[: current - target]
        victims += sorted(self.ecs.serving, key=lambda t: -t.id)[: current - target - len(victims)]
        self.advance(now)
        for task in victims:
            self.stop(task)

    def stop(self, task: Task) -> None:
        task.state = "stopped"
        if self.fleet is not None and task.instance is not None:
            self.fleet.cluster.instances[task.instance].tasks.discard(task.id)
            self.fleet.room_changed()
        self.records.log(float(self.env.now), "task_stop", task=task.id)
        self.counts_changed()

    def _launch(self, now_s: float) -> None:
        task = self.ecs.new_task(now_s)
        self._watch_if_spot(task)
        self.env.process(self._life(task))

    def _watch_if_spot(self, task: Task) -> None:
        """Place the task by the capacity provider strategy; a Spot task may be interrupted."""
        if self.spot.active and self.spot.next_is_spot():
            self.env.process(self._spot_life(task))

    def _spot_life(self, task: Task) -> Generator[simpy.Event, Any, None]:
        """Warning (timed from the task's start), two minutes, stop, replacement."""
        yield self.env.timeout(self.spot.time_to_warning_s())
        if task.state == "stopped":
            return
        self.records.log(float(self.env.now), "spot_interruption_warning", task=task.id)
        yield self.env.timeout(WARNING_S)
        if task.state == "stopped":
            return
        now = float(self.env.now)
        self.advance(now)
        self.stop(task)
        self._launch(now)

    def _life(self, task: Task) -> Generator[simpy.Event, Any, None]:
        if self.fleet is not None:
            inst = self.fleet.cluster.room()
            while task.state == "placing" and inst is None:
                yield self.fleet.room
                inst = self.fleet.cluster.room()
            if task.state == "stopped" or inst is None:
                return
            inst.tasks.add(task.id)
            task.instance = inst.id
        task.state = "starting"
        self.records.log(float(self.env.now), "task_placed", task=task.id, instance=task.instance)
        self.counts_changed()
        yield self.env.timeout(self.task_start_s)
        if task.state != "starting":
            return
        now = float(self.env.now)
        self.advance(now)
        task.begin_serving(now)
        self.records.log(now, "task_serving", task=task.id)
        self.counts_changed()
