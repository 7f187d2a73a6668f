"""Volume tiers: split a monthly quantity across a price book's tiers, one line per tier used."""

from __future__ import annotations

from decimal import Decimal

from models.prices import Tier
from tinysim.costs.bill import LineItem, _plain, line

__all__ = ["tier_lines"]


def _label(lo: Decimal, hi: Decimal | None, unit: str) -> str:
    if hi is None:
        return f"over {_plain(lo)}" if lo else "all"
    if lo == 0:
        return f"first {_plain(hi)}"
    return f"next {_plain(hi - lo)}"


def tier_lines(
    service: str,
    item: str,
    quantity: Decimal,
    unit: str,
    tiers: tuple[Tier, ...],
    start: Decimal = Decimal(0),
    key: str = "",
) -> list[LineItem]:
    """Lines for ``quantity`` billed on ``tiers``, beginning at cumulative usage ``start``.

    ``start`` lets a caller take a free allowance off the cheapest end or continue tiers that an
    earlier line already used (tiers are per account and API type, not per resource).
    """
    lines: list[LineItem] = []
    lo = Decimal(0)
    used_to = start + quantity
    for tier in tiers:
        hi = tier.upto
        a = max(lo, start)
        b = used_to if hi is None else min(hi, used_to)
        if b > a:
            label = item if len(tiers) == 1 else f"{item} ({_label(lo, hi, unit)})"
            rule = "volume tiers on the month's total" if len(tiers) > 1 else ""
            lines.append(line(service, label, b - a, unit, tier.usd, key, rule))
        if hi is None or hi >= used_to:
            break
        lo = hi
    return lines
