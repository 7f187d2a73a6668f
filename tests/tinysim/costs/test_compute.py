"""EC2 and Fargate: infracost's monthly figures and hand-computed task-hours."""

from decimal import Decimal

import pytest

from models import PriceBook, PriceMissing
from tests.conftest import bill_of


@pytest.mark.parametrize(
    ("instance_type", "monthly"),
    [
        ("t3.micro", "7.59"),
        ("t3.small", "15.18"),
        ("t3.medium", "30.37"),
        ("m5.large", "70.08"),
        ("m3.medium", "48.91"),
        ("m3.large", "97.09"),
    ],
)
def test_ec2_month_matches_published_figures(now: PriceBook, instance_type: str, monthly: str) -> None:
    assert bill_of({"ec2": {"instance_type": instance_type}}, now).total_usd == Decimal(monthly)


def test_t3_prices_unchanged_since_2021(now: PriceBook, july2021: PriceBook) -> None:
    usage = {"ec2": [{"instance_type": "t3.micro", "count": 3}, {"instance_type": "m3.large"}]}
    assert bill_of(usage, now).total_usd == bill_of(usage, july2021).total_usd


def test_t3_unlimited_surplus_credits(now: PriceBook) -> None:
    bill = bill_of({"ec2": {"instance_type": "t3.micro", "hours": 0, "surplus_vcpu_hours": 10}}, now)
    assert bill.total_usd == Decimal("0.50")


def test_unknown_instance_type_names_the_field(now: PriceBook) -> None:
    with pytest.raises(PriceMissing, match=r"ec2\[0\].instance_type='x9.huge'"):
        bill_of({"ec2": {"instance_type": "x9.huge"}}, now)


def test_ec2_free_tier_covers_one_t3_micro(now: PriceBook) -> None:
    assert bill_of({"free_tier": True, "ec2": {"instance_type": "t3.micro"}}, now).total_usd == 0
    two = bill_of({"free_tier": True, "ec2": {"instance_type": "t3.micro", "count": 2}}, now)
    assert two.lines[0].quantity == 710


def test_fargate_five_tasks_ten_minutes_a_day(now: PriceBook) -> None:
    # 5 tasks x 10 min x 30 days = 25 task-hours; 1 vCPU, 2 GB:
    # 25 x 0.04048 = $1.01 and 50 GB-h x 0.004445 = $0.22.
    bill = bill_of({"fargate": {"tasks": 5, "vcpu": 1, "memory_gb": 2, "hours": 5}}, now)
    assert [li.amount_usd for li in bill.lines] == [Decimal("1.01"), Decimal("0.22")]


def test_fargate_arm_and_storage(now: PriceBook, july2021: PriceBook) -> None:
    bill = bill_of({"fargate": {"vcpu": 1, "memory_gb": 2, "arch": "arm64", "ephemeral_storage_gb": 30}}, now)
    assert [li.unit_usd for li in bill.lines] == [Decimal("0.03238"), Decimal("0.00356"), Decimal("0.000111")]
    assert bill.lines[2].quantity == 730 * 10
    with pytest.raises(PriceMissing, match=r"fargate\.arm64"):
        bill_of({"fargate": {"arch": "arm64"}}, july2021)
