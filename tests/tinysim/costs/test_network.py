"""NAT gateway, public IPv4 and internet egress."""

from decimal import Decimal

from models import PriceBook
from tests.conftest import bill_of


def test_nat_gateway_hours_and_data(now: PriceBook) -> None:
    bill = bill_of({"nat_gateway": {"processed_gb": 1000}}, now)
    assert [li.amount_usd for li in bill.lines] == [Decimal("32.85"), Decimal("45.00")]


def test_public_ipv4_charged_now_not_in_2021(now: PriceBook, july2021: PriceBook) -> None:
    usage = {"public_ipv4": {"addresses": 2}}
    assert bill_of(usage, now).total_usd == Decimal("7.30")
    assert bill_of(usage, july2021).total_usd == Decimal("0.00")


def test_egress_tiers(now: PriceBook) -> None:
    # 20,480 GB: 10,240 x 0.09 + 10,240 x 0.085
    bill = bill_of({"data_transfer_out_gb": 20480}, now)
    assert [li.amount_usd for li in bill.lines] == [Decimal("921.60"), Decimal("870.40")]


def test_egress_free_allowance_grew_in_december_2021(now: PriceBook, july2021: PriceBook) -> None:
    usage = {"free_tier": True, "data_transfer_out_gb": 150}
    assert bill_of(usage, now).total_usd == Decimal("4.50")  # 50 GB billed
    assert bill_of(usage, july2021).total_usd == Decimal("13.41")  # 149 GB billed
