"""The typed run summary: SLO metrics checked against every request of a run, counted by hand."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import numpy as np
import pytest

from models import Scenario
from tests.tinysim.helpers import fixed_service
from tinysim import simulate
from tinysim.dataplane import IN_FLIGHT, SERVED, THROTTLED, TIMED_OUT
from tinysim.stats import LogHistogram
from tinysim.summary import LatencyStats, ServedLatency, latency_over_all


class Everything:
    """Observer keeping each request's outcome and latency (seconds)."""

    def __init__(self) -> None:
        self.outcome: list[np.ndarray] = []
        self.latency: list[np.ndarray] = []

    def __call__(self, t: np.ndarray, outcome: np.ndarray, latency: np.ndarray, wait: np.ndarray) -> None:
        self.outcome.append(outcome.copy())
        self.latency.append(latency.copy())


def overloaded() -> Scenario:
    # one 10 ms worker offered 105 requests/s (utilisation 1.05): the queue grows until the ALB's 60 s
    # idle timeout cuts requests off, so the run has both served and timed-out requests (about a third).
    return fixed_service(1, "central_queue", 105, 10, 1800)


def test_failures_availability_and_percentiles_over_all_requests_match_a_hand_count() -> None:
    seen = Everything()
    result = simulate(overloaded(), observer=seen)
    s = result.summary
    outcome, latency = np.concatenate(seen.outcome), np.concatenate(seen.latency)
    served = latency[outcome == SERVED]
    failed = int(np.count_nonzero((outcome == THROTTLED) | (outcome == TIMED_OUT)))
    assert s.failures.total == failed == s.requests.throttled + s.requests.timed_out
    assert s.failures.timed_out == int(np.count_nonzero(outcome == TIMED_OUT)) > 0
    assert s.requests.offered == outcome.size
    share_failed = failed / (served.size + failed)
    assert 0.01 < share_failed < 0.5
    # over all finished requests, a failure counts as an infinitely late answer
    finished = np.concatenate([served, np.full(failed, np.inf)])
    truth_p50 = float(np.quantile(finished, 0.5, method="lower")) * 1000
    assert s.latency_all_ms.p50 == pytest.approx(truth_p50, rel=2e-3)
    assert s.latency_all_ms.p99 == math.inf and s.latency_all_ms.max == math.inf
    assert s.latency_all_ms.mean is None  # a failed request has no duration to average
    # availability: served within the bound over offered (in-flight requests are not yet answered)
    for bound_ms in (50.0, 5_000.0, 30_000.0):
        within = int(np.count_nonzero(served <= bound_ms / 1000))
        report = s.slo(bound_ms)
        assert report.served_within == pytest.approx(within, rel=3e-3, abs=2)
        assert report.availability == pytest.approx(within / outcome.size, rel=3e-3, abs=1e-4)
    assert int(np.count_nonzero(outcome == IN_FLIGHT)) == s.requests.in_flight


def test_json_form_keeps_the_first_forms_keys_and_adds_versioned_ones() -> None:
    s = simulate(overloaded()).summary
    data = json.loads(json.dumps(s.as_json()))
    first_form = {"fidelity", "seed", "horizon_s", "requests", "latency_ms", "wait_ms", "total_usd", "month_factor"}
    assert first_form | {"bill", "scaling", "lambda"} <= set(data)
    assert data["version"] == 2
    assert data["failures"]["total"] == data["requests"]["throttled"] + data["requests"]["timed_out"]
    assert data["latency_all_ms"]["p99"] == "failed"
    assert Decimal(data["total_usd"]) == s.total_usd


def test_no_traffic_is_fully_available_with_no_latency() -> None:
    s = simulate(fixed_service(1, "central_queue", 0, 10, 600)).summary
    assert s.requests.offered == 0 and s.failures.total == 0
    assert s.slo(100).availability == 1.0
    assert s.latency_ms.p99 is None and s.latency_all_ms.p99 is None
    assert s.usd_per_million_requests is None


def test_without_failures_all_requests_percentiles_are_the_served_ones() -> None:
    s = simulate(fixed_service(2, "central_queue", 50, 10, 600)).summary
    assert s.failures.total == 0
    assert s.latency_all_ms == s.latency_ms


def test_quantile_rank_among_failures_by_hand() -> None:
    # 98 served requests of 1..98 ms and 2 failures: of 100, p50 is the 50th smallest of all (the
    # served 50 ms, bin-rounded), p95 the 95th (95 ms) and p99 falls among the failures.
    h = LogHistogram()
    h.add(np.arange(1, 99) / 1000)
    stats = LatencyStats(None, None, None, None, None)
    over = latency_over_all(ServedLatency(histogram=h), stats, 98, 2)
    assert over.p50 == pytest.approx(np.quantile(np.arange(1, 101), 0.5, method="lower"), rel=1e-3)
    assert over.p95 == pytest.approx(95.0, rel=1e-3)
    assert over.p99 == math.inf


def test_fluid_summary_reads_the_same_way() -> None:
    s = simulate(overloaded().model_copy(update={"fidelity": "fluid"})).summary
    assert s.fidelity == "fluid"
    assert s.failures.total == s.requests.throttled + s.requests.timed_out
    report = s.slo(1e9)
    assert report.served_within == s.requests.served
