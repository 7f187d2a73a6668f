"""Volume tiers: split a monthly quantity across a price book's tiers, one line per tier used."""

from __future__ import annotations

from decimal import Decimal

from models.prices import Tier
from tinysim.costs.bill import LineItem, _plain, line

__all__ = ["tier_lines"]


#: How a tier's bound reads in a bill line, by the price book's unit of the quantity.
UNIT_WORDS = {"1M requests": "M requests", "GB-s": "GB-seconds", "metric-month": "metrics", "zone-month": "zones"}
GIB_PER_TIB = Decimal(1024)
BILLION = Decimal(10) ** 9


def _group(d: Decimal) -> str:
    """A bound with thousands separators and no trailing zeros (``10000`` -> ``10,000``)."""
    whole, _, frac = _plain(d).partition(".")
    return f"{int(whole):,}" + (f".{frac}" if frac else "")


def _amount(q: Decimal, unit: str) -> str:
    """A tier bound with its unit: ``300 M requests``, ``10 TB`` (AWS's data tiers count 1 TB as
    1,024 GB: the first 10 TB of egress is 10,240 GB), ``6 B GB-seconds``, ``10,000 metrics``."""
    if unit == "GB" and q >= GIB_PER_TIB and q % GIB_PER_TIB == 0:
        return f"{_group(q / GIB_PER_TIB)} TB"
    words = UNIT_WORDS.get(unit, unit)
    if q >= BILLION and q % (BILLION / 10) == 0:
        return f"{_group(q / BILLION)} B {words}"
    return f"{_group(q)} {words}"


def _label(lo: Decimal, hi: Decimal | None, unit: str) -> str:
    if hi is None:
        return f"over {_amount(lo, unit)}" if lo else "all"
    if lo == 0:
        return f"first {_amount(hi, unit)}"
    return f"next {_amount(hi - lo, unit)}"


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
