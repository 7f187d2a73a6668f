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
    the instances of an item carry (``instance_root_volume``: every container instance's)."""

    units: tuple[tuple[BillingItem, int], ...]
    root_volumes: tuple[tuple[BillingItem, RootVolume], ...] = ()

    def count(self, item: BillingItem) -> int:
        """Units of ``item`` (0 when no resource bills it)."""
        return sum(n for i, n in self.units if i == item)

    def root_volume(self, item: BillingItem) -> RootVolume | None:
        """The root volume each instance billed on ``item`` carries, ``None`` when it has none."""
        return next((v for i, v in self.root_volumes if i == item), None)


def inventory(resources: Iterable[StackResource]) -> Inventory:
    """Sum the ``billed`` entries of ``resources`` by item.

    Raises ``ValueError`` when two entries of one item carry different root volumes (one launch template
    gives every container instance the same one)."""
    units: Counter[BillingItem] = Counter()
    volumes: dict[BillingItem, RootVolume] = {}
    for r in resources:
        for b in r.billed:
            units[b.item] += b.quantity
            if b.root_volume is None:
                continue
            if volumes.setdefault(b.item, b.root_volume) != b.root_volume:
                raise ValueError(f"{b.item}: two root volumes, {volumes[b.item]} and {b.root_volume}")
    return Inventory(tuple(sorted(units.items())), tuple(sorted(volumes.items())))
