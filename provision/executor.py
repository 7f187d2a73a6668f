"""Plan, apply and destroy: find each resource live, compare, then create, update or leave it.

Every step is idempotent: a step that failed half-way is finished by the next apply, and nothing is
created twice because every resource is found by its name or its stack tag before it is created."""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from provision.errors import StackCollision, StepFailed
from provision.graph.kinds import destroy_kind_order
from provision.leftovers import delete_in_order, owned_by_kind, unwanted
from provision.lock import Intents
from provision.resources import Context, Kind, Live, Resource, UpstreamMissing
from provision.services.alarms import Alarm
from provision.services.alert_alarms import AlertAlarm
from provision.services.apigw import HttpApi, VpcLink
from provision.services.apigw_rest import RestApi, RestVpcLink, UsagePlan
from provision.services.base import code_of
from provision.services.capacity import AutoScalingGroup, CapacityProvider, GroupPolicy, LaunchTemplate
from provision.services.cicd import BuildProject, Pipeline
from provision.services.discovery import DiscoveryService, Namespace
from provision.services.ec2 import Eip, InternetGateway, NatGateway, RouteTable, SecurityGroup, Subnet, Vpc
from provision.services.ecs import Cluster, Service, TaskDefinition
from provision.services.elbv2 import LoadBalancer, TargetGroup
from provision.services.endpoints import VpcEndpoint
from provision.services.events import EventRule
from provision.services.iam import InstanceProfile, Role
from provision.services.lambda_ import Function, Permission, ProvisionedConcurrency
from provision.services.listeners import Listener
from provision.services.nat_instance import NatInstance
from provision.services.nlb import NetworkLoadBalancer
from provision.services.notify import KmsKey, Topic
from provision.services.scaling import ScalableTarget, ScheduledAction, StepPolicy, TargetTrackingPolicy
from provision.services.storage import Bucket, LogGroup, Repository

__all__ = ["DESTROY_ORDER", "KINDS", "Change", "Survey", "apply", "destroy", "diff", "survey"]

KINDS: dict[str, Kind] = {
    "vpc": Vpc(),
    "subnet": Subnet(),
    "igw": InternetGateway(),
    "eip": Eip(),
    "nat": NatGateway(),
    "nat_instance": NatInstance(),
    "route_table": RouteTable(),
    "security_group": SecurityGroup(),
    "vpc_endpoint": VpcEndpoint(),
    "repository": Repository(),
    "log_group": LogGroup(),
    "bucket": Bucket(),
    "role": Role(),
    "instance_profile": InstanceProfile(),
    "cluster": Cluster(),
    "launch_template": LaunchTemplate(),
    "asg": AutoScalingGroup(),
    "capacity_provider": CapacityProvider(),
    "group_policy": GroupPolicy(),
    "task_definition": TaskDefinition(),
    "target_group": TargetGroup(),
    "alb": LoadBalancer(),
    "nlb": NetworkLoadBalancer(),
    "listener": Listener(),
    "namespace": Namespace(),
    "discovery_service": DiscoveryService(),
    "vpc_link": VpcLink(),
    "service": Service(),
    "http_api": HttpApi(),
    "rest_vpc_link": RestVpcLink(),
    "rest_api": RestApi(),
    "usage_plan": UsagePlan(),
    "scalable_target": ScalableTarget(),
    "step_policy": StepPolicy(),
    "target_tracking_policy": TargetTrackingPolicy(),
    "scheduled_action": ScheduledAction(),
    "alarm": Alarm(),
    "function": Function(),
    "provisioned": ProvisionedConcurrency(),
    "permission": Permission(),
    "build_project": BuildProject(),
    "pipeline": Pipeline(),
    "kms_key": KmsKey(),
    "topic": Topic(),
    "alert_alarm": AlertAlarm(),
    "event_rule": EventRule(),
}
#: Dependants first: the reverse of the build order of the kinds' dependency graph.
DESTROY_ORDER = destroy_kind_order(frozenset(KINDS))
Say = Callable[[str], None]


@dataclass
class Change:
    """What apply would do to one resource, and the fields that differ (live, wanted)."""

    key: str
    kind: str
    name: str
    action: str  # create | update | replace | no-op | delete
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    live: Live | None = field(default=None, repr=False, compare=False)  # what a delete removes

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "kind": self.kind,
            "name": self.name,
            "action": self.action,
            "fields": {k: {"live": a, "plan": b} for k, (a, b) in self.fields.items()},
        }


