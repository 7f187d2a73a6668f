"""The order a sweep hands its request-level forecasts to workers: the largest first.

A request-level forecast costs about as much as the requests it draws, and the points of one grid
can differ many times over (``traffic.scale``, horizons). Handed out in grid order, a large point
drawn last runs alone while the other workers idle; largest first (the longest-processing-time
rule) keeps the workers busy to the end: with 2 workers and points of sizes 1, 1/2, 1, 1/2, ...
grid order finishes after 3.5 units of work per worker against 3 for largest first. The order
changes no result: every row is keyed by its configuration and seed.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import numpy as np

from models.scenario import Scenario, TraceTraffic
from tinysim.traffic import rate_function

__all__ = ["expected_requests", "largest_first"]

P = TypeVar("P")


def expected_requests(scenario: Scenario, seed: int) -> float:
    """About how many requests a request-level forecast of ``scenario`` draws: the traffic's mean
    rate (sampled each minute) times the horizon. A trace counts by its scale (points of one sweep
    replay the same trace)."""
    traffic = scenario.traffic
    if isinstance(traffic, TraceTraffic):
        return traffic.scale * scenario.horizon_s
    rate = rate_function(traffic, seed, scenario.start)
    probe = np.arange(0.0, max(scenario.horizon_s, 1.0), 60.0) + 30.0
    return float(np.mean(rate(probe))) * scenario.horizon_s


def largest_first(payloads: Sequence[P], size: Sequence[float]) -> list[P]:
    """``payloads`` ordered by ``size``, largest first (ties keep their order)."""
    order = sorted(range(len(payloads)), key=lambda i: -size[i])
    return [payloads[i] for i in order]
