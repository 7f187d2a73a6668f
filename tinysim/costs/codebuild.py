"""AWS CodeBuild: build-minutes by compute type (the free minutes are on the small type)."""

from __future__ import annotations

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import Allowance, maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["price"]

SERVICE = "CodeBuild"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    free = Allowance.of(usage.free_tier, book.value("codebuild.free_tier.minutes"))
    table = book.table("codebuild.minute")
    lines: list[LineItem] = []
    for b in usage.codebuild:
        minutes = free.take(b.build_minutes) if b.compute_type == "BUILD_GENERAL1_SMALL" else b.build_minutes
        unit = table[b.compute_type]
        lines += maybe_line(
            SERVICE, f"{b.compute_type} build minutes", minutes, "build-minute", unit, key="codebuild.minute"
        )
    return lines
