"""What is settled per period or sampled per minute reaches the horizon (SimPy's ``run(until=h)`` does
not run the events due at ``h`` itself).

T3 Unlimited by hand (docs.aws.amazon.com/AWSEC2/latest/UserGuide/burstable-credits-baseline-concepts.html
and burstable-performance-instances-unlimited-mode-concepts.html): a t3.micro has 2 vCPUs and earns 12
credits an hour (0.2 a minute); a credit is one vCPU at 100% for a minute; it launches with no credits
in Unlimited mode, so what it spends beyond its earnings is surplus, billed per vCPU-hour.
The seed's task (2,048 CPU units = 2 vCPUs) kept busy all along (1,000 requests/s of 50 ms work) at
95% CPU uses 1.9 vCPU-minutes a minute: surplus 1.9 - 0.2 = 1.7 credits a minute, 17 over the
10-minute run = 17/60 vCPU-hours, x 730 h x 3,600 / 600 s for the month = 1,241 vCPU-hours.
"""

from __future__ import annotations

import pytest

from models import Scenario
from tinysim.simulate import simulate


def busy_t3(horizon_s: int, **scaling: int) -> Scenario:
    return Scenario.model_validate(
        {
            "plan": {
                "container": {
                    "tasks": {"min": 1, "max": 1, "desired": 1},
                    "instances": {"min": 1, "max": 1},
                    "scaling": scaling,
                }
            },
            "traffic": {"kind": "constant", "rps": 1000},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 50}, "cpu_fraction": 0.95},
            "horizon_s": horizon_s,
        }
    )


def surplus_vcpu_hours(s: Scenario) -> float:
    line = next(li for li in simulate(s).bill.lines if "surplus CPU credits" in li.item)
    return float(line.quantity)


def test_the_last_minute_of_t3_credits_is_billed() -> None:
    # the task starts busy at the first arrival (~1 ms): 1,241 to within 0.01%
    assert surplus_vcpu_hours(busy_t3(600)) == pytest.approx(17 / 60 * 730 * 3600 / 600, rel=1e-4)


def test_a_partial_last_period_is_settled() -> None:
    # 300 s CloudWatch periods over 630 s: settlements at 300 and 600, and the last 30 s at the horizon
    expected = 1.7 * 630 / 60 / 60 * 730 * 3600 / 630  # 17.85 credits; the month factor is 730 h / 630 s
    assert surplus_vcpu_hours(busy_t3(630, period_s=300)) == pytest.approx(expected, rel=1e-4)


def test_the_last_timeline_row_is_the_last_minute() -> None:
    timeline = simulate(busy_t3(600)).timeline
    # the balance at the end of each minute: -1.7 credits a minute
    assert list(timeline["cpu_credits"].round(3)) == pytest.approx([-1.7 * (m + 1) for m in range(10)], abs=1e-3)


def test_a_partial_last_minute_is_sampled_at_the_horizon() -> None:
    timeline = simulate(busy_t3(630)).timeline
    assert len(timeline) == 11
    assert timeline["cpu_credits"].iloc[-1] == pytest.approx(-1.7 * 10.5, abs=1e-3)
    # CPU of the last 30 s is over those 30 s, not over a whole minute
    assert timeline["cpu_pct"].iloc[-1] == pytest.approx(95.0, abs=1e-6)
