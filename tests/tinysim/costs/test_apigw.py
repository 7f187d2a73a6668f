"""API Gateway: volume tiers per API type, HTTP 512 KB metering, the REST cache, the free tier."""

from decimal import Decimal

import pytest

from models import InputError, PriceBook
from tests.conftest import bill_of


def test_seed_hyperscale_volume_on_http_api_is_418_80(now: PriceBook) -> None:
    # The seed says "$432/month" for 432 M requests; tiered pricing gives 300 x $1.00 + 132 x $0.90.
    bill = bill_of({"apigw": {"type": "http", "requests": 432_000_000}}, now)
    assert [li.amount_usd for li in bill.lines] == [Decimal("300.00"), Decimal("118.80")]
    assert bill.total_usd == Decimal("418.80")


def test_rest_tiers_hand_computed(now: PriceBook) -> None:
    # 1.5 B requests: 333 M x 3.50 + 667 M x 2.80 + 500 M x 2.38 = 1165.50 + 1867.60 + 1190.00
    bill = bill_of({"apigw": {"type": "rest", "requests": 1_500_000_000}}, now)
    assert [li.amount_usd for li in bill.lines] == [Decimal("1165.50"), Decimal("1867.60"), Decimal("1190.00")]


def test_tiers_are_shared_by_apis_of_one_type(now: PriceBook) -> None:
    two = bill_of({"apigw": [{"requests": 200_000_000}, {"requests": 232_000_000}]}, now)
    assert two.total_usd == Decimal("418.80")


def test_http_requests_are_metered_in_512_kb_steps(now: PriceBook) -> None:
    # 3 M requests of 800 KB each are metered as 6 M requests; 512 KB exactly is one.
    assert bill_of({"apigw": {"requests": 3_000_000, "request_kb": 800}}, now).total_usd == Decimal("6.00")
    assert bill_of({"apigw": {"requests": 3_000_000, "request_kb": 512}}, now).total_usd == Decimal("3.00")
    rest = bill_of({"apigw": {"type": "rest", "requests": 1_000_000, "request_kb": 800}}, now)
    assert rest.total_usd == Decimal("3.50")


def test_free_tier_is_a_million_requests_per_type(now: PriceBook) -> None:
    usage = {
        "free_tier": True,
        "apigw": [{"type": "http", "requests": 3_000_000}, {"type": "rest", "requests": 1_000_000}],
    }
    assert bill_of(usage, now).total_usd == Decimal("2.00")


def test_rest_cache_by_size(now: PriceBook) -> None:
    bill = bill_of({"apigw": {"type": "rest", "cache_gb": "0.5"}}, now)
    assert bill.total_usd == Decimal("14.60")  # 730 h x $0.020
    assert bill_of({"apigw": {"type": "rest", "cache_gb": 237, "cache_hours": 10}}, now).total_usd == Decimal("38.00")
    with pytest.raises(InputError, match=r"apigw\[0\].cache_gb=3: must be one of"):
        bill_of({"apigw": {"type": "rest", "cache_gb": 3}}, now)
