"""Where a Fargate service's tasks run: FARGATE or FARGATE_SPOT, by the plan's capacity provider
strategy (docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html: the
first ``base`` tasks on the base provider, the rest split in the ratio of the weights)."""

from __future__ import annotations

import numpy as np

from models.plan import Plan

__all__ = ["spot_tasks"]


def spot_tasks(plan: Plan, tasks: np.ndarray | float) -> np.ndarray:
    """Of ``tasks`` running (a count or an hourly average, elementwise), how many are on Spot."""
    n = np.asarray(tasks, dtype=float)
    cp = plan.container.spot_strategy
    if cp is None or plan.container.launch_type != "fargate":
        return np.zeros_like(n)
    above_base = np.maximum(0.0, n - cp.base)
    return np.asarray(above_base * cp.spot_weight / (cp.spot_weight + cp.on_demand_weight))
