"""Amazon EBS: provisioned storage per GB-month, by volume type (the container instances' root volumes)."""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.usage import EbsUsage, Usage
from tinysim.costs._common import Allowance, maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["gb_months", "price"]

SERVICE = "EBS"


def gb_months(volume: EbsUsage, month_hours: Decimal) -> Decimal:
    """Provisioned GB-months of ``volume``: as given, or size x volumes x hours / month_hours (per-second
    billing, so a volume that lives part of the month costs that part). Source: aws.amazon.com/ebs/pricing/
    (gp3 example: $0.08 x 2,000 GB x 43,200 s / (86,400 s x 30 days))."""
    if volume.gb_months is not None:
        return volume.gb_months
    hours = (volume.hours if volume.hours is not None else month_hours) * volume.volumes
    return volume.size_gib * hours / month_hours


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    """One line per volume entry; the free tier's GB-months (any General Purpose type) come off first."""
    lines: list[LineItem] = []
    has_free = book.has("ebs.free_tier.gb_months")
    free = Allowance.of(usage.free_tier and has_free, book.value("ebs.free_tier.gb_months") if has_free else Decimal(0))
    for i, v in enumerate(usage.ebs):
        key = f"ebs.{v.volume_type}.gb_month"
        unit_usd = book.usd(key, f"ebs[{i}].volume_type={v.volume_type!r}")
        billed = free.take(gb_months(v, usage.month_hours))
        lines += maybe_line(SERVICE, f"{v.volume_type} volume storage", billed, "GB-month", unit_usd, key=key)
    return lines