def _wanted(kind: Kind, ctx: Context, res: Resource) -> dict[str, Any]:
    if hasattr(kind, "desired_props"):
        return dict(kind.desired_props(ctx, res))
    if hasattr(kind, "desired"):
        return dict(kind.desired(ctx, res))
    if hasattr(kind, "desired_rules"):
        return {"ingress": kind.desired_rules(ctx, res)}
    return dict(res.props)


def _compare(kind: Kind, ctx: Context, res: Resource, live: Live) -> dict[str, tuple[Any, Any]]:
    want = _wanted(kind, ctx, res)
    return {
        k: (live.props[k], want[k]) for k in kind.mutable if k in live.props and k in want and live.props[k] != want[k]
    }


def _fixed(kind: Kind, ctx: Context, res: Resource, live: Live) -> dict[str, tuple[Any, Any]]:
    """The properties AWS cannot change in place (``kind.immutable``) that differ: (live, wanted)."""
    fixed = getattr(kind, "immutable", ())
    if not fixed:
        return {}
    want = _wanted(kind, ctx, res)
    return {k: (live.props[k], want[k]) for k in fixed if k in live.props and k in want and live.props[k] != want[k]}


def _on_new_upstream(kind: Kind, live: Live, found: dict[str, Live | None]) -> dict[str, tuple[Any, Any]]:
    """The immutable properties of ``live`` that hold the id of a resource of the plan the apply will create
    (a fixed ``vpc`` when the stack moves into a VPC of its own): they will differ, so it will be replaced."""
    fixed = getattr(kind, "immutable", ())
    return {k: (live.props[k], f"(the new {k})") for k in fixed if k in live.props and k in found and found[k] is None}


def _downstream(resources: list[Resource], res: Resource) -> tuple[list[Resource], list[Resource]]:
    """The resources that depend on ``res``, directly or not, in plan order: (anchored, others). Anchored
    ones are bound to it for good (their kind is anchored to the kind of ``res`` or of another anchored
    one) and go with it; the others keep their identity but must be read again once it is replaced."""
    anchored: list[Resource] = []
    others: list[Resource] = []
    gone = {res.key: res.kind}
    reached = {res.key}
    for r in resources:
        ups = [d for d in r.deps if d in reached]
        if not ups:
            continue
        reached.add(r.key)
        if any(gone.get(d) in getattr(KINDS[r.kind], "anchored_to", ()) for d in ups):
            gone[r.key] = r.kind
            anchored.append(r)
        else:
            others.append(r)
    return anchored, others


def _check_owner(ctx: Context, res: Resource, live: Live, intents: Intents | None) -> bool:
    """Is ``live`` ours? True when it is ours but untagged because an apply died between its create and
    its tagging (recorded in the intents): it must be adopted. Raises StackCollision otherwise."""
    if live.owner == ctx.stack:
        return False
    if live.owner is None and intents is not None and intents.covers(res.kind, res.name):
        return True
    whose = f"stack {live.owner!r}" if live.owner else "nobody (it carries no tinysim:stack tag)"
    raise StackCollision(
        f"{res.kind} {res.name!r} already exists and belongs to {whose}; choose another plan name than {ctx.stack!r}"
    )


def _aws(step: str, fn: Callable[[], Any]) -> Any:
    try:
        return fn()
    except ClientError as exc:
        msg = exc.response.get("Error", {}).get("Message", "")
        raise StepFailed(f"{step}: {exc.operation_name} failed with {code_of(exc)}: {msg}") from exc
    except BotoCoreError as exc:
        raise StepFailed(f"{step}: {exc}") from exc


@dataclass
class Survey:
    """One read of the whole stack: the changes, and what was found for each resource whose upstream
    resources all exist (None = absent), which apply reuses instead of reading again."""

    changes: list[Change]
    known: dict[str, Live | None]
    owned: dict[str, list[Live]] = field(default_factory=dict)  # all the stack owns, by kind


def _read(ctx: Context, res: Resource) -> Live | None:
    try:
        live: Live | None = _aws(f"read {res.kind} {res.name}", partial(KINDS[res.kind].find, ctx, res))
    except UpstreamMissing:  # looked up inside an upstream resource that does not exist: neither can this
        return None
    return live


