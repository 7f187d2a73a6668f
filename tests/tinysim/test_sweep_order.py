"""Request-level sweep points go to workers largest first, sized by the requests they draw."""

from __future__ import annotations

import pytest

from models import Scenario
from tinysim.sweep_order import expected_requests, largest_first


def _scenario(traffic: dict[str, object], horizon_s: int) -> Scenario:
    return Scenario.model_validate({"plan": {"front_door": "alb"}, "traffic": traffic, "horizon_s": horizon_s})


def test_expected_requests_is_mean_rate_times_horizon() -> None:
    # 166.67 requests/s for a week: 166.67 x 604,800 s (by hand: about 100.8 M)
    week = _scenario({"kind": "constant", "rps": 166.67}, 7 * 86_400)
    assert expected_requests(week, 0) == pytest.approx(166.67 * 604_800, rel=1e-12)
    # a spike of 110 rps for 600 s over a base of 30 rps in an hour: 30 x 3600 + 80 x 600 = 156,000
    spike = _scenario({"kind": "spike", "base_rps": 30, "spike_rps": 110, "start_s": 600, "duration_s": 600}, 3600)
    assert expected_requests(spike, 0) == pytest.approx(156_000, rel=1e-9)


def test_largest_first_keeps_ties_in_order() -> None:
    assert largest_first(["a", "b", "c", "d"], [0.5, 1.0, 0.5, 1.0]) == ["b", "d", "a", "c"]
