"""What a simulated run bills: what reached each service, whatever happened next, in both fidelities."""

from decimal import Decimal

import pytest

from models import Scenario
from tinysim.simulate import simulate


def _throttled_lambda(fidelity: str) -> Scenario:
    # 200 requests/s of 200 ms need ~40 environments; 5 are allowed, so most invocations are throttled.
    return Scenario.model_validate(
        {
            "plan": {
                "architecture": "serverless",
                "front_door": "apigw-http",
                "serverless": {"memory_mb": 1024, "reserved_concurrency": 5},
            },
            "traffic": {"kind": "constant", "rps": 200},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 200}},
            "horizon_s": 600,
            "seed": 1,
            "fidelity": fidelity,
        }
    )


def _apigw_requests(fidelity: str) -> tuple[Decimal, int, int]:
    result = simulate(_throttled_lambda(fidelity))
    billed = sum(
        (Decimal(li["quantity"]) for li in result.bill.as_json()["lines"] if li["service"] == "API Gateway"),
        Decimal(0),
    )
    r = result.summary.requests
    return billed, r.offered, r.served


@pytest.mark.parametrize("fidelity", ["request", "fluid"])
def test_api_gateway_bills_requests_the_integration_throttled(fidelity: str) -> None:
    # aws.amazon.com/api-gateway/pricing/: you pay for the API calls you receive. Under 10,000 rps none is
    # throttled by API Gateway itself, so every offered request is billed, scaled to the 730-hour month.
    billed, offered, served = _apigw_requests(fidelity)
    assert served < offered / 2  # the integration throttled most of them
    month = Decimal(730 * 3600) / 600
    assert float(billed) == pytest.approx(float(offered * month / 1_000_000), rel=1e-6)


def test_fidelities_bill_the_same_api_gateway_requests() -> None:
    request, _, _ = _apigw_requests("request")
    fluid, _, _ = _apigw_requests("fluid")
    assert float(fluid) == pytest.approx(float(request), rel=0.02)
