"""AWS PrivateLink interface endpoints: endpoint-hours per zone plus GB processed (volume tiers)."""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import maybe_line
from tinysim.costs.bill import LineItem
from tinysim.costs.tiers import tier_lines

__all__ = ["price"]

SERVICE = "VPC Endpoints"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    lines: list[LineItem] = []
    for v in usage.vpc_endpoints:
        hours = (v.hours if v.hours is not None else usage.month_hours) * v.endpoints * v.azs
        lines += maybe_line(
            SERVICE, "interface endpoint hours", hours, "endpoint-AZ-hour", book.usd("vpce.hour"), key="vpce.hour"
        )
    gb = sum((v.processed_gb for v in usage.vpc_endpoints), Decimal(0))
    return lines + tier_lines(SERVICE, "data processed", gb, "GB", book.tiers("vpce.gb"), key="vpce.gb")
