"""Small helpers shared by the per-service cost modules."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tinysim.costs.bill import LineItem, line

__all__ = ["MILLION", "Allowance", "maybe_line"]

MILLION = Decimal(1_000_000)


def maybe_line(
    service: str, item: str, quantity: Decimal, unit: str, unit_usd: Decimal, key: str = "", rule: str = ""
) -> list[LineItem]:
    """A one-line list, or no line at all when nothing was used."""
    return [line(service, item, quantity, unit, unit_usd, key, rule)] if quantity > 0 else []


@dataclass
class Allowance:
    """A free allowance consumed across several resources of one month."""

    left: Decimal

    def take(self, amount: Decimal) -> Decimal:
        """Consume up to ``amount`` from the allowance; return the part still to be billed."""
        free = min(self.left, amount)
        self.left -= free
        return amount - free

    @classmethod
    def of(cls, enabled: bool, amount: Decimal) -> Allowance:
        return cls(amount if enabled else Decimal(0))
