"""The fleet's state at the end of every minute of a request-level run (the timeline's running,
pending, instances and CPU-credit columns), and the run's progress. A run whose horizon is not a whole
number of minutes ends with a partial minute, sampled at the horizon."""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any

import simpy

from tinysim.compute.ec2 import Cluster
from tinysim.compute.ecs import EcsService
from tinysim.run_records import RunRecords

__all__ = ["MinuteSampler"]


@dataclass
class MinuteSampler:
    """Appends one sample per minute to ``records.samples``; ``progress`` gets the simulated time."""

    env: simpy.Environment
    records: RunRecords
    advance: Callable[[float], None]
    ecs: EcsService | None
    cluster: Cluster | None
    progress: Callable[[float], None] | None

    def process(self) -> Generator[simpy.Event, Any, None]:
        while True:
            yield self.env.timeout(60.0)
            self.sample(float(self.env.now))

    def finish(self, horizon_s: float) -> None:
        """The last minute's sample, at the horizon: SimPy stops before the events due at its end."""
        last = self.records.samples[-1][0] if self.records.samples else 0.0
        if last < horizon_s:
            self.sample(horizon_s)

    def sample(self, now_s: float) -> None:
        self.advance(now_s)
        running = pending = instances = 0
        credits = math.nan
        if self.ecs is not None:
            running = self.ecs.count("serving")
            pending = self.ecs.count("starting") + self.ecs.count("placing")
        if self.cluster is not None:
            instances = len(self.cluster.alive)
            credits = self.cluster.credit_balance - self.cluster.surplus_credits
        self.records.samples.append((now_s, running, pending, instances, credits))
        if self.progress is not None:
            self.progress(now_s)
