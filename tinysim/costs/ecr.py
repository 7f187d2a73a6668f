"""Amazon ECR: private repository storage per GB-month."""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import Allowance, maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["price"]

SERVICE = "ECR"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    free = Allowance.of(usage.free_tier, book.value("ecr.free_tier.gb"))
    gb = free.take(sum((e.storage_gb for e in usage.ecr), Decimal(0)))
    return maybe_line(
        SERVICE, "image storage", gb, "GB-month", book.usd("ecr.storage_gb_month"), key="ecr.storage_gb_month"
    )
