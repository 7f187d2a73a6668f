"""The EC2 capacity provider of a request-level run: instances launched by the cluster's scaling policy
boot for ``instance_boot_s`` and then take tasks; an empty instance may be terminated; burstable
instances settle CPU credits for every stretch of time up to the run's end."""

from __future__ import annotations

from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from tinysim.compute.ec2 import Cluster, Instance
from tinysim.run_records import RunRecords

__all__ = ["InstanceFleet"]


@dataclass
class InstanceFleet:
    """The cluster's instances on SimPy's clock.

    ``advance`` brings the data plane up to a time before the fleet changes; ``counts_changed`` records
    the new sizes. ``room`` is an event that fires whenever a task slot may have freed up."""

    env: simpy.Environment
    cluster: Cluster
    records: RunRecords
    boot_s: float
    advance: Callable[[float], None]
    counts_changed: Callable[[], None]
    room: simpy.Event = field(init=False)
    settled_s: float = 0.0  # credits are settled up to here

    def __post_init__(self) -> None:
        self.room = self.env.event()

    def start(self, count: int) -> None:
        """``count`` instances ready at time 0."""
        for _ in range(count):
            self.cluster.launch(0.0).state = "ready"

    def room_changed(self) -> None:
        event, self.room = self.room, self.env.event()
        event.succeed()

    def launch(self, now_s: float, cpu_pct: float | None) -> None:
        inst = self.cluster.launch(now_s)
        self.records.log(now_s, "instance_launch", instance=inst.id, cpu_pct=cpu_pct)
        self.counts_changed()
        self.env.process(self._boot(inst))

    def terminate_empty(self, now_s: float, cpu_pct: float | None) -> bool:
        """Terminate the newest ready instance without tasks; ``False`` when every one holds a task."""
        empty = [i for i in self.cluster.ready if not i.tasks]
        if not empty:
            return False
        empty[-1].state = "terminated"
        self.records.log(now_s, "instance_terminate", instance=empty[-1].id, cpu_pct=cpu_pct)
        self.counts_changed()
        return True

    def settle_credits(self, now_s: float, used_vcpu_s: float) -> None:
        """Settle CPU credits for [``settled_s``, ``now_s``) given the vCPU-seconds used in it."""
        if now_s > self.settled_s:
            self.cluster.settle_credits(now_s - self.settled_s, used_vcpu_s)
            self.settled_s = now_s

    def _boot(self, inst: Instance) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.boot_s)
        if inst.state == "booting":
            now = float(self.env.now)
            self.advance(now)
            inst.state = "ready"
            self.records.log(now, "instance_ready", instance=inst.id)
            self.room_changed()
