"""Fargate Spot interruptions in the request-level simulation: two-minute warning, stop, replacement."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from models import InputError, Scenario
from tinysim.simulate import simulate


def _scenario(rate: float, **spot: Any) -> Scenario:
    return Scenario.model_validate(
        {
            "plan": {
                "front_door": "alb",
                "container": {
                    "launch_type": "fargate",
                    "task": {"cpu_units": 1024, "memory_mb": 2048},
                    "tasks": {"min": 4, "max": 4, "desired": 4},
                    "spot_strategy": {"base": 0, "on_demand_weight": 0, "spot_weight": 1, **spot},
                },
            },
            "traffic": {"kind": "constant", "rps": 30},
            "workload": {"service_time_ms": {"dist": "exponential", "mean": 100}},
            "timings": {"spot_interruptions_per_task_hour": rate},
            "horizon_s": 4 * 3600,
            "seed": 5,
        }
    )


def test_an_interrupted_task_stops_two_minutes_after_the_warning_and_is_replaced() -> None:
    result = simulate(_scenario(1.0))
    ev = result.events
    warnings = ev[ev["kind"] == "spot_interruption_warning"]
    assert len(warnings) >= 5  # 4 tasks x 4 h at 1 per task-hour: 16 expected
    stops = ev[ev["kind"] == "task_stop"]
    placed = ev[ev["kind"] == "task_placed"]
    for _, w in warnings.iterrows():
        task = w["detail"]["task"]
        stop = stops[stops["detail"].map(lambda d, t=task: d["task"] == t)]
        if w["t_s"] + 120 <= result.scenario.horizon_s:
            assert list(stop["t_s"]) == [w["t_s"] + 120]
            assert (np.isclose(placed["t_s"], w["t_s"] + 120)).any()  # the replacement starts at once
    # while a replacement starts, fewer tasks serve: capacity dips, as the timeline and the tail latency show
    assert result.timeline["tasks_running"].min() < 4
    calm = simulate(_scenario(0.0))
    assert calm.timeline["tasks_running"].min() == 4
    assert result.summary.latency_ms.p99 > 2 * calm.summary.latency_ms.p99
    # Spot task-hours bill at the Spot price
    items = {li.item for li in result.bill.lines if li.service == "Fargate"}
    assert items == {"vCPU-hours x86_64 Spot", "memory GB-hours x86_64 Spot"}


def test_no_interruptions_without_a_rate_or_on_demand_tasks() -> None:
    for sc in (_scenario(0.0), _scenario(1.0, on_demand_weight=1, spot_weight=0)):
        ev = simulate(sc).events
        assert not (ev["kind"] == "spot_interruption_warning").any()


def test_the_fluid_fidelity_refuses_spot_interruptions_by_name() -> None:
    # fluid does not model interruptions: refusing beats a forecast that silently leaves them out
    with pytest.raises(InputError, match=r"timings\.spot_interruptions_per_task_hour=1\.0: .*request level only"):
        simulate(_scenario(1.0).model_copy(update={"fidelity": "fluid"}))
    assert simulate(_scenario(0.0).model_copy(update={"fidelity": "fluid"})).summary.requests.offered > 0
