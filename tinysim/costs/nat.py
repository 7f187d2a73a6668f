"""NAT gateway: gateway-hours plus every GB it processes."""

from __future__ import annotations

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["price"]

SERVICE = "NAT Gateway"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    lines: list[LineItem] = []
    for n in usage.nat_gateway:
        hours = (n.hours if n.hours is not None else usage.month_hours) * n.count
        lines += maybe_line(SERVICE, "gateway hours", hours, "NAT-gateway-hour", book.usd("nat.hour"), key="nat.hour")
        lines += maybe_line(SERVICE, "data processed", n.processed_gb, "GB", book.usd("nat.gb"), key="nat.gb")
    return lines
