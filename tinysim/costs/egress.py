"""Data transfer out to the internet, in volume tiers after the free allowance."""

from __future__ import annotations

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import Allowance
from tinysim.costs.bill import LineItem
from tinysim.costs.tiers import tier_lines

__all__ = ["price"]

SERVICE = "Data Transfer"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    free = Allowance.of(usage.free_tier, book.value("egress.free_tier.gb"))
    billed = free.take(usage.data_transfer_out_gb)
    return tier_lines(SERVICE, "internet egress", billed, "GB", book.tiers("egress.internet"), key="egress.internet")
