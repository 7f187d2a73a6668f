"""Network Load Balancer: NLB-hours plus NLCU-hours, the NLCUs of an hour being the largest of three TCP
dimensions (new flows per second, active flows, processed GB per hour; aws.amazon.com/elasticloadbalancing/
pricing/, Network Load Balancer tab)."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from models.prices import PriceBook
from models.usage import NlbUsage, Usage
from tinysim.costs._common import maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["DIMENSIONS", "nlcus", "price"]

SERVICE = "NLB"
DIMENSIONS = ("new flows", "active flows", "processed bytes")


def nlcus(n: NlbUsage, book: PriceBook) -> tuple[Decimal, str]:
    """NLCUs of an hour (fractional) and the dimension that sets them."""
    dims = {
        "new flows": n.new_flows_per_s / book.value("nlb.nlcu.new_flows_per_s"),
        "active flows": n.active_flows / book.value("nlb.nlcu.active_flows"),
        "processed bytes": n.processed_gb_per_hour / book.value("nlb.nlcu.processed_gb_per_hour"),
    }
    name = max(DIMENSIONS, key=lambda d: dims[d])
    return dims[name], name


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    lines: list[LineItem] = []
    for n in usage.nlb:
        hours = n.hours if n.hours is not None else usage.month_hours
        value, name = nlcus(n, book)
        lines += maybe_line(
            SERVICE,
            "load balancer hours",
            hours.to_integral_value(rounding=ROUND_CEILING) * n.count,
            "NLB-hour",
            book.usd("nlb.usd_per_nlb_hour"),
            key="nlb.usd_per_nlb_hour",
            rule="partial hours billed as full hours",
        )
        lines += maybe_line(
            SERVICE,
            f"NLCU-hours (max of 3 dimensions: {name if value > 0 else 'no traffic'})",
            value * hours * n.count,
            "NLCU-hour",
            book.usd("nlb.usd_per_nlcu_hour"),
            key="nlb.usd_per_nlcu_hour",
            rule="each hour the largest of the three TCP NLCU dimensions, fractional",
        )
    return lines
