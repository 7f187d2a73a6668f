"""The billable inventory of a stack: how many of each fixed bill item its resources hold.

Read from the blueprint's resource list (each resource's ``billed`` entries), never from the plan, so the
bill prices exactly what ``provision apply`` creates: a serverless stack behind API Gateway has no VPC
and so no NAT gateway or public address; an HTTP API in front of ECS has the Route 53 hosted zone of its
Cloud Map namespace; every container instance has its root EBS volume.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from models.blueprint.resources import BillingItem, RootVolume, StackResource

__all__ = ["Inventory", "inventory"]


@dataclass(frozen=True)
class Inventory:
    """Units of each bill item in a stack (``quantity`` summed over its resources), and the root volume
    every container instance carries (``None`` without container instances)."""

    units: tuple[tuple[BillingItem, int], ...]
    root_volume: RootVolume | None = None

    def count(self, item: BillingItem) -> int:
        """Units of ``item`` (0 when no resource bills it)."""
        return sum(n for i, n in self.units if i == item)


def inventory(resources: Iterable[StackResource]) -> Inventory:
    """Sum the ``billed`` entries of ``resources`` by item.

    Raises ``ValueError`` when two resources carry different root volumes (one launch template gives
    every container instance the same one)."""
    units: Counter[BillingItem] = Counter()
    volumes: set[RootVolume] = set()
    for r in resources:
        for b in r.billed:
            units[b.item] += b.quantity
            if b.root_volume is not None:
                volumes.add(b.root_volume)
    if len(volumes) > 1:
        raise ValueError(f"one root volume per stack expected, got {sorted(map(repr, volumes))}")
    return Inventory(tuple(sorted(units.items())), next(iter(volumes), None))
