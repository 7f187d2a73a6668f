"""Traffic the stack makes by itself: image pulls per task start and logs through the NAT or VPC endpoints."""

from decimal import Decimal
from typing import Any

from models import Plan, PriceBook
from models.scenario import Operations
from tinysim.costs import price_usage
from tinysim.steady import SteadyLoad, steady_usage


def _nat_and_endpoints(book: PriceBook, **network: Any) -> dict[str, Decimal]:
    pipeline = network.pop("pipeline", True)
    plan = Plan.model_validate(
        {
            "container": {
                "launch_type": "fargate",
                "task": {"cpu_units": 256, "memory_mb": 512},
                "tasks": {"min": 2, "max": 4, "desired": 2},
            },
            "network": network,
            "pipeline": {"enabled": pipeline},
        }
    )
    ops = Operations(builds_per_month=30, image_gb=0.3, log_kb_per_request=0.5)
    bill = price_usage(steady_usage(plan, SteadyLoad(1_000_000), ops), book)
    return {
        f"{li.service}: {li.item}": li.amount_usd for li in bill.lines if li.service in ("NAT Gateway", "VPC Endpoints")
    }


def test_every_release_pulls_the_image_through_the_nat(now: PriceBook) -> None:
    # 30 releases x 2 tasks = 60 task starts x 0.3 GB = 18 GB of image pulls, plus 1 M x 0.5 KB = 0.5 GB of
    # logs: 18.5 GB x $0.045 (aws.amazon.com/vpc/pricing/, NAT data processed) = $0.8325 -> $0.83.
    assert _nat_and_endpoints(now)["NAT Gateway: data processed"] == Decimal("0.83")


def test_no_pipeline_means_no_release_pulls(now: PriceBook) -> None:
    # No builds, no releases: only the 0.5 GB of logs ($0.0225 -> $0.02).
    assert _nat_and_endpoints(now, pipeline=False)["NAT Gateway: data processed"] == Decimal("0.02")


def test_vpc_endpoints_carry_pulls_and_logs_instead_of_the_nat(now: PriceBook) -> None:
    # aws.amazon.com/privatelink/pricing/: 3 interface endpoints (ecr.api, ecr.dkr, logs) x 2 zones x 730 h x
    # $0.01 = $43.80; 18.5 GB x $0.01 = $0.185 -> $0.19; the NAT processes nothing.
    got = _nat_and_endpoints(now, vpc_endpoints=True)
    assert got == {
        "NAT Gateway: gateway hours": Decimal("32.85"),
        "VPC Endpoints: interface endpoint hours": Decimal("43.80"),
        "VPC Endpoints: data processed (first 1,000,000 GB)": Decimal("0.19"),
    }


def test_the_bill_says_what_it_assumed(now: PriceBook) -> None:
    from tinysim.assumptions import bill_assumptions

    plan = Plan.model_validate({"pipeline": {"enabled": False}})
    notes = bill_assumptions(plan, Operations(log_kb_per_request=2.0))
    assert any("2 KB per request (operations.log_kb_per_request)" in n for n in notes)
    assert any("pipeline is disabled" in n for n in notes)
    assert any("0 task starts a month through the NAT gateway" in n for n in notes)
