"""Build order from the resources' declared dependencies (``graphlib``), and destroy order its reverse."""

from __future__ import annotations

from collections.abc import Sequence
from graphlib import CycleError, TopologicalSorter
from typing import Protocol, TypeVar

from provision.errors import ProvisionError

__all__ = ["build_order", "destroy_order"]


class _Node(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def deps(self) -> tuple[str, ...]: ...


N = TypeVar("N", bound=_Node)


def build_order(nodes: Sequence[N]) -> list[N]:
    """``nodes`` ordered so that each comes after every node it depends on; ties keep the given order.

    Raises ProvisionError on a dependency cycle or a dependency on a key that is not among ``nodes``."""
    by_key = {n.key: n for n in nodes}
    position = {n.key: i for i, n in enumerate(nodes)}
    for n in nodes:
        missing = [d for d in n.deps if d not in by_key]
        if missing:
            raise ProvisionError(f"resource {n.key!r} depends on {missing!r}, which the stack does not have")
    sorter: TopologicalSorter[str] = TopologicalSorter({n.key: n.deps for n in nodes})
    try:
        sorter.prepare()
    except CycleError as exc:
        raise ProvisionError(f"the stack's resources depend on each other in a cycle: {exc.args[1]!r}") from None
    out: list[N] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready(), key=position.__getitem__)
        out += [by_key[k] for k in ready]
        sorter.done(*ready)
    return out


def destroy_order(nodes: Sequence[N]) -> list[N]:
    """The reverse of :func:`build_order`: every dependant before what it depends on."""
    return build_order(nodes)[::-1]
