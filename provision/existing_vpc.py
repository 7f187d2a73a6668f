"""An existing VPC the stack runs in (``network.existing_vpc_id``): its subnets, found or given, and its
fitness for the plan, checked with read calls only before anything changes.

The stack borrows the VPC, never owns it: the VPC, its subnets, route tables and gateways are read here
and handed to the stack's resources under the keys its own network would have had (``vpc``,
``subnet-public-<i>``, ``subnet-private-<i>``, ``rt-public``, ``rt-private``), so that the stack's
security groups, endpoints, load balancer and tasks are made inside it. Nothing borrowed carries the
stack's tag, so ``destroy`` (which deletes only what carries it) never touches them.

A subnet is public when its route table (its own association, else the VPC's main table) sends
0.0.0.0/0 to an internet gateway, private behind a NAT when it sends it to a NAT gateway or to an
instance (a NAT instance). Source: docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html
(subnet types) and VPC_Route_Tables.html (main and custom route tables).

The stack uses one subnet per zone (an ALB and an interface endpoint take at most one subnet per zone:
docs.aws.amazon.com/elasticloadbalancing/latest/application/application-load-balancers.html#subnets-load-balancer,
docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html), in the first ``network.azs``
zones by name, the lowest subnet id in each.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from models.blueprint import blueprint, task_subnet_keys
from models.plan import Plan
from provision.errors import VpcUnfit
from provision.resources import Context
from provision.services.base import code_of, owner_of

__all__ = ["BorrowedNetwork", "borrow_network", "read_borrowed", "route_kind"]

FIELD = "network.existing_vpc_id"


@dataclass(frozen=True)
class BorrowedNetwork:
    """What the stack uses of an existing VPC: its id and CIDR, the public and private subnets chosen
    (one per zone, ``network.azs`` of each kind the plan uses), and the route tables of each kind."""

    vpc_id: str
    cidr: str
    public: tuple[str, ...]
    private: tuple[str, ...]
    public_tables: tuple[str, ...]
    private_tables: tuple[str, ...]

    def outputs(self) -> dict[str, dict[str, Any]]:
        """Outputs under the keys of the stack's own network (see the module docstring)."""
        out: dict[str, dict[str, Any]] = {"vpc": {"vpc_id": self.vpc_id, "cidr": self.cidr}}
        for kind, ids in (("public", self.public), ("private", self.private)):
            out.update({f"subnet-{kind}-{i}": {"subnet_id": s} for i, s in enumerate(ids)})
        out["rt-public"] = {"route_table_ids": list(self.public_tables)}
        out["rt-private"] = {"route_table_ids": list(self.private_tables)}
        return out


@dataclass(frozen=True)
class _Subnet:
    id: str
    zone: str
    table: str | None
    route: str  # igw | nat | none (where 0.0.0.0/0 goes)
    target: str | None


def route_kind(table: dict[str, Any]) -> tuple[str, str | None]:
    """Where a route table sends 0.0.0.0/0: ("igw", id), ("nat", id) for a NAT gateway or an instance,
    or ("none", None) (no such route, or a blackhole)."""
    for r in table.get("Routes", []):
        if r.get("DestinationCidrBlock") != "0.0.0.0/0" or r.get("State", "active") != "active":
            continue
        gw = r.get("GatewayId") or ""
        if gw.startswith("igw-"):
            return "igw", gw
        target = r.get("NatGatewayId") or r.get("InstanceId") or r.get("NetworkInterfaceId")
        if target:
            return "nat", str(target)
    return "none", None


def _subnets(ctx: Context, vpc_id: str) -> dict[str, _Subnet]:
    ec2 = ctx.clients("ec2")
    flt = [{"Name": "vpc-id", "Values": [vpc_id]}]
    tables = ec2.describe_route_tables(Filters=flt)["RouteTables"]
    main = next((t for t in tables if any(a.get("Main") for a in t.get("Associations", []))), None)
    by_subnet = {a["SubnetId"]: t for t in tables for a in t.get("Associations", []) if a.get("SubnetId")}
    out = {}
    for s in ec2.describe_subnets(Filters=flt)["Subnets"]:
        table = by_subnet.get(s["SubnetId"], main)
        kind, target = route_kind(table) if table else ("none", None)
        tid = table["RouteTableId"] if table else None
        out[s["SubnetId"]] = _Subnet(s["SubnetId"], s["AvailabilityZone"], tid, kind, target)
    return out