def survey(ctx: Context, resources: list[Resource], intents: Intents | None = None, workers: int = 8) -> Survey:
    """Desired vs live for every resource, without changing anything.

    Read in waves: every resource whose upstream resources are known is looked up at once (``workers``
    threads), then those depending on them. The rest, whose upstream resources do not exist yet, are
    looked up too (by name, where their kind can do without them), so that every name taken by another
    stack or by an untagged resource is found here, before the first change. Raises StackCollision."""
    found: dict[str, Live | None] = {}
    known: dict[str, Live | None] = {}
    pending = list(resources)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        listing = pool.submit(owned_by_kind, ctx, {k: v for k, v in KINDS.items() if k not in _LISTED_LAST})
        while pending:
            wave = [r for r in pending if all(d in ctx.outputs for d in r.deps)]
            if not wave:
                break
            for res, live in zip(wave, pool.map(partial(_read, ctx), wave), strict=True):
                found[res.key] = known[res.key] = live
                if live is not None:
                    _check_owner(ctx, res, live, intents)
                    ctx.outputs[res.key] = live.outputs
            pending = [r for r in pending if r.key not in found]
        for res, live in zip(pending, pool.map(partial(_read, ctx), pending), strict=True):
            found[res.key] = live
        owned = {**listing.result(), **owned_by_kind(ctx, {k: KINDS[k] for k in _LISTED_LAST})}
    changes: list[Change] = []
    for res in resources:
        live = found[res.key]
        if live is None:
            changes.append(Change(res.key, res.kind, res.name, "create"))
            continue
        adopt = _check_owner(ctx, res, live, intents)
        if res.key not in known:
            try:  # its fixed properties may be known without the upstream resources it waits for
                fresh = _fixed(KINDS[res.kind], ctx, res, live)
            except UpstreamMissing:
                fresh = {}
            fresh = fresh or _on_new_upstream(KINDS[res.kind], live, found)
            changes.append(Change(res.key, res.kind, res.name, "replace" if fresh else "update", fresh))
            continue
        fixed = _fixed(KINDS[res.kind], ctx, res, live)
        if fixed:
            changes.append(Change(res.key, res.kind, res.name, "replace", fixed))
            continue
        fields = _compare(KINDS[res.kind], ctx, res, live)
        if adopt:
            fields = {"tinysim:stack": (None, ctx.stack), **fields}
        changes.append(Change(res.key, res.kind, res.name, "update" if fields else "no-op", fields))
    _replace_anchored(changes, resources)
    owned = _owned(ctx, intents, owned)
    # a resource looked up without its upstream resources may exist unseen: its kind's deletes wait for apply
    unsure = frozenset(r.kind for r in resources if r.key not in known)
    stale = [
        Change(f"{live.kind}:{live.id}", live.kind, live.id, "delete", live=live)
        for live in unwanted(owned, resources, found, unsure)
    ]
    return Survey(changes + stale, known, owned)


def _replace_anchored(changes: list[Change], resources: list[Resource]) -> None:
    """Mark for replacement what is anchored to a resource being replaced (it goes with it)."""
    by_key = {c.key: c for c in changes}
    for res in resources:
        if by_key[res.key].action != "replace":
            continue
        for r in _downstream(resources, res)[0]:
            c = by_key[r.key]
            if c.action in ("update", "no-op"):
                c.action = "replace"
                c.fields = {"anchored to": (None, f"{res.kind} {res.name}"), **c.fields}


#: Kinds listed through an upstream resource the survey finds (a group's policies): listed after it.
_LISTED_LAST = frozenset({"group_policy"})


def _owned(ctx: Context, intents: Intents | None, owned: dict[str, list[Live]] | None = None) -> dict[str, list[Live]]:
    """Everything the stack owns by kind (``owned``, listed here when not given): tagged, or untagged
    but recorded in the intents."""
    owned = owned_by_kind(ctx, KINDS) if owned is None else dict(owned)
    for kind_name, lives in _in_flight(ctx, intents).items():
        owned[kind_name] = owned.get(kind_name, []) + lives
    return owned


def diff(ctx: Context, resources: list[Resource], intents: Intents | None = None) -> list[Change]:
    """Desired vs live for every resource (see :func:`survey`)."""
    return survey(ctx, resources, intents).changes


