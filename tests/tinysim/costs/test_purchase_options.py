"""Fargate Spot and Graviton/current-generation instances in the books; what the July-2021 book cannot price."""

from decimal import Decimal

import pytest

from models import Plan, PriceBook, PriceMissing
from tests.conftest import amounts, bill_of
from tinysim.costs import price_usage
from tinysim.steady import SteadyLoad, steady_usage


@pytest.mark.parametrize(
    ("instance_type", "monthly"),
    # aws.amazon.com/ec2/pricing/on-demand/ (Linux, us-east-1) x 730 h
    [("t4g.micro", "6.13"), ("m7g.large", "59.57"), ("c7g.large", "52.93"), ("m7i.large", "73.58")],
)
def test_graviton_and_current_generation_prices(now: PriceBook, instance_type: str, monthly: str) -> None:
    assert bill_of({"ec2": {"instance_type": instance_type}}, now).total_usd == Decimal(monthly)


def test_graviton3_postdates_the_2021_book(july2021: PriceBook) -> None:
    with pytest.raises(PriceMissing, match=r"C7g \(Graviton3\) launched on 2022-05-23, after this book's date"):
        bill_of({"ec2": {"instance_type": "c7g.large"}}, july2021)
    assert bill_of({"ec2": {"instance_type": "t4g.micro"}}, july2021).total_usd == Decimal("6.13")  # since 2020


def test_fargate_spot_price(now: PriceBook) -> None:
    # 1 vCPU / 2 GB on Spot for 730 h: 730 x (0.01214 + 2 x 0.00133) = $10.80 (on demand: $36.04).
    spot = bill_of({"fargate": {"vcpu": 1, "memory_gb": 2, "capacity": "spot"}}, now)
    assert amounts(spot) == {"vCPU-hours x86_64 Spot": Decimal("8.86"), "memory GB-hours x86_64 Spot": Decimal("1.94")}


def test_capacity_provider_strategy_splits_tasks(now: PriceBook) -> None:
    # 4 tasks, base 1 on FARGATE, then weights 1:3 -> 1 + 0.75 on demand, 2.25 on Spot.
    plan = Plan.model_validate(
        {
            "container": {
                "launch_type": "fargate",
                "task": {"cpu_units": 1024, "memory_mb": 2048},
                "tasks": {"min": 4, "max": 8, "desired": 4},
                "spot_strategy": {"base": 1, "on_demand_weight": 1, "spot_weight": 3},
            }
        }
    )
    bill = price_usage(steady_usage(plan, SteadyLoad(0)), now)
    vcpu = {li.item: li.quantity for li in bill.lines if li.item.startswith("vCPU-hours")}
    assert vcpu == {"vCPU-hours x86_64": Decimal("1.75") * 730, "vCPU-hours x86_64 Spot": Decimal("2.25") * 730}
    # Savings Plans do not cover Spot: a big commitment leaves the Spot lines as they are
    sp = bill_of(
        {
            "fargate": {"vcpu": 1, "memory_gb": 2, "capacity": "spot"},
            "savings_plan": {"commitment_usd_per_hour": 1},
        },
        now,
    )
    assert sp.total_usd == Decimal("10.80") + Decimal("730.00")