def _needs(plan: Plan) -> tuple[int, int]:
    """Zones of public and of private subnets the plan uses (0: none of that kind)."""
    azs, container = plan.network.azs, plan.architecture == "container"
    tasks_public = container and task_subnet_keys(plan)[0].startswith("subnet-public")
    public = max(azs, 2) if plan.front_door == "alb" else (azs if tasks_public else 0)
    private = azs if container and not tasks_public else 0
    return public, private


def _pick(found: Sequence[_Subnet], n: int) -> list[_Subnet]:
    """One subnet per zone (lowest id), in the first ``n`` zones by name."""
    by_zone: dict[str, _Subnet] = {}
    for s in sorted(found, key=lambda s: (s.zone, s.id)):
        by_zone.setdefault(s.zone, s)
    return [by_zone[z] for z in sorted(by_zone)[:n]]


_LABEL = {"igw": "an internet gateway", "nat": "a NAT gateway or NAT instance"}
_WANT = {"public": "igw", "private": "nat"}


def _listed_problems(ctx: Context, plan: Plan, subnets: dict[str, _Subnet], vpc_id: str) -> list[str]:
    """One line per subnet of ``network.existing_subnets`` that is not in the VPC (another VPC's, or no
    subnet at all) or not routed as its list says (public: to an internet gateway; private: to a NAT),
    whether or not the plan uses subnets of that kind."""
    given = plan.network.existing_subnets
    if given is None:
        return []
    problems: list[str] = []
    elsewhere: dict[str, str] = {}
    unknown = [sid for sid in (*given.public, *given.private) if sid not in subnets]
    if unknown:
        flt = [{"Name": "subnet-id", "Values": unknown}]
        elsewhere = {s["SubnetId"]: s["VpcId"] for s in ctx.clients("ec2").describe_subnets(Filters=flt)["Subnets"]}
    for kind, want in _WANT.items():
        for i, sid in enumerate(getattr(given, kind)):
            where = f"network.existing_subnets.{kind}[{i}]={sid!r}"
            s = subnets.get(sid)
            if s is None and sid in elsewhere:
                problems.append(f"{where}: is in {elsewhere[sid]}, not in {vpc_id}; list subnets of {vpc_id} only")
            elif s is None:
                problems.append(f"{where}: no such subnet in {ctx.region} for this account; list subnets of {vpc_id}")
            elif s.route != want:
                goes = f"to {s.target}" if s.target else "nowhere"
                problems.append(f"{where}: its route table {s.table} sends 0.0.0.0/0 {goes}, not to {_LABEL[want]}")
    return problems


def _dns_users(plan: Plan) -> str | None:
    """What of the plan's blueprint resolves private DNS names in the VPC (interface endpoints, a Cloud
    Map namespace), or None. Both need the VPC's DNS support and hostnames on: docs.aws.amazon.com/vpc/
    latest/privatelink/create-interface-endpoint.html (private DNS), docs.aws.amazon.com/cloud-map/latest/
    dg/dns-considerations.html (private DNS namespaces)."""
    resources = blueprint(plan).resources
    users = []
    if any(r.kind == "vpc_endpoint" and r.key != "endpoint-s3" for r in resources):
        users.append("interface endpoints")
    if any(r.kind == "namespace" for r in resources):
        users.append("the Cloud Map namespace")
    return " and ".join(users) or None


def _choose(
    kind: str, want: str, need: int, given: tuple[str, ...] | None, subnets: dict[str, _Subnet], why: str, vpc_id: str
) -> tuple[list[_Subnet], list[str]]:
    """The subnets of one kind (``want``: igw | nat) and the problems found choosing them."""
    problems: list[str] = []
    if given:
        candidates = [subnets[sid] for sid in given if sid in subnets and subnets[sid].route == want]
    else:
        candidates = [s for s in subnets.values() if s.route == want]
    if not need:
        return [], problems
    label = _LABEL[want]
    chosen = _pick(candidates, need)
    if len(chosen) < need:
        zones = sorted({s.zone for s in chosen})
        source = "listed" if given else "found"
        problems.append(
            f"{FIELD}={vpc_id!r}: {kind} subnets routed to {label} {source} in {len(zones)} zone(s) {zones}; "
            f"{why} needs {need}"
        )
    return chosen, problems


def _dns(ctx: Context, vpc_id: str) -> dict[str, bool]:
    ec2 = ctx.clients("ec2")
    got = {}
    for attr, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames")):
        got[attr] = bool(ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attr).get(key, {}).get("Value"))
    return got


