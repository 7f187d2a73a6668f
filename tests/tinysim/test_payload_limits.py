"""Payload limits turn into errors, not into egress, in the bill and in both fidelities."""

from decimal import Decimal
from typing import Any

import pytest

from models import Plan, PriceBook, Scenario
from models.scenario import Workload
from tinysim.costs import price_usage
from tinysim.payload_limits import payload_error
from tinysim.simulate import simulate
from tinysim.steady import SteadyLoad, steady_usage

ALB_LAMBDA = {"architecture": "serverless", "front_door": "alb"}
APIGW_LAMBDA = {"architecture": "serverless", "front_door": "apigw-http"}


@pytest.mark.parametrize(
    ("plan", "response_kb", "fails"),
    [
        # docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html: 1 MB = 1,048.576 KB
        (ALB_LAMBDA, 1048.0, False),
        (ALB_LAMBDA, 1049.0, True),
        # docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html: 6 MB synchronous payload
        (APIGW_LAMBDA, 6291.0, False),
        (APIGW_LAMBDA, 6292.0, True),
        # a container behind API Gateway: only API Gateway's 10 MB, above the workload's largest response
        ({"front_door": "apigw-http"}, 10_240.0, False),
    ],
)
def test_limits(plan: dict[str, Any], response_kb: float, fails: bool) -> None:
    error = payload_error(Plan.model_validate(plan), Workload(response_kb=response_kb))
    assert (error is not None) == fails
    if error:
        assert "(502)" in error


def test_an_oversized_answer_is_not_billed_as_egress(now: PriceBook) -> None:
    # 10 M responses of 2 MB would be 20,000 GB of egress; behind an ALB a Lambda cannot return them.
    load = SteadyLoad(10_000_000, Workload(response_kb=2000))
    bill = price_usage(steady_usage(Plan.model_validate(ALB_LAMBDA), load), now)
    assert not [li for li in bill.lines if li.service == "Data Transfer"]
    fits = SteadyLoad(10_000_000, Workload(response_kb=1000))
    egress = price_usage(steady_usage(Plan.model_validate(ALB_LAMBDA), fits), now).lines
    assert sum(li.quantity for li in egress if li.service == "Data Transfer") == Decimal(10_000)


@pytest.mark.parametrize("fidelity", ["request", "fluid"])
def test_the_simulator_counts_oversized_answers_as_failures(fidelity: str) -> None:
    scenario = Scenario.model_validate(
        {
            "plan": ALB_LAMBDA,
            "traffic": {"kind": "constant", "rps": 5},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 50}, "response_kb": 2000},
            "horizon_s": 600,
            "fidelity": fidelity,
        }
    )
    result = simulate(scenario)
    r = result.summary.requests
    assert r.served == 0 and r.failed > 0.95 * r.offered
    assert not [li for li in result.bill.lines if li.service == "Data Transfer"]
