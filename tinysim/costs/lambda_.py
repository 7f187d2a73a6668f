"""AWS Lambda: requests, duration in GB-seconds (volume tiers per architecture, 1 ms billing),
extra ephemeral storage, and provisioned concurrency.

Rules (aws.amazon.com/lambda/pricing/, US East examples):
- an invocation served by a provisioned-concurrency environment is billed at the provisioned
  *duration* rate, not the on-demand rate (the page's example: 1,000 provisioned for 2 hours at
  1,024 MB, 1.2 M one-second invocations: $30.00 + $11.67 + $0.24);
- "The Lambda free tier does not apply to functions that have Provisioned Concurrency enabled";
- INIT time is billed as duration when the price book's ``lambda.init_billed.<package>`` says so
  (container images always; zip packages on managed runtimes only since 2025-08-01).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

from models.prices import PriceBook
from models.usage import LambdaUsage, Usage
from tinysim.costs._common import MILLION, Allowance, maybe_line
from tinysim.costs.bill import LineItem
from tinysim.costs.tiers import tier_lines

__all__ = ["billed_ms", "gb_seconds", "init_billed", "price", "provisioned_requests"]

SERVICE = "Lambda"
GIB_MB = Decimal(1024)
FREE_EPHEMERAL_MB = 512


def billed_ms(duration_ms: Decimal) -> Decimal:
    """Duration is billed rounded up to the next millisecond."""
    return duration_ms.to_integral_value(rounding=ROUND_CEILING)


def provisioned_requests(fn: LambdaUsage, month_hours: Decimal) -> Decimal:
    """Invocations served by provisioned environments: the usage's own figure, or as many as the
    environments can run back to back in their hours (each busy ``duration_ms``), at most all of them."""
    if fn.provisioned_requests is not None:
        return fn.provisioned_requests
    if not fn.provisioned_concurrency:
        return Decimal(0)
    ms = billed_ms(fn.duration_ms)
    if ms == 0:
        return fn.requests
    hours = fn.provisioned_hours if fn.provisioned_hours is not None else month_hours
    capacity = (fn.provisioned_concurrency * hours * 3_600_000 / ms).to_integral_value(rounding=ROUND_FLOOR)
    return min(fn.requests, capacity)


def init_billed(fn: LambdaUsage, book: PriceBook) -> bool:
    """Whether this book's date bills INIT time of the function's package type."""
    if fn.init_ms_total == 0:
        return False
    return book.value(f"lambda.init_billed.{fn.package}", "lambda.package") > 0


def gb_seconds(fn: LambdaUsage, book: PriceBook, month_hours: Decimal = Decimal(730)) -> Decimal:
    """On-demand GB-seconds: invocations not served by provisioned concurrency, plus billed INIT."""
    on_demand = fn.requests - provisioned_requests(fn, month_hours)
    init_s = fn.init_ms_total / 1000 if init_billed(fn, book) else Decimal(0)
    seconds = on_demand * billed_ms(fn.duration_ms) / 1000 + init_s
    return seconds * fn.memory_mb / GIB_MB


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    if not usage.lambda_:
        return []
    lines: list[LineItem] = []
    free_requests = Allowance.of(usage.free_tier, book.value("lambda.free_tier.requests_million"))
    free_gbs = Allowance.of(usage.free_tier, book.value("lambda.free_tier.gb_seconds"))
    free_eligible = [f for f in usage.lambda_ if not f.provisioned_concurrency]
    requests = free_requests.take(sum((f.requests for f in free_eligible), Decimal(0)) / MILLION)
    requests += sum((f.requests for f in usage.lambda_ if f.provisioned_concurrency), Decimal(0)) / MILLION
    lines += maybe_line(
        SERVICE, "requests", requests, "1M requests", book.usd("lambda.requests"), key="lambda.requests"
    )
    eligible: dict[str, Decimal] = defaultdict(Decimal)
    other: dict[str, Decimal] = defaultdict(Decimal)
    for f in usage.lambda_:
        (other if f.provisioned_concurrency else eligible)[f.arch] += gb_seconds(f, book, usage.month_hours)
    for arch in ("x86_64", "arm64"):
        billed = free_gbs.take(eligible.get(arch, Decimal(0))) + other.get(arch, Decimal(0))
        if eligible.get(arch) or other.get(arch):
            field = "lambda.arch" if arch == "arm64" else ""
            lines += tier_lines(
                SERVICE,
                f"duration {arch}",
                billed,
                "GB-s",
                book.tiers(f"lambda.duration.{arch}", field),
                key=f"lambda.duration.{arch}",
            )
    for f in usage.lambda_:
        lines += _extras(f, usage.month_hours, book)
    return lines


def _extras(f: LambdaUsage, month_hours: Decimal, book: PriceBook) -> list[LineItem]:
    """Ephemeral storage above 512 MB, and the provisioned environments and the duration they serve."""
    lines: list[LineItem] = []
    extra_gb = Decimal(f.ephemeral_storage_mb - FREE_EPHEMERAL_MB) / GIB_MB
    if extra_gb > 0:
        storage_s = f.requests * billed_ms(f.duration_ms) / 1000 * extra_gb
        lines += maybe_line(
            SERVICE,
            f"ephemeral storage {f.ephemeral_storage_mb} MB",
            storage_s,
            "GB-s",
            book.usd("lambda.ephemeral_storage", "lambda.ephemeral_storage_mb"),
            key="lambda.ephemeral_storage",
        )
    if f.provisioned_concurrency:
        hours = f.provisioned_hours if f.provisioned_hours is not None else month_hours
        mem_gb = f.memory_mb / GIB_MB
        pc_gbs = f.provisioned_concurrency * mem_gb * hours * 3600
        lines += maybe_line(
            SERVICE,
            f"provisioned concurrency {f.arch}",
            pc_gbs,
            "GB-s",
            book.usd(f"lambda.provisioned.{f.arch}", "lambda.provisioned_concurrency"),
            key=f"lambda.provisioned.{f.arch}",
        )
        run_gbs = provisioned_requests(f, month_hours) * billed_ms(f.duration_ms) / 1000 * mem_gb
        lines += maybe_line(
            SERVICE,
            f"duration on provisioned concurrency {f.arch}",
            run_gbs,
            "GB-s",
            book.usd(f"lambda.provisioned_duration.{f.arch}", "lambda.provisioned_requests"),
            key=f"lambda.provisioned_duration.{f.arch}",
            rule="invocations on provisioned environments at the provisioned duration rate; no free tier",
        )
    return lines
