"""AWS Fargate: vCPU-hours and GB-hours per architecture and capacity (on demand or Spot), plus
ephemeral storage above 20 GB."""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["price"]

SERVICE = "Fargate"
INCLUDED_STORAGE_GB = 20


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    lines: list[LineItem] = []
    for f in usage.fargate:
        hours = f.hours if f.hours is not None else usage.month_hours
        task_hours = f.tasks * hours
        field = "fargate.arch" if f.arch == "arm64" else ""
        spot = f.capacity == "spot"
        prefix, label = ("fargate_spot", " Spot") if spot else ("fargate", "")
        field = "fargate.capacity" if spot else field
        lines += maybe_line(
            SERVICE,
            f"vCPU-hours {f.arch}{label}",
            task_hours * f.vcpu,
            "vCPU-hour",
            book.usd(f"{prefix}.{f.arch}.vcpu_hour", field),
            key=f"{prefix}.{f.arch}.vcpu_hour",
        )
        lines += maybe_line(
            SERVICE,
            f"memory GB-hours {f.arch}{label}",
            task_hours * f.memory_gb,
            "GB-hour",
            book.usd(f"{prefix}.{f.arch}.gb_hour", field),
            key=f"{prefix}.{f.arch}.gb_hour",
        )
        extra = Decimal(f.ephemeral_storage_gb - INCLUDED_STORAGE_GB)
        if extra > 0:
            lines += maybe_line(
                SERVICE,
                "ephemeral storage above 20 GB",
                task_hours * extra,
                "GB-hour",
                book.usd("fargate.ephemeral_storage_gb_hour"),
                key="fargate.ephemeral_storage_gb_hour",
            )
    return lines
