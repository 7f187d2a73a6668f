"""The fluid fidelity names a Lambda onset it cannot resolve: a rise in demand whose new environments,
each busy in INIT before its first request, briefly need more than the function's concurrency limit."""

from __future__ import annotations

from typing import Any

import pytest

from models import Scenario
from tinysim.fluid_resolution import resolution_notes

PLAN = {
    "architecture": "serverless",
    "front_door": "apigw-http",
    "serverless": {"memory_mb": 512, "package": "image", "reserved_concurrency": 800},
}


def _scenario(traffic: dict[str, Any], fidelity: str = "fluid") -> Scenario:
    return Scenario.model_validate(
        {
            "plan": PLAN,
            "traffic": traffic,
            "workload": {"service_time_ms": {"dist": "constant", "mean": 120}},
            "horizon_s": 3600,
            "fidelity": fidelity,
        }
    )


def test_a_spike_whose_cold_starts_reach_the_reserved_concurrency_is_named() -> None:
    # 20 -> 3,000 requests/s of 120 ms at 1,800 s: the step's mean need rises from 2.4 to 360 environments,
    # each new one in INIT for 800 ms (a container image) first: 2.4 + 357.6 x (1 + 800 / 120) = 2,744 > 800.
    # The request engine throttles ~1,800 requests at that onset; the fluid kernel throttles none.
    spike = {"kind": "spike", "base_rps": 20, "spike_rps": 3000, "start_s": 1800, "duration_s": 300}
    (note,) = resolution_notes(_scenario(spike))
    assert note.startswith("Lambda concurrency: the rise at 1800 s to 360 concurrent executions")
    assert "can briefly need 2744, beyond the limit of 800" in note
    assert resolution_notes(_scenario(spike, "request")) == ()


@pytest.mark.parametrize(
    "traffic",
    [
        {"kind": "constant", "rps": 100},  # from 0 to 12 environments: 12 x 7.67 = 92 < 800
        {"kind": "diurnal", "mean_rps": 400, "peak_rps": 600},  # 72 at most, rising slowly
        {
            "kind": "spike",
            "base_rps": 20,
            "spike_rps": 600,
            "start_s": 1800,
            "duration_s": 300,
        },  # 2.4 + 69.6 x 7.67 = 536
    ],
)
def test_rises_within_the_limit_are_not_named(traffic: dict[str, Any]) -> None:
    assert resolution_notes(_scenario(traffic)) == ()
