"""AWS CodePipeline: V1 per active pipeline-month, V2 per action-execution-minute."""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import Allowance, maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["price"]

SERVICE = "CodePipeline"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    v1 = sum((p.v1_active_pipelines for p in usage.codepipeline), Decimal(0))
    v2 = sum((p.v2_action_minutes for p in usage.codepipeline), Decimal(0))
    lines: list[LineItem] = []
    if v1:
        billed = Allowance.of(usage.free_tier, book.value("codepipeline.v1_free_pipelines")).take(v1)
        lines += maybe_line(
            SERVICE,
            "V1 active pipelines",
            billed,
            "pipeline-month",
            book.usd("codepipeline.v1_active_pipeline"),
            key="codepipeline.v1_active_pipeline",
        )
    if v2:
        unit = book.usd("codepipeline.v2_action_minute", "codepipeline.v2_action_minutes")
        billed = Allowance.of(usage.free_tier, book.value("codepipeline.v2_free_minutes")).take(v2)
        lines += maybe_line(
            SERVICE, "V2 action minutes", billed, "action-minute", unit, key="codepipeline.v2_action_minute"
        )
    return lines
