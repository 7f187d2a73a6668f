"""The engine against queueing theory: Erlang C for one shared queue (M/M/c), M/M/1 per task under
random dispatch, and Little's law for Lambda concurrency.

Each comparison uses >= 10^7 requests and a 95% confidence interval from 40 batch means; with 30
comparisons in the family the interval per comparison is Bonferroni-widened so that the whole
family holds at 95%.
"""

from __future__ import annotations

import numpy as np
import pytest

from models import Scenario
from tests.tinysim.helpers import WaitCollector, batch_ci, fixed_service
from tinysim.queueing import erlang_c, mmc_mean_wait, mmc_wait_quantile
from tinysim.simulate import simulate

pytestmark = pytest.mark.slow

MU = 100.0  # 10 ms mean service
REQUESTS = 10_000_000
BATCHES = 40
FAMILY = 30  # 15 (c, rho) cases x (mean, p99)
CONFIDENCE = 1 - 0.05 / FAMILY


@pytest.mark.parametrize("rho", [0.5, 0.7, 0.9])
@pytest.mark.parametrize("c", [1, 2, 3, 4, 5])
def test_central_queue_matches_erlang_c(c: int, rho: float) -> None:
    lam = rho * c * MU
    horizon = int(REQUESTS / lam * 1.01) + 60
    seen = WaitCollector()
    result = simulate(fixed_service(c, "central_queue", lam, 1000 / MU, horizon), observer=seen)
    waits = seen.waits
    assert waits.size >= REQUESTS
    assert result.summary.requests.throttled == 0 and result.summary.requests.timed_out == 0

    mean, half = batch_ci(waits, np.mean, BATCHES, CONFIDENCE)
    expected = mmc_mean_wait(c, lam, MU)
    assert abs(mean - expected) <= half, (mean, expected, half)

    p99, half99 = batch_ci(waits, lambda b: np.quantile(b, 0.99), BATCHES, CONFIDENCE)
    expected99 = mmc_wait_quantile(c, lam, MU, 0.99)
    assert abs(p99 - expected99) <= half99, (p99, expected99, half99)
    # the summary's whole-run numbers agree with the requests it saw
    assert result.summary.wait_ms.mean == pytest.approx(waits.mean() * 1000, rel=1e-9)
    assert result.summary.wait_ms.p99 == pytest.approx(np.quantile(waits, 0.99) * 1000, rel=2e-3)


def test_erlang_c_reference_values() -> None:
    # Textbook values: C(1, a) = a; C(2, 1) = 1/3; C(5, 4.5) computed by hand from the Erlang B recursion.
    assert erlang_c(1, 0.7) == pytest.approx(0.7)
    assert erlang_c(2, 1.0) == pytest.approx(1 / 3)
    b = 1.0
    for k in range(1, 6):
        b = 4.5 * b / (k + 4.5 * b)
    assert erlang_c(5, 4.5) == pytest.approx(5 * b / (5 - 4.5 * (1 - b)))


def test_random_dispatch_is_mm1_per_task() -> None:
    c, rho = 3, 0.7
    lam = rho * c * MU
    seen = WaitCollector()
    simulate(fixed_service(c, "random", lam, 1000 / MU, int(REQUESTS / lam * 1.01) + 60), observer=seen)
    mean, half = batch_ci(seen.waits, np.mean, BATCHES, 0.95)
    expected = mmc_mean_wait(1, lam / c, MU)  # rho / (mu - lambda_i)
    assert abs(mean - expected) <= half, (mean, expected, half)
    # and clearly worse than one shared queue over the same three slots
    assert mean > 2 * mmc_mean_wait(c, lam, MU)


def test_lambda_mean_concurrency_is_rate_times_duration() -> None:
    rps, mean_ms = 400.0, 250.0
    scenario = Scenario.model_validate(
        {
            "plan": {"architecture": "serverless", "front_door": "alb"},
            "traffic": {"kind": "constant", "rps": rps},
            "workload": {"service_time_ms": {"dist": "exponential", "mean": mean_ms}, "cold_start_ms": 0},
            "horizon_s": 6 * 3600,
        }
    )
    result = simulate(scenario)
    measured = result.timeline["lambda_concurrency"].iloc[5:-5].mean()
    assert measured == pytest.approx(rps * mean_ms / 1000, rel=0.02)
    assert result.summary.lambda_.throttles == 0
