"""Engine invariants: conservation of requests, determinism, the front doors' limits, Lambda's rules,
and properties over random scenarios."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models import Scenario
from tests.tinysim.helpers import fixed_service
from tinysim.simulate import simulate

OUTCOMES = ["served", "throttled", "timed_out", "in_flight"]


def conserved(result: Any) -> None:
    tl = result.timeline
    assert (tl["offered"] == tl[OUTCOMES].sum(axis=1)).all()
    r = result.summary.requests
    assert r.offered == sum(getattr(r, k) for k in OUTCOMES)


def serverless(**extra: Any) -> Scenario:
    data: dict[str, Any] = {"plan": {"architecture": "serverless", "front_door": "apigw-http"}, "horizon_s": 600}
    data.update(extra)
    return Scenario.model_validate(data)


def test_same_seed_same_result_other_seed_differs() -> None:
    sc = fixed_service(2, "round_robin", 30, 50, 1800)
    a, b = simulate(sc), simulate(sc)
    pd.testing.assert_frame_equal(a.timeline, b.timeline)
    assert a.summary == b.summary
    c = simulate(sc.model_copy(update={"seed": 8}))
    assert c.summary.requests.offered != a.summary.requests.offered


def test_api_gateway_token_bucket_throttles_exactly() -> None:
    # 30,000 requests/s for one second on a full bucket: 5,000 burst + refills at 10,000/s.
    sc = Scenario.model_validate(
        {
            "plan": {"container": {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}}},
            "traffic": {"kind": "spike", "base_rps": 0, "spike_rps": 30000, "start_s": 10, "duration_s": 1},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 1}, "concurrency_per_task": 1000},
            "horizon_s": 120,
        }
    )
    result = simulate(sc)
    r = result.summary.requests
    admitted = r.offered - r.throttled
    assert 15_000 - 2 <= admitted <= 15_000 + 1  # tokens: 5,000 + 10,000 x (last - first arrival)
    conserved(result)


def test_integration_timeout_turns_slow_answers_into_504() -> None:
    # One slot, constant 2 s service, 1 request/s: the queue grows by 1 s per request, so from about
    # the 31st request on the HTTP API's 30 s timeout answers first.
    sc = Scenario.model_validate(
        {
            "plan": {
                "container": {
                    "launch_type": "fargate",
                    "task": {"cpu_units": 1024, "memory_mb": 2048},
                    "tasks": {"min": 1, "max": 1, "desired": 1},
                }
            },
            "traffic": {"kind": "constant", "rps": 1},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 2000}},
            "horizon_s": 600,
        }
    )
    result = simulate(sc)
    r = result.summary.requests
    assert r.timed_out > 0.8 * r.offered
    assert result.summary.latency_ms.max <= 30_000
    conserved(result)


def test_lambda_cold_starts_then_warm() -> None:
    result = simulate(
        serverless(
            traffic={"kind": "constant", "rps": 50},
            workload={"service_time_ms": {"dist": "constant", "mean": 100}, "cold_start_ms": 500},
        )
    )
    lam = result.summary.lambda_
    # about rate x (duration + init) environments at the start, then reuse: few cold starts
    assert 5 <= lam.cold_starts <= 60
    assert lam.cold_starts < result.summary.requests.served / 100
    assert result.summary.latency_ms.max >= 600  # a cold request waits for INIT
    conserved(result)


def test_reserved_concurrency_throttles() -> None:
    result = simulate(
        serverless(
            plan={"architecture": "serverless", "front_door": "alb", "serverless": {"reserved_concurrency": 5}},
            traffic={"kind": "constant", "rps": 100},
            workload={"service_time_ms": {"dist": "constant", "mean": 100}, "cold_start_ms": 0},
        )
    )
    lam = result.summary.lambda_
    assert lam.max_concurrency == 5
    # A loss system with 5 servers and 10 Erlangs offered: Erlang B (insensitive to the service
    # distribution) gives the share throttled.
    b = 1.0
    for servers in range(1, 6):
        b = 10 * b / (servers + 10 * b)
    assert lam.throttles / result.summary.requests.offered == pytest.approx(b, abs=0.01)
    conserved(result)


def test_lambda_scaling_rate_1000_per_10_s() -> None:
    # A burst needing 3,000 environments at once: 1,000 may start per 10 s window, the rest are throttled.
    result = simulate(
        serverless(
            plan={"architecture": "serverless", "front_door": "alb", "serverless": {"reserved_concurrency": 1000}},
            traffic={"kind": "spike", "base_rps": 0, "spike_rps": 3000, "start_s": 0, "duration_s": 5},
            workload={"service_time_ms": {"dist": "constant", "mean": 60000}, "cold_start_ms": 0},
            horizon_s=120,
            account={"lambda_concurrency": 1100},  # a reservation of 1,000 leaves Lambda its unreserved 100
        )
    )
    lam = result.summary.lambda_
    assert lam.cold_starts == 1000 and lam.max_concurrency == 1000
    assert lam.throttles == result.summary.requests.offered - 1000


def test_provisioned_concurrency_avoids_cold_starts() -> None:
    base = {
        "traffic": {"kind": "constant", "rps": 5},
        "workload": {"service_time_ms": {"dist": "constant", "mean": 100}, "cold_start_ms": 800},
    }
    cold = simulate(serverless(**base))
    warm = simulate(
        serverless(plan={"architecture": "serverless", "serverless": {"provisioned_concurrency": 5}}, **base)
    )
    assert cold.summary.lambda_.cold_starts > 0 and warm.summary.lambda_.cold_starts == 0
    assert warm.bill.by_service()["Lambda"] > cold.bill.by_service()["Lambda"]  # idle provisioned capacity is paid


def test_alb_bill_uses_hourly_lcus() -> None:
    sc = fixed_service(5, "round_robin", 500, 5, 7200)
    result = simulate(sc)
    hourly = result.hourly_usage
    assert len(hourly) == 2
    # 500 requests/s, one per connection: 500/25 = 20 LCU of new connections, 500 x 61/3000 = 10.2 of
    # active ones, and 500 x 12 KB x 3600 s = 21.6 GB an hour = 21.6 LCU: processed bytes set the bill.
    assert hourly["alb_new_connections_per_s"].mean() == pytest.approx(500, rel=0.01)
    lcu_line = next(li for li in result.bill.lines if li.item.startswith("LCU-hours"))
    assert "processed bytes" in lcu_line.item
    assert lcu_line.quantity == pytest.approx(Decimal(730) * Decimal("21.6"), rel=Decimal("0.01"))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rps=st.floats(1, 80),
    k=st.floats(1.5, 4),
    arch=st.sampled_from(["container", "serverless"]),
    door=st.sampled_from(["apigw-http", "apigw-rest", "alb"]),
    dispatch=st.sampled_from(["round_robin", "least_outstanding", "random", "central_queue"]),
    seed=st.integers(0, 10**6),
)
def test_properties(rps: float, k: float, arch: str, door: str, dispatch: str, seed: int) -> None:
    def run(rate: float) -> Any:
        return simulate(
            Scenario.model_validate(
                {
                    "plan": {
                        "architecture": arch,
                        "front_door": door,
                        "container": {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}},
                    },
                    "traffic": {"kind": "diurnal", "mean_rps": rate, "peak_rps": 1.5 * rate},
                    "workload": {
                        "service_time_ms": {"dist": "lognormal", "mean": 40, "p99": 400},
                        "dispatch": dispatch,
                    },
                    "horizon_s": 1800,
                    "seed": seed,
                }
            )
        )

    low, high = run(rps), run(rps * k)
    conserved(low)
    conserved(high)
    assert high.bill.total_exact_usd >= low.bill.total_exact_usd  # more traffic never costs less
    for result in (low, high):
        assert all(li.amount_exact_usd >= 0 for li in result.bill.lines)
        lat = result.timeline[["latency_p50_ms", "latency_p95_ms", "latency_p99_ms"]].dropna().to_numpy()
        assert np.all(np.diff(lat, axis=1) >= -1e-9)  # p50 <= p95 <= p99 every minute
