"""The stack as resources: what each is, what it depends on, and how its kind is handled.

A ``Plan`` expands to an ordered list of ``Resource``s. Each kind module (``provision.services``)
finds the live resource by name or tag, creates, updates and deletes it, and lists every resource of
its kind that the stack owns (for destroy). Ownership is the ``tinysim:stack`` tag, never a state file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

__all__ = ["STACK_TAG", "Context", "Kind", "Live", "Resource", "UpstreamMissing", "tags_for"]

STACK_TAG = "tinysim:stack"


@dataclass(frozen=True)
class Resource:
    """One resource the plan wants: a logical key, its kind, its AWS name and desired properties."""

    key: str
    kind: str
    name: str
    props: Mapping[str, Any] = field(default_factory=dict)
    deps: tuple[str, ...] = ()


@dataclass
class Live:
    """A resource as it exists: its id, comparable properties, owner tag and outputs for dependants."""

    kind: str
    id: str
    props: dict[str, Any] = field(default_factory=dict)
    owner: str | None = None
    outputs: dict[str, Any] = field(default_factory=dict)


@dataclass
class Context:
    """What every step sees: clients, the stack's name and tags, region, and upstream outputs."""

    clients: Any
    stack: str
    region: str
    tags: dict[str, str]
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    account: str = ""  # the caller's account id (for aws:SourceAccount conditions)

    def out(self, key: str, name: str) -> Any:
        """An output of an upstream resource. Raises UpstreamMissing when that resource is not known yet."""
        if key not in self.outputs:
            raise UpstreamMissing(key)
        return self.outputs[key][name]


class UpstreamMissing(LookupError):
    """A resource was looked up inside an upstream resource that does not exist (yet)."""


class Kind(Protocol):
    """What a kind module provides."""

    @property
    def mutable(self) -> tuple[str, ...]: ...

    @property
    def immutable(self) -> tuple[str, ...]: ...

    @property
    def anchored_to(self) -> tuple[str, ...]: ...

    @property
    def tagged_at_create(self) -> bool: ...

    def adopt(self, ctx: Context, res: Resource, live: Live) -> Live: ...

    def find(self, ctx: Context, res: Resource) -> Live | None: ...

    def create(self, ctx: Context, res: Resource) -> Live: ...

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live: ...

    def delete(self, ctx: Context, live: Live) -> None: ...

    def owned(self, ctx: Context) -> list[Live]: ...


def tags_for(ctx: Context, name: str) -> dict[str, str]:
    """The tags every resource carries: the plan's, the stack's ownership tag and a Name."""
    return {**ctx.tags, STACK_TAG: ctx.stack, "Name": name}
