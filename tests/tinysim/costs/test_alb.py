"""ALB: the seed's hyperscale example, AWS's published example, and per-hour LCU accounting."""

from decimal import Decimal

from models import PriceBook
from tests.conftest import amounts, bill_of


def test_seed_example_10000_new_connections_per_minute(now: PriceBook) -> None:
    # 10,000/min = 166.67/s = 6.67 LCU; 3 GB/h needs only 3 LCU, so connections set the bill.
    bill = bill_of({"alb": {"new_connections_per_s": Decimal(10000) / 60, "processed_gb_per_hour": 3}}, now)
    got = amounts(bill)
    assert got["load balancer hours"] == Decimal("16.43")  # 730 x 0.0225 = 16.425, half up
    assert got["LCU-hours (max of 4 dimensions: new connections)"] == Decimal("38.93")  # 6.667 x 730 x 0.008
    lcu_line = bill.lines[1]
    assert abs(lcu_line.quantity / 730 - Decimal("6.6667")) < Decimal("0.0001")


def test_aws_pricing_page_example_rounds_each_line(now: PriceBook) -> None:
    # 1 new connection/s lasting 2 min (120 active/min), 300 KB/s (1.08 GB/h), 5 requests/s x 60 rules.
    bill = bill_of(
        {
            "alb": {
                "new_connections_per_s": 1,
                "active_connections_per_min": 120,
                "processed_gb_per_hour": "1.08",
                "requests_per_s": 5,
                "rules": 60,
            }
        },
        now,
    )
    assert [li.amount_usd for li in bill.lines] == [Decimal("16.43"), Decimal("6.31")]
    assert bill.total_usd == Decimal("22.74")
    assert bill.total_exact_usd.quantize(Decimal("0.01")) == Decimal("22.73")
    assert "processed bytes" in bill.lines[1].item


def test_rule_evaluations_skip_ten_free_rules(now: PriceBook) -> None:
    # 100 req/s x (60 - 10) rules = 5,000 evaluations/s = 5 LCU, more than any other dimension.
    bill = bill_of({"alb": {"requests_per_s": 100, "rules": 60}}, now)
    assert bill.lines[1].quantity == 5 * 730
    nine = bill_of({"alb": {"requests_per_s": 100, "rules": 9}}, now)
    assert len(nine.lines) == 1  # only the hourly charge: no billable rule evaluations


def test_lambda_targets_get_0_4_gb_per_lcu(now: PriceBook) -> None:
    ip = bill_of({"alb": {"processed_gb_per_hour": 2, "target": "ip"}}, now).lines[1].quantity
    lam = bill_of({"alb": {"processed_gb_per_hour": 2, "target": "lambda"}}, now).lines[1].quantity
    assert ip == 2 * 730 and lam == 5 * 730


def test_hourly_max_is_taken_each_hour_not_over_the_month(now: PriceBook) -> None:
    # Hour 1 is all connections, hour 2 all bytes: 2 + 2 LCU-hours, whereas a month average
    # (1 LCU of each) would bill only 2. Per-hour accounting is what AWS does.
    hours = [{"new_connections_per_s": 50}, {"processed_gb_per_hour": 2}]
    bill = bill_of({"alb": {"hourly": hours}}, now)
    assert bill.lines[0].quantity == 2  # two ALB-hours
    assert bill.lines[1].quantity == 4
    assert "new connections in 1 h" in bill.lines[1].item and "processed bytes in 1 h" in bill.lines[1].item


def test_partial_hours_bill_as_full_hours(now: PriceBook) -> None:
    bill = bill_of({"alb": {"hours": "10.2"}}, now)
    assert bill.lines[0].quantity == 11


def test_free_tier_takes_750_alb_hours(july2021: PriceBook) -> None:
    assert bill_of({"free_tier": True, "alb": {}}, july2021).lines == ()
    two = bill_of({"free_tier": True, "alb": {"count": 2}}, july2021)
    assert two.lines[0].quantity == 2 * 730 - 750