def apply(
    ctx: Context, resources: list[Resource], say: Say, intents: Intents | None = None
) -> dict[str, dict[str, Any]]:
    """Create or update every resource in order; returns the outputs by resource key.

    Call it holding the stack's lock. The stack is read once (collisions stop us before any change);
    a kind that cannot tag in its create call has the create recorded in ``intents`` first."""
    first = survey(ctx, resources, intents)
    n = len(resources)
    lives: dict[str, Live | None] = {}
    replaced: set[tuple[str, str]] = set()  # (kind, id) of what was deleted to be created again
    for i, res in enumerate(resources, 1):
        kind = KINDS[res.kind]
        started = time.perf_counter()
        step = f"{res.kind} {res.name}"
        live = first.known[res.key] if res.key in first.known else _aws(f"read {step}", partial(kind.find, ctx, res))
        if live is None:
            untagged_create = not getattr(kind, "tagged_at_create", True)
            if untagged_create and intents is not None:
                _aws(f"record {step}", partial(intents.record, res.kind, res.name))
            live = _aws(f"create {step}", partial(kind.create, ctx, res))
            if untagged_create and intents is not None:
                _aws(f"record {step}", partial(intents.done, res.kind, res.name))
            action = "created"
        else:
            adopt = _check_owner(ctx, res, live, intents)
            actions = []
            if adopt and intents is not None:
                live = _aws(f"tag {step}", partial(kind.adopt, ctx, res, live))
                _aws(f"record {step}", partial(intents.done, res.kind, res.name))
                actions.append("tagged")
            ctx.outputs[res.key] = live.outputs
            fixed = _fixed(kind, ctx, res, live)
            fields = {} if fixed else _compare(kind, ctx, res, live)
            if fixed:
                replaced |= _release(ctx, resources, res, live, first.known, say)
                live = _aws(f"create {step}", partial(kind.create, ctx, res))
                actions.append("replaced (" + ",".join(fixed) + " cannot change in place)")
            if fields:
                live = _aws(f"update {step}", partial(kind.update, ctx, res, live, list(fields)))
                actions.append("updated " + ",".join(fields))
            action = ", ".join(actions) or "unchanged"
        ctx.outputs[res.key] = live.outputs
        lives[res.key] = live
        say(f"[{i:>2}/{n}] {step}: {action} ({time.perf_counter() - started:.1f} s)")
    doomed = [  # now that every resource of the plan is known; the replaced ones are gone already
        lv for lv in unwanted(first.owned, resources, lives) if (lv.kind, lv.id) not in replaced
    ]
    delete_in_order(ctx, KINDS, DESTROY_ORDER, doomed, say, why=": no longer in the plan")
    if intents is not None:
        for live in doomed:
            if live.owner is None:  # an interrupted apply's untagged create, deleted now
                _aws(f"record {live.kind} {live.id}", partial(intents.done, live.kind, live.id))
    return ctx.outputs


def _release(
    ctx: Context, resources: list[Resource], res: Resource, live: Live, known: dict[str, Live | None], say: Say
) -> set[tuple[str, str]]:
    """Delete ``live`` (the old ``res``) and what is anchored to it, dependants first, so that ``res`` can
    be created again under its name; what depends on it otherwise is read again when its turn comes.
    Returns the (kind, id) of what was deleted."""
    anchored, others = _downstream(resources, res)
    doomed = [live]
    for r in anchored:
        found = known[r.key] if r.key in known else _read(ctx, r)
        if found is not None:
            doomed.append(found)
        known[r.key] = None  # created again in its turn
    for r in others:
        known.pop(r.key, None)
    delete_in_order(ctx, KINDS, DESTROY_ORDER, doomed, say, why=f": replaced with {res.kind} {res.name}")
    return {(lv.kind, lv.id) for lv in doomed}


def _in_flight(ctx: Context, intents: Intents | None) -> dict[str, list[Live]]:
    """Untagged resources an interrupted apply created (recorded in the intents), by kind."""
    found: dict[str, list[Live]] = {}
    for kind_name, name in sorted(intents.pending if intents else ()):
        if kind_name not in KINDS:
            continue
        live = _aws(
            f"read {kind_name} {name}", partial(KINDS[kind_name].find, ctx, Resource(kind_name, kind_name, name))
        )
        if live is not None and live.owner is None:
            found.setdefault(kind_name, []).append(live)
    return found


def destroy(ctx: Context, say: Say, intents: Intents | None = None, passes: int = 6) -> int:
    """Delete everything the stack owns (tagged, or recorded in ``intents`` as created by an interrupted
    apply), dependants first; returns how many resources were deleted. Call it holding the stack's lock."""
    owned = _owned(ctx, intents)
    deleted = delete_in_order(
        ctx, KINDS, DESTROY_ORDER, [lv for k in DESTROY_ORDER for lv in owned.get(k, [])], say, passes
    )
    if intents is not None:
        _aws("clear the record of creates in flight", intents.clear)
    return deleted
