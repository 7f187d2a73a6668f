"""The bill: line items in exact decimals, each rounded to cents half-up, the total their sum.

AWS's own examples round every component to cents before adding (the ALB example shows $22.74 where
the unrounded sum is $22.73); we do the same and keep the unrounded amounts alongside.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["Bill", "LineItem", "cents", "line", "usd"]

CENT = Decimal("0.01")


def cents(amount: Decimal) -> Decimal:
    """Round to whole cents, half up."""
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def usd(amount: Decimal) -> str:
    """Dollars and cents with thousands separators, as people read money: ``$1,059.68``, ``-$3.00``."""
    sign = "-" if amount < 0 else ""
    return f"{sign}${abs(amount):,.2f}"


def _plain(d: Decimal) -> str:
    """A decimal without exponent or trailing zeros (``1E+6`` -> ``1000000``)."""
    text = format(d.normalize(), "f")
    return text if text != "-0" else "0"


def _price(d: Decimal) -> str:
    """A unit price with at least two decimals ($1.00, $0.0104)."""
    text = _plain(d)
    whole, _, frac = text.partition(".")
    return f"{whole}.{frac:0<2}"


def _short(d: Decimal) -> str:
    """A quantity for people: at most four decimals."""
    return _plain(d.quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP)) if d != d.to_integral_value() else _plain(d)


@dataclass(frozen=True)
class LineItem:
    """One charge: quantity x unit price, for one service and item."""

    service: str
    item: str
    quantity: Decimal
    unit: str
    unit_usd: Decimal
    #: The price book entry the unit price comes from, its source, and the billing rule applied.
    price_key: str = ""
    source: str = ""
    rule: str = "quantity x unit price"

    @property
    def amount_exact_usd(self) -> Decimal:
        return self.quantity * self.unit_usd

    @property
    def amount_usd(self) -> Decimal:
        return cents(self.amount_exact_usd)

    def as_json(self) -> dict[str, str]:
        return {
            "service": self.service,
            "item": self.item,
            "quantity": _plain(self.quantity),
            "unit": self.unit,
            "unit_usd": _plain(self.unit_usd),
            "amount_usd": str(self.amount_usd),
            "amount_exact_usd": _plain(self.amount_exact_usd),
            "rule": self.rule,
            "price_key": self.price_key,
            "source": self.source,
        }


def line(
    service: str, item: str, quantity: Decimal, unit: str, unit_usd: Decimal, key: str = "", rule: str = ""
) -> LineItem:
    """Build a line item (a helper so cost modules read as one call per charge); ``key`` names the
    price book entry of ``unit_usd``, ``rule`` the billing rule when it is more than quantity x price."""
    return LineItem(service, item, Decimal(quantity), unit, Decimal(unit_usd), key, "", rule or "quantity x unit price")


@dataclass(frozen=True)
class Bill:
    """A month's bill under one price book."""

    price_book: str
    lines: tuple[LineItem, ...]
    month_hours: Decimal = Decimal(730)
    #: What the bill took for granted (operational volumes and the fields that set them).
    assumptions: tuple[str, ...] = ()

    def with_assumptions(self, assumptions: Iterable[str]) -> Bill:
        return replace(self, assumptions=tuple(assumptions))

    @classmethod
    def of(cls, price_book: str, lines: Iterable[LineItem], month_hours: Decimal = Decimal(730)) -> Bill:
        return cls(price_book, tuple(lines), month_hours)

    @property
    def total_usd(self) -> Decimal:
        return sum((li.amount_usd for li in self.lines), Decimal("0.00"))

    @property
    def total_exact_usd(self) -> Decimal:
        return sum((li.amount_exact_usd for li in self.lines), Decimal(0))

    def by_service(self) -> dict[str, Decimal]:
        """Rounded totals per service, in order of first appearance."""
        out: dict[str, Decimal] = defaultdict(lambda: Decimal("0.00"))
        for li in self.lines:
            out[li.service] += li.amount_usd
        return dict(out)

    def as_json(self) -> dict[str, Any]:
        return {
            "price_book": self.price_book,
            "total_usd": str(self.total_usd),
            "total_exact_usd": _plain(self.total_exact_usd),
            "lines": [li.as_json() for li in self.lines],
            "assumptions": list(self.assumptions),
        }

    def to_text(self, title: str = "") -> str:
        """A fixed-width table for terminals."""
        rows = [
            (li.service, li.item, f"{_short(li.quantity)} {li.unit}", f"${_price(li.unit_usd)}", usd(li.amount_usd))
            for li in self.lines
        ]
        head = ("service", "item", "quantity", "unit price", "amount")
        widths = [max(len(r[i]) for r in [head, *rows]) for i in range(5)]

        def fmt(r: tuple[str, ...]) -> str:
            return "  ".join(
                c.rjust(w) if i >= 3 else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
            )

        out = [title] if title else []
        out += [fmt(head), "  ".join("-" * w for w in widths)]
        out += [fmt(r) for r in rows]
        total = usd(self.total_usd)
        out.append("  ".join("-" * w for w in widths))
        out.append(
            f"{'total per month (price book ' + self.price_book + ')':<{sum(widths[:4]) + 6}}  {total:>{widths[4]}}"
        )
        out += ["assumptions:"] + [f"  {a}" for a in self.assumptions] if self.assumptions else []
        return "\n".join(out)
