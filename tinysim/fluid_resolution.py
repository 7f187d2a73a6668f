"""What the fluid fidelity cannot resolve in a scenario, said to its user.

The fluid kernel integrates the offered rate over each step (60 s, or the shortest alarm period) and
serves a step's requests at the step's mean rate. A burst shorter than a step is spread over the step:
its requests are all counted, but the throttling, the queueing and the cold starts inside it are not (a
one-second burst that Lambda's scaling rate or the API Gateway bucket would throttle is served in full).
"""

from __future__ import annotations

from models.blueprint import blueprint
from models.scenario import Scenario, SpikeTraffic, TraceTraffic
from tinysim.fluid_record import step_s

__all__ = ["resolution_notes"]


def resolution_notes(scenario: Scenario) -> tuple[str, ...]:
    """One line per traffic feature shorter than the fluid step; nothing at request fidelity."""
    if scenario.fidelity != "fluid":
        return ()
    dt = step_s(blueprint(scenario.resolved_plan(), scenario.account))
    traffic = scenario.traffic
    shorter = None
    if isinstance(traffic, SpikeTraffic) and traffic.duration_s < dt:
        shorter = f"traffic.duration_s={traffic.duration_s:g}"
    elif isinstance(traffic, TraceTraffic) and traffic.timestamp_column is None and traffic.interval_s < dt:
        shorter = f"traffic.interval_s={traffic.interval_s}"
    if shorter is None:
        return ()
    return (
        f"{shorter} is shorter than the fluid step ({dt:g} s): its requests are spread over the step, so "
        "throttling, queueing and cold starts within it are not resolved; fidelity 'request' resolves them",
    )
