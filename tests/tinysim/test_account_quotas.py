"""The run's account quotas come from the scenario's ``account`` (not the price book, not a constant).

API Gateway's account throttle is a token bucket (docs.aws.amazon.com/apigateway/latest/developerguide/limits.html):
at a steady 200 requests/s against 50/s with a burst of 50, the bucket's 50 tokens go in the first
quarter second and from then 50 a second get through: over 60 s 50 + 50 x 60 = 3,050 of ~12,000
(Poisson), give or take the first second's refill. Lambda's account concurrency
(docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html) caps concurrent environments.
"""

from __future__ import annotations

from typing import Any

import pytest

from models import Scenario
from tinysim.simulate import simulate


def run(plan: dict[str, Any], account: dict[str, Any], rps: float) -> Any:
    return simulate(
        Scenario.model_validate(
            {
                "plan": plan,
                "traffic": {"kind": "constant", "rps": rps},
                "workload": {"service_time_ms": {"dist": "constant", "mean": 1000}},
                "horizon_s": 60,
                "account": account,
            }
        )
    ).summary


def test_api_gateway_throttle_from_the_account() -> None:
    summary = run({"architecture": "serverless"}, {"apigw_throttle_rps": 50.0, "apigw_throttle_burst": 50}, 200)
    admitted = summary.requests.offered - summary.requests.throttled
    assert admitted == pytest.approx(50 + 50 * 60, abs=60)


def test_lambda_concurrency_from_the_account() -> None:
    # 100 requests/s of 1 s work need ~100 environments; the account allows 20
    summary = run({"architecture": "serverless"}, {"lambda_concurrency": 20}, 100)
    assert summary.lambda_.max_concurrency == 20
    assert summary.lambda_.throttles > 0
    assert run({"architecture": "serverless"}, {}, 100).lambda_.throttles == 0  # the default 1,000
