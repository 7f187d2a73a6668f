"""Compute Savings Plans, applied hour by hour as AWS does.

Each hour, eligible on-demand usage (Fargate, Lambda duration and provisioned concurrency, EC2
instance-hours) is covered at the plan rate (on demand x (1 - discount)), highest discount first,
until the hour's commitment is spent; the rest stays on demand; commitment left unused is billed
anyway (docs.aws.amazon.com/savingsplans/latest/userguide/sp-applying.html). The bill keeps the
on-demand lines and adds: the covered usage taken back off (negative), the commitment used, and the
commitment unused. Commitment 0 changes nothing.
"""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.savings_plan import SavingsPlan
from models.usage import Usage
from tinysim.costs.bill import LineItem, _plain, line

__all__ = ["ELIGIBLE", "apply_savings_plan", "commits", "hourly_weights"]

SERVICE = "Savings Plans"
RATE_KEY = "savings_plan.{}"
RULE = "Savings Plan applied hour by hour, highest discount first, unused commitment billed"
#: Our service and item prefix -> the book's discount family. Requests, storage and T3 surplus
#: credits are not covered.
ELIGIBLE: tuple[tuple[str, str, str], ...] = (
    ("Fargate", "vCPU-hours", "fargate"),
    ("Fargate", "memory GB-hours", "fargate"),
    ("Lambda", "duration", "lambda"),
    ("Lambda", "provisioned concurrency", "lambda"),
    ("EC2", "", "ec2"),
)


def _family(li: LineItem) -> str | None:
    if (li.service == "EC2" and "surplus" in li.item) or li.item.endswith(" Spot"):
        return None  # surplus credits and Spot are not covered by a Savings Plan
    return next((f for svc, item, f in ELIGIBLE if li.service == svc and li.item.startswith(item)), None)


def hourly_weights(usage: Usage) -> list[Decimal]:
    """Each hour's share of the month's compute (sums to 1): the usage's weights repeated, or even."""
    hours = int(usage.month_hours)
    given = usage.compute_hourly_weights
    if not given or sum(given) == 0:
        return [Decimal(1) / hours] * hours
    cycled = [given[h % len(given)] for h in range(hours)]
    total = sum(cycled, Decimal(0))
    return [w / total for w in cycled]


def commits(sp: SavingsPlan | None) -> bool:
    """Whether ``sp`` changes a bill: a plan with a commitment (only then do the hourly weights count)."""
    return sp is not None and sp.commitment_usd_per_hour != 0


def apply_savings_plan(lines: list[LineItem], usage: Usage, book: PriceBook) -> list[LineItem]:
    """The Savings Plan lines for on-demand ``lines`` (none without a commitment)."""
    sp = usage.savings_plan
    if sp is None or not commits(sp):
        return []
    eligible: dict[str, Decimal] = {}
    for li in lines:
        family = _family(li)
        if family is not None:
            eligible[family] = eligible.get(family, Decimal(0)) + li.amount_exact_usd
    discount = {f: book.table(f"savings_plan.{f}", "savings_plan")[sp.rate_key] for f in eligible}
    order = sorted(eligible, key=lambda f: discount[f], reverse=True)
    covered = dict.fromkeys(order, Decimal(0))
    used = Decimal(0)
    for share in hourly_weights(usage):
        left = sp.commitment_usd_per_hour
        for f in order:
            rate = 1 - discount[f]
            spend = min(eligible[f] * share * rate, left)
            covered[f] += spend / rate
            left -= spend
        used += sp.commitment_usd_per_hour - left
    term = f"{sp.term_years}-year {sp.payment.replace('_', ' ')}"
    out = [
        line(
            SERVICE,
            f"{f} usage covered ({_plain(discount[f] * 100)}% off on demand)",
            covered[f],
            "USD",
            Decimal(-1),
            RATE_KEY.format(f),
            RULE,
        )
        for f in order
        if covered[f]
    ]
    out.append(line(SERVICE, f"commitment used ({term})", used, "USD", Decimal(1), rule=RULE))
    unused = sp.commitment_usd_per_hour * usage.month_hours - used
    if unused:
        out.append(line(SERVICE, f"commitment unused ({term})", unused, "USD", Decimal(1), rule=RULE))
    return out