def borrow_network(ctx: Context, plan: Plan) -> BorrowedNetwork:
    """The existing VPC of ``plan`` as the stack will use it, after checking with read calls only that it
    can carry the plan. Raises VpcUnfit with one line per missing criterion: the VPC exists; enough
    zones of public subnets routed to an internet gateway (the ALB's, or the tasks' without a NAT) and
    of private subnets routed to a NAT (the tasks' with one); every listed subnet in the VPC, routed as
    its list says; DNS support and hostnames on where the blueprint has private DNS (interface
    endpoints, a Cloud Map namespace)."""
    vpc_id = plan.network.existing_vpc_id
    assert vpc_id is not None
    try:
        vpcs = ctx.clients("ec2").describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    except ClientError as exc:
        if "NotFound" not in code_of(exc):
            raise
        vpcs = []
    if not vpcs:
        raise VpcUnfit([f"{FIELD}={vpc_id!r}: no such VPC in {ctx.region} for this account"])
    subnets = _subnets(ctx, vpc_id)
    need_public, need_private = _needs(plan)
    given = plan.network.existing_subnets
    problems = _listed_problems(ctx, plan, subnets, vpc_id)
    why = "front_door 'alb'" if plan.front_door == "alb" else "network.nat 'none' (tasks in public subnets)"
    public, found = _choose("public", "igw", need_public, given.public if given else None, subnets, why, vpc_id)
    problems += found
    why = f"network.azs={plan.network.azs} with network.nat {plan.network.nat!r}"
    private, found = _choose("private", "nat", need_private, given.private if given else None, subnets, why, vpc_id)
    problems += found
    users = _dns_users(plan)
    if users:
        for attr, on in _dns(ctx, vpc_id).items():
            if not on:
                verb = "needs" if users == "the Cloud Map namespace" else "need"
                problems.append(f"{FIELD}={vpc_id!r}: {attr} is off; {users} {verb} it on")
    if problems:
        raise VpcUnfit(problems)
    return BorrowedNetwork(
        vpc_id,
        vpcs[0]["CidrBlock"],
        tuple(s.id for s in public),
        tuple(s.id for s in private),
        tuple(sorted({s.table for s in public if s.table})),
        tuple(sorted({s.table for s in private if s.table})),
    )


def _subnets_in_use(ctx: Context) -> tuple[list[str], list[str]]:
    """The subnets of the stack's load balancer and of its tasks (ECS service), live."""
    stack = ctx.stack
    lbs = ctx.clients("elbv2").describe_load_balancers()["LoadBalancers"]
    front = [z["SubnetId"] for b in lbs if b["LoadBalancerName"] == f"{stack}-alb" for z in b["AvailabilityZones"]]
    tasks: list[str] = []
    try:  # with the tags, as every Describe* of ECS here (see capacity.py: an emulator race otherwise)
        got = ctx.clients("ecs").describe_services(cluster=stack, services=[stack], include=["TAGS"])["services"]
    except ClientError:
        got = []
    for svc in got:
        if svc.get("status") == "ACTIVE":
            tasks = list(svc.get("networkConfiguration", {}).get("awsvpcConfiguration", {}).get("subnets", []))
    return front, tasks


def read_borrowed(ctx: Context) -> dict[str, Any] | None:
    """The ``network`` section (plan.json's shape) of a stack that lives in a VPC it does not own, read
    live: the VPC of the stack's front security group, the subnets its load balancer and tasks use
    (in zone order), and what the tasks' subnets route to (a NAT gateway, a NAT instance or the internet
    gateway). None when the stack has no such group or the VPC is its own."""
    ec2 = ctx.clients("ec2")
    flt = [{"Name": "group-name", "Values": [f"{ctx.stack}-front"]}]
    groups = [
        g for g in ec2.describe_security_groups(Filters=flt)["SecurityGroups"] if owner_of(g.get("Tags")) == ctx.stack
    ]
    if not groups:
        return None
    vpc_id = groups[0]["VpcId"]
    vpcs = ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"]
    if not vpcs or owner_of(vpcs[0].get("Tags")) == ctx.stack:
        return None
    subnets = _subnets(ctx, vpc_id)
    front, tasks = _subnets_in_use(ctx)
    targets = [subnets[s] for s in tasks if s in subnets]
    nat = "none"
    if targets and all(s.route == "nat" for s in targets):
        nat = "gateway" if all((s.target or "").startswith("nat-") for s in targets) else "instance"
    private = tasks if nat != "none" else []
    public = front or (tasks if nat == "none" else [])

    def order(ids: list[str]) -> list[str]:
        return sorted(ids, key=lambda i: (subnets[i].zone if i in subnets else "", i))

    return {
        "azs": max(len(public), len(private), 1),
        "nat": nat,
        "existing_vpc_id": vpc_id,
        "existing_subnets": {"public": order(public), "private": order(private)},
    }
