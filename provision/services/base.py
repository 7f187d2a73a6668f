"""Shared pieces of the kind modules: tag helpers and a base class with safe defaults."""

from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from provision.resources import STACK_TAG, Context, Live, Resource, tags_for

__all__ = ["KindBase", "PutKind", "code_of", "ec2_tag_spec", "kv_tags", "owner_of"]


def code_of(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def kv_tags(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def ec2_tag_spec(ctx: Context, resource_type: str, name: str) -> list[dict[str, Any]]:
    """Tags set in the create call itself, so a resource never exists untagged."""
    return [{"ResourceType": resource_type, "Tags": kv_tags(tags_for(ctx, name))}]


def owner_of(tags: list[dict[str, str]] | dict[str, str] | None) -> str | None:
    if not tags:
        return None
    if isinstance(tags, dict):
        return tags.get(STACK_TAG)
    return next((t["Value"] for t in tags if t.get("Key") == STACK_TAG), None)


class KindBase:
    """Defaults: nothing is updatable in place; tags go in the create call; ``owned`` lists nothing."""

    mutable: tuple[str, ...] = ()
    #: Properties AWS cannot change on a live resource (a target group's protocol, a load balancer's VPC):
    #: when one differs from the plan, apply deletes the resource and creates it again (a replacement).
    immutable: tuple[str, ...] = ()
    #: Kinds of upstream resources this one is bound to by id for good (a listener to its load balancer
    #: and target group, a REST VPC link to its NLB): replaced with them, and deleted before them.
    anchored_to: tuple[str, ...] = ()
    #: False for a kind whose create call cannot carry the tags (tagged by a second call).
    tagged_at_create: bool = True

    def adopt(self, ctx: Context, res: Resource, live: Live) -> Live:
        """Tag a resource this stack created but could not tag (only kinds with ``tagged_at_create`` False)."""
        raise NotImplementedError(f"{type(self).__name__} is tagged in its create call")

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        return live

    def owned(self, ctx: Context) -> list[Live]:
        return []


class PutKind(KindBase):
    """A kind created by a put (PutMetricAlarm, PutScalingPolicy, ...): the same call replaces it, so an
    update is a create; what it made is read back (some emulators leave ARNs out of the put's answer)."""

    def create(self, ctx: Context, res: Resource) -> Live:
        raise NotImplementedError

    def find(self, ctx: Context, res: Resource) -> Live | None:
        raise NotImplementedError

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        return self.create(ctx, res)

    def reread(self, ctx: Context, res: Resource) -> Live:
        """The resource just put, as :meth:`find` sees it."""
        found = self.find(ctx, res)
        if found is None:
            raise LookupError(f"{res.kind} {res.name!r} was not found right after it was put")
        return found
