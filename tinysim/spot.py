"""Fargate Spot interruptions in the request-level simulation.

Spot tasks are interrupted when AWS needs the capacity back: ECS gets a two-minute warning (the task
is sent SIGTERM and stops within 120 s: docs.aws.amazon.com/AmazonECS/latest/developerguide/
fargate-capacity-providers.html), and the service scheduler replaces the stopped task like any other,
so capacity dips for the replacement's start time. Interruptions arrive as a Poisson process at
``timings.spot_interruptions_per_task_hour`` per serving Spot task (an assumption; AWS publishes no
rate). Which tasks run on Spot follows the plan's capacity provider strategy: the first ``base`` tasks
on FARGATE, the rest in turn by the weights.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from models.plan import Plan

__all__ = ["WARNING_S", "SpotPlacement"]

#: The interruption notice: the task stops two minutes after the warning.
WARNING_S = 120.0


@dataclass
class SpotPlacement:
    """Decides the capacity of each new task and draws its time to interruption."""

    plan: Plan
    rate_per_hour: float
    seed: int
    started: int = 0
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng([self.seed, 0x5907])

    @property
    def active(self) -> bool:
        c = self.plan.container
        return c.launch_type == "fargate" and c.spot_strategy is not None and self.rate_per_hour > 0

    def next_is_spot(self) -> bool:
        """Whether the next task the service starts goes on FARGATE_SPOT."""
        cp = self.plan.container.spot_strategy
        i = self.started
        self.started += 1
        if cp is None or i < cp.base:
            return False
        cycle = cp.on_demand_weight + cp.spot_weight
        return (i - cp.base) % cycle >= cp.on_demand_weight

    def time_to_warning_s(self) -> float:
        """Seconds from a Spot task's start of serving to its interruption warning."""
        return float(self.rng.exponential(3600.0 / self.rate_per_hour))
