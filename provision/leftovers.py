"""What the stack owns and its plan no longer has, and deleting resources in the destroy order.

A plan may drop any part of its stack (the pipeline, the VPC endpoints, the NAT gateway, an ALB when the
front door changes, a policy or an alarm): ``apply`` deletes what the stack owns of every kind and the
plan no longer names, after it has built and updated the rest, and ``destroy`` deletes all of it. Both
delete dependants first (the destroy order of the kinds) and retry what AWS refuses while a dependant
is still going away.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from botocore.exceptions import BotoCoreError, ClientError

from provision.errors import StepFailed
from provision.resources import Context, Kind, Live, Resource
from provision.services.base import code_of

__all__ = ["RETRYABLE", "delete_in_order", "owned_by_kind", "unwanted"]

Say = Callable[[str], None]

#: Errors AWS gives while a dependant of the resource is still being deleted: tried again.
RETRYABLE = ("DependencyViolation", "ResourceInUse", "ResourceInUseException", "InvalidParameterException")
#: Errors meaning the resource is gone already.
_GONE = ("NoSuchEntity", "NoSuchBucket", "ResourceNotFoundException")


def _listed(ctx: Context, kinds: Mapping[str, Kind], kind_name: str) -> list[Live]:
    try:
        return list(kinds[kind_name].owned(ctx))
    except ClientError as exc:
        msg = exc.response.get("Error", {}).get("Message", "")
        raise StepFailed(f"list {kind_name}: {exc.operation_name} failed with {code_of(exc)}: {msg}") from exc
    except BotoCoreError as exc:
        raise StepFailed(f"list {kind_name}: {exc}") from exc


def owned_by_kind(ctx: Context, kinds: Mapping[str, Kind], workers: int = 8) -> dict[str, list[Live]]:
    """Everything the stack owns (carries its tag), by kind, listed ``workers`` kinds at a time.

    Raises StepFailed naming the kind whose listing AWS refused."""
    names = sorted(kinds)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        return dict(zip(names, pool.map(partial(_listed, ctx, kinds), names), strict=True))


def unwanted(
    owned: Mapping[str, Iterable[Live]],
    resources: Sequence[Resource],
    found: Mapping[str, Live | None],
    unsure: frozenset[str] = frozenset(),
) -> list[Live]:
    """What the stack owns that none of ``resources`` is: a live resource is wanted when it is the one
    found for a resource of the plan (same kind and id), or carries a wanted resource's name as its id.
    Kinds in ``unsure`` (some resource of the plan of that kind could not be looked up) are left out."""
    wanted = {(r.kind, r.name) for r in resources}
    wanted |= {(r.kind, live.id) for r in resources if (live := found.get(r.key)) is not None}
    return [
        live
        for kind_name in sorted(owned)
        if kind_name not in unsure
        for live in owned[kind_name]
        if (kind_name, live.id) not in wanted
    ]


def delete_in_order(
    ctx: Context,
    kinds: Mapping[str, Kind],
    order: Sequence[str],
    doomed: Iterable[Live],
    say: Say,
    passes: int = 6,
    why: str = "",
) -> int:
    """Delete ``doomed`` kind by kind in ``order`` (dependants first), each kind up to ``passes`` times
    while AWS answers that something still depends on it. Returns how many were deleted (those found
    gone already are not counted). Raises StepFailed on any other refusal."""
    by_kind: dict[str, list[Live]] = {}
    for live in doomed:
        by_kind.setdefault(live.kind, []).append(live)
    deleted = 0
    for kind_name in order:
        pending = by_kind.get(kind_name, [])
        for attempt in range(passes):
            left = []
            for live in pending:
                try:
                    kinds[kind_name].delete(ctx, live)
                    deleted += 1
                    say(f"deleted {kind_name} {live.id}{why}")
                except ClientError as exc:
                    code = code_of(exc)
                    if "NotFound" in code or code in _GONE:
                        continue
                    if code in RETRYABLE and attempt < passes - 1:
                        left.append(live)
                        continue
                    raise StepFailed(f"delete {kind_name} {live.id}: {exc.operation_name} failed with {code}") from exc
            if not left:
                break
            pending = left
            time.sleep(min(5.0, 0.5 * 2**attempt))
    return deleted
