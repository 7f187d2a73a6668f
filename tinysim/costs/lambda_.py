"""AWS Lambda: requests, duration in GB-seconds (volume tiers per architecture, 1 ms billing),
extra ephemeral storage, and provisioned concurrency."""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_CEILING, Decimal

from models.prices import PriceBook
from models.usage import LambdaUsage, Usage
from tinysim.costs._common import MILLION, Allowance, maybe_line
from tinysim.costs.bill import LineItem
from tinysim.costs.tiers import tier_lines

__all__ = ["billed_ms", "gb_seconds", "price"]

SERVICE = "Lambda"
GIB_MB = Decimal(1024)
FREE_EPHEMERAL_MB = 512


def billed_ms(duration_ms: Decimal) -> Decimal:
    """Duration is billed rounded up to the next millisecond."""
    return duration_ms.to_integral_value(rounding=ROUND_CEILING)


def gb_seconds(fn: LambdaUsage) -> Decimal:
    """On-demand GB-seconds: invocations not served by provisioned concurrency, plus billed INIT."""
    on_demand = fn.requests - fn.provisioned_requests
    seconds = on_demand * billed_ms(fn.duration_ms) / 1000 + fn.init_ms_total / 1000
    return seconds * fn.memory_mb / GIB_MB


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    if not usage.lambda_:
        return []
    lines: list[LineItem] = []
    free_requests = Allowance.of(usage.free_tier, book.value("lambda.free_tier.requests_million"))
    free_gbs = Allowance.of(usage.free_tier, book.value("lambda.free_tier.gb_seconds"))
    requests = sum((f.requests for f in usage.lambda_), Decimal(0)) / MILLION
    lines += maybe_line(SERVICE, "requests", free_requests.take(requests), "1M requests", book.usd("lambda.requests"))
    per_arch: dict[str, Decimal] = defaultdict(Decimal)
    for f in usage.lambda_:
        per_arch[f.arch] += gb_seconds(f)
    for arch in ("x86_64", "arm64"):
        if per_arch.get(arch):
            field = "lambda.arch" if arch == "arm64" else ""
            lines += tier_lines(
                SERVICE,
                f"duration {arch}",
                free_gbs.take(per_arch[arch]),
                "GB-s",
                book.tiers(f"lambda.duration.{arch}", field),
            )
    for f in usage.lambda_:
        extra_gb = Decimal(f.ephemeral_storage_mb - FREE_EPHEMERAL_MB) / GIB_MB
        if extra_gb > 0:
            storage_s = f.requests * billed_ms(f.duration_ms) / 1000 * extra_gb
            lines += maybe_line(
                SERVICE,
                f"ephemeral storage {f.ephemeral_storage_mb} MB",
                storage_s,
                "GB-s",
                book.usd("lambda.ephemeral_storage", "lambda.ephemeral_storage_mb"),
            )
        if f.provisioned_concurrency:
            hours = f.provisioned_hours if f.provisioned_hours is not None else usage.month_hours
            mem_gb = f.memory_mb / GIB_MB
            pc_gbs = f.provisioned_concurrency * mem_gb * hours * 3600
            lines += maybe_line(
                SERVICE,
                f"provisioned concurrency {f.arch}",
                pc_gbs,
                "GB-s",
                book.usd(f"lambda.provisioned.{f.arch}", "lambda.provisioned_concurrency"),
            )
            run_gbs = f.provisioned_requests * billed_ms(f.duration_ms) / 1000 * mem_gb
            lines += maybe_line(
                SERVICE,
                f"duration on provisioned concurrency {f.arch}",
                run_gbs,
                "GB-s",
                book.usd(f"lambda.provisioned_duration.{f.arch}", "lambda.provisioned_requests"),
            )
    return lines
