"""EBS root volumes and Route 53 hosted zones, checked against AWS's published prices and examples."""

from decimal import Decimal

import pytest

from models import PriceBook, load_price_book
from tests.conftest import bill_of


def test_gp3_matches_awss_partial_month_example(now: PriceBook) -> None:
    # aws.amazon.com/ebs/pricing/, Example 1 (gp3): a 2,000 GB volume for 12 hours of a 30-day month at
    # $0.08 per GB-month is $0.08 x 2,000 x 43,200 s / (86,400 s x 30) = $2.67 (storage part).
    bill = bill_of({"month_hours": 720, "ebs": {"volume_type": "gp3", "size_gib": 2000, "hours": 12}}, now)
    assert [(li.item, li.amount_usd) for li in bill.lines] == [("gp3 volume storage", Decimal("2.67"))]


def test_gp2_and_gp3_per_gb_month(now: PriceBook) -> None:
    # infracost golden ebs_volume_test: gp3 40 GB = $3.20, gp2 10 GB = $1.00 a month
    bill = bill_of({"ebs": [{"volume_type": "gp3", "size_gib": 40}, {"volume_type": "gp2", "gb_months": 10}]}, now)
    assert [li.amount_usd for li in bill.lines] == [Decimal("3.20"), Decimal("1.00")]
    assert all(li.source.startswith("aws.amazon.com/ebs/pricing/") for li in bill.lines)


def test_root_volumes_follow_instance_hours(now: PriceBook) -> None:
    # three 30 GiB volumes for 730 h each, or one for 3 x 730 h: 90 GB-months x $0.08 = $7.20
    a = bill_of({"ebs": {"size_gib": 30, "volumes": 3}}, now)
    b = bill_of({"ebs": {"size_gib": 30, "hours": 2190}}, now)
    assert a.total_usd == b.total_usd == Decimal("7.20")


def test_ebs_free_tier_takes_30_gb_months(now: PriceBook) -> None:
    bill = bill_of({"free_tier": True, "ebs": {"size_gib": 30, "volumes": 2}}, now)
    assert bill.lines[0].quantity == 30 and bill.total_usd == Decimal("2.40")


def test_hosted_zone_tiers(now: PriceBook, july2021: PriceBook) -> None:
    # aws.amazon.com/route53/pricing/: $0.50 per zone-month for the first 25, $0.10 after
    assert bill_of({"route53": {"hosted_zones": 1}}, now).total_usd == Decimal("0.50")
    assert bill_of({"route53": {"hosted_zones": 1}}, july2021).total_usd == Decimal("0.50")
    big = bill_of({"route53": [{"hosted_zones": 20}, {"hosted_zones": 10}]}, now)
    assert [li.amount_usd for li in big.lines] == [Decimal("12.50"), Decimal("0.50")]


@pytest.mark.parametrize(
    ("book_id", "gp3", "gp2"),
    [
        ("aws-us-east-1-2026-09", "0.08", "0.10"),
        ("aws-us-west-2-2026-09", "0.08", "0.10"),
        ("aws-eu-west-1-2026-09", "0.088", "0.11"),
        ("aws-us-east-1-2021-07", "0.08", "0.10"),
    ],
)
def test_every_book_prices_volumes_and_zones(book_id: str, gp3: str, gp2: str) -> None:
    book = load_price_book(book_id)
    assert book.usd("ebs.gp3.gb_month") == Decimal(gp3)
    assert book.usd("ebs.gp2.gb_month") == Decimal(gp2)
    assert book.tiers("route53.hosted_zone")[0].usd == Decimal("0.50")
