"""Amazon EC2 on-demand Linux instances by type, and T3 unlimited surplus credits."""

from __future__ import annotations

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import Allowance, maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["price"]

SERVICE = "EC2"
FREE_TIER_TYPE = "t3.micro"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    lines: list[LineItem] = []
    free = Allowance.of(usage.free_tier, book.value("ec2.free_tier.hours"))
    for i, e in enumerate(usage.ec2):
        hours = (e.hours if e.hours is not None else usage.month_hours) * e.count
        if e.instance_type == FREE_TIER_TYPE:
            hours = free.take(hours)
        unit = book.usd(f"ec2.{e.instance_type}", f"ec2[{i}].instance_type={e.instance_type!r}")
        lines += maybe_line(
            SERVICE, f"{e.instance_type} on-demand", hours, "instance-hour", unit, key=f"ec2.{e.instance_type}"
        )
        lines += maybe_line(
            SERVICE,
            f"{e.instance_type} surplus CPU credits",
            e.surplus_vcpu_hours,
            "vCPU-hour",
            book.usd("ec2.unlimited_surplus_vcpu_hour"),
            key="ec2.unlimited_surplus_vcpu_hour",
        )
    return lines
