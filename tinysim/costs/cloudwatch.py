"""Amazon CloudWatch: alarms, custom metrics (tiered) and logs (ingest, storage, Insights scans)."""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import Allowance, maybe_line
from tinysim.costs.bill import LineItem
from tinysim.costs.tiers import tier_lines

__all__ = ["price"]

SERVICE = "CloudWatch"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    if not usage.cloudwatch:
        return []

    def total(name: str) -> Decimal:
        return sum((getattr(c, name) for c in usage.cloudwatch), Decimal(0))

    ft = usage.free_tier
    alarms = Allowance.of(ft, book.value("cloudwatch.free_tier.alarms")).take(total("alarms"))
    metrics = Allowance.of(ft, book.value("cloudwatch.free_tier.metrics")).take(total("custom_metrics"))
    logs_free = Allowance.of(ft, book.value("cloudwatch.free_tier.logs_gb"))
    lines = maybe_line(
        SERVICE, "standard alarms", alarms, "alarm-month", book.usd("cloudwatch.alarm"), key="cloudwatch.alarm"
    )
    lines += maybe_line(
        SERVICE,
        "high-resolution alarms",
        total("high_resolution_alarms"),
        "alarm-month",
        book.usd("cloudwatch.alarm_high_resolution"),
        key="cloudwatch.alarm_high_resolution",
    )
    lines += tier_lines(
        SERVICE,
        "custom metrics",
        metrics,
        "metric-month",
        book.tiers("cloudwatch.custom_metrics"),
        key="cloudwatch.custom_metrics",
    )
    for name, item, unit in (
        ("logs_ingested_gb", "logs ingested", "GB"),
        ("logs_stored_gb", "logs stored", "GB-month"),
        ("logs_insights_scanned_gb", "Logs Insights scanned", "GB"),
    ):
        lines += maybe_line(
            SERVICE, item, logs_free.take(total(name)), unit, book.usd(f"cloudwatch.{name}"), key=f"cloudwatch.{name}"
        )
    return lines
