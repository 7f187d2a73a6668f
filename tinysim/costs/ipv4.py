"""Public IPv4 addresses: charged per address-hour since 2024-02-01 (ALB and NAT addresses too)."""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import Allowance, maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["price"]

SERVICE = "Public IPv4"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    lines: list[LineItem] = []
    has_free = book.has("ipv4.free_tier.hours")
    free = Allowance.of(usage.free_tier and has_free, book.value("ipv4.free_tier.hours") if has_free else Decimal(0))
    for p in usage.public_ipv4:
        hours = free.take((p.hours if p.hours is not None else usage.month_hours) * p.addresses)
        lines += maybe_line(SERVICE, "address-hours", hours, "IP-hour", book.usd("ipv4.hour"), key="ipv4.hour")
    return lines
