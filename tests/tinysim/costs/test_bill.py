"""The bill itself: half-up cents per line, total = sum of rounded lines, JSON shape."""

from decimal import Decimal

from models import PriceBook
from tests.conftest import bill_of
from tinysim.costs.bill import Bill, cents, line


def test_cents_round_half_up() -> None:
    assert cents(Decimal("16.425")) == Decimal("16.43")
    assert cents(Decimal("0.005")) == Decimal("0.01")
    assert cents(Decimal("0.0049999")) == Decimal("0.00")


def test_total_is_the_sum_of_rounded_lines() -> None:
    lines = [line("X", f"item {i}", Decimal(1), "unit", Decimal("0.005")) for i in range(3)]
    bill = Bill.of("test", lines)
    assert bill.total_usd == Decimal("0.03")  # three lines of $0.01
    assert bill.total_exact_usd == Decimal("0.015")


def test_json_shape_is_strings() -> None:
    bill = Bill.of("test", [line("ALB", "hours", Decimal(730), "ALB-hour", Decimal("0.0225"))])
    data = bill.as_json()
    assert data["total_usd"] == "16.43"
    assert data["lines"][0] == {
        "service": "ALB",
        "item": "hours",
        "quantity": "730",
        "unit": "ALB-hour",
        "unit_usd": "0.0225",
        "amount_usd": "16.43",
        "amount_exact_usd": "16.425",
        "rule": "quantity x unit price",
        "price_key": "",
        "source": "",
    }


def test_json_lines_name_their_rule_and_price_book_source(now: PriceBook) -> None:
    bill = bill_of({"alb": {"new_connections_per_s": 50}, "lambda": {"requests": 10**6, "duration_ms": 10}}, now)
    lines = {li["item"]: li for li in bill.as_json()["lines"]}
    lcu = lines["LCU-hours (max of 4 dimensions: new connections)"]
    assert lcu["price_key"] == "alb.usd_per_lcu_hour"
    assert lcu["source"] == now.entry("alb.usd_per_lcu_hour").source
    assert "largest of the four LCU dimensions" in lcu["rule"]
    tiered = lines["duration x86_64 (first 6 B GB-seconds)"]
    assert tiered["price_key"] == "lambda.duration.x86_64" and tiered["rule"] == "volume tiers on the month's total"
    assert all(li["source"] for li in bill.as_json()["lines"])
