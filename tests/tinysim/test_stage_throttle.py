"""Both engines throttle at the API Gateway stage's throttle from the blueprint (``front_door_throttle``),
capped by the account's quota.

A token bucket (docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html):
300 requests/s for 600 s against 100/s with a burst of 500 admits the bucket's 500 and then 100 a second,
500 + 100 x 600 = 60,500 (fluid: exact; request engine: Poisson arrivals of 180,000, within 1 %). With the
account lowered to 80/s burst 200 the account is the smaller and wins: 200 + 80 x 600 = 48,200.
"""

from __future__ import annotations

from typing import Any

import pytest

from models import Scenario
from tinysim.simulate import simulate


def _admitted(fidelity: str, account: dict[str, Any], plan: dict[str, Any]) -> int:
    sc = Scenario.model_validate(
        {
            "plan": {"architecture": "serverless", "front_door": "apigw-rest", **plan},
            "traffic": {"kind": "constant", "rps": 300},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 50}},
            "account": account,
            "horizon_s": 600,
            "fidelity": fidelity,
        }
    )
    r = simulate(sc).summary.requests
    return int(r.offered - r.throttled)


STAGE = {"front_door_throttle": {"rps": 100, "burst": 500}}


def test_the_fluid_engine_throttles_at_the_stage() -> None:
    assert _admitted("fluid", {}, STAGE) == 60_500
    assert _admitted("fluid", {"apigw_throttle_rps": 80, "apigw_throttle_burst": 200}, STAGE) == 48_200
    assert _admitted("fluid", {}, {}) == 180_000  # the default stage: the account's 10,000/s


def test_the_request_engine_throttles_at_the_stage() -> None:
    assert _admitted("request", {}, STAGE) == pytest.approx(60_500, rel=0.01)
    assert _admitted("request", {"apigw_throttle_rps": 80, "apigw_throttle_burst": 200}, STAGE) == pytest.approx(
        48_200, rel=0.01
    )
