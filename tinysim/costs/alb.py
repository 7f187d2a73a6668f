"""Application Load Balancer: ALB-hours plus LCU-hours, the LCU of each hour being the largest of
four dimensions (new connections, active connections, processed bytes, rule evaluations)."""

from __future__ import annotations

from collections import Counter
from decimal import ROUND_CEILING, Decimal

from models.prices import PriceBook
from models.usage import AlbHour, AlbUsage, Usage
from tinysim.costs._common import Allowance, maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["DIMENSIONS", "lcu_dimensions", "lcus", "price"]

SERVICE = "ALB"
DIMENSIONS = ("new connections", "active connections", "processed bytes", "rule evaluations")


def lcu_dimensions(hour: AlbHour, target: str, book: PriceBook) -> dict[str, Decimal]:
    """LCUs each dimension alone would need for one hour."""
    gb_key = "alb.lcu.processed_gb_per_hour." + ("lambda" if target == "lambda" else "ip")
    return {
        "new connections": hour.new_connections_per_s / book.value("alb.lcu.new_connections_per_s"),
        "active connections": hour.active_connections_per_min / book.value("alb.lcu.active_connections_per_min"),
        "processed bytes": hour.processed_gb_per_hour / book.value(gb_key),
        "rule evaluations": hour.rule_evaluations_per_s / book.value("alb.lcu.rule_evaluations_per_s"),
    }


def lcus(hour: AlbHour, target: str, book: PriceBook) -> tuple[Decimal, str]:
    """Billed LCUs of one hour (fractional) and the dimension that set them."""
    dims = lcu_dimensions(hour, target, book)
    name = max(DIMENSIONS, key=lambda d: dims[d])
    return dims[name], name


def _flat_hour(a: AlbUsage, book: PriceBook) -> AlbHour:
    rules_per_s = a.rule_evaluations_per_s
    if a.requests_per_s is not None and a.rules is not None:
        billable_rules = max(0, a.rules - int(book.value("alb.free_rules")))
        rules_per_s = a.requests_per_s * billable_rules
    return AlbHour(
        new_connections_per_s=a.new_connections_per_s,
        active_connections_per_min=a.active_connections_per_min,
        processed_gb_per_hour=a.processed_gb_per_hour,
        rule_evaluations_per_s=rules_per_s,
    )


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    lines: list[LineItem] = []
    free_hours = Allowance.of(
        usage.free_tier, book.value("alb.free_tier.hours") if book.has("alb.free_tier.hours") else Decimal(0)
    )
    for a in usage.alb:
        if a.lcu_hours is not None:
            hours = a.hours if a.hours is not None else usage.month_hours
            lcu_hours = a.lcu_hours
            why = a.lcu_basis or "metered hour by hour"
        elif a.hourly is not None:
            hours = a.hours if a.hours is not None else Decimal(len(a.hourly))
            per_hour = [lcus(h, a.target, book) for h in a.hourly]
            lcu_hours = sum((v for v, _ in per_hour), Decimal(0))
            top = Counter(name for v, name in per_hour if v > 0).most_common()
            why = ", ".join(f"{name} in {n} h" for name, n in top) or "no traffic"
        else:
            hours = a.hours if a.hours is not None else usage.month_hours
            value, name = lcus(_flat_hour(a, book), a.target, book)
            lcu_hours = value * hours
            why = name if value > 0 else "no traffic"
        billed_hours = free_hours.take(hours.to_integral_value(rounding=ROUND_CEILING) * a.count)
        lines += maybe_line(
            SERVICE,
            "load balancer hours",
            billed_hours,
            "ALB-hour",
            book.usd("alb.usd_per_alb_hour"),
            key="alb.usd_per_alb_hour",
            rule="partial hours billed as full hours",
        )
        lines += maybe_line(
            SERVICE,
            f"LCU-hours (max of 4 dimensions: {why})",
            lcu_hours * a.count,
            "LCU-hour",
            book.usd("alb.usd_per_lcu_hour"),
            key="alb.usd_per_lcu_hour",
            rule="each hour the largest of the four LCU dimensions, fractional",
        )
    return lines
