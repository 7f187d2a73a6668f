"""API Gateway: requests in volume tiers per API type (HTTP metered in 512 KB steps) and the
hourly REST cache."""

from __future__ import annotations

from decimal import ROUND_CEILING, Decimal

from models.errors import InputError
from models.prices import PriceBook
from models.usage import ApiGatewayUsage, Usage
from tinysim.costs._common import MILLION, Allowance, maybe_line
from tinysim.costs.bill import LineItem
from tinysim.costs.tiers import tier_lines

__all__ = ["metered_requests", "price"]

SERVICE = "API Gateway"


def metered_requests(api: ApiGatewayUsage, book: PriceBook) -> Decimal:
    """Requests as billed: an HTTP API request counts once per started 512 KB of payload."""
    if api.type != "http" or api.request_kb == 0:
        return api.requests
    step = book.value("apigw.http.metering_kb")
    units = max(Decimal(1), (api.request_kb / step).to_integral_value(rounding=ROUND_CEILING))
    return api.requests * units


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    lines: list[LineItem] = []
    for kind, label in (("http", "HTTP API"), ("rest", "REST API")):
        apis = [a for a in usage.apigw if a.type == kind]
        if not apis:
            continue
        total = sum((metered_requests(a, book) for a in apis), Decimal(0)) / MILLION
        free = Allowance.of(usage.free_tier, book.value("apigw.free_tier.requests_million"))
        lines += tier_lines(
            SERVICE,
            f"{label} requests",
            free.take(total),
            "1M requests",
            book.tiers(f"apigw.{kind}.requests"),
            key=f"apigw.{kind}.requests",
        )
    for i, a in enumerate(usage.apigw):
        if a.cache_gb is None:
            continue
        table = book.table("apigw.rest.cache_usd_per_hour")
        match = [usd for size, usd in table.items() if Decimal(size) == a.cache_gb]
        if not match:
            raise InputError([f"apigw[{i}].cache_gb={a.cache_gb}: must be one of {list(table)} (GB)"])
        hours = a.cache_hours if a.cache_hours is not None else usage.month_hours
        lines += maybe_line(
            SERVICE, f"REST cache {a.cache_gb} GB", hours, "cache-hour", match[0], key="apigw.rest.cache_usd_per_hour"
        )
    return lines
