"""A stack in an existing VPC (``network.existing_vpc_id``) on LocalStack: the VPC's fitness is checked
with read calls only (one line per missing criterion, exit 1, no changing call), the stack builds only
its own resources inside it, ``status`` reads the network fields back, a re-plan is clean, and
``destroy`` leaves the VPC, its subnets, route tables and gateways exactly as they were."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from models import Plan
from provision.api import apply_plan, connect, destroy_stack, plan_changes, read_status
from provision.errors import VpcUnfit
from tests.provision.conftest import owned, relevant, tagged_anywhere, unique

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
QUIET = lambda line: None  # noqa: E731
_READ = ("Describe", "Get", "List")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provision", *args], capture_output=True, text=True, timeout=300)


@dataclass(frozen=True)
class Network:
    vpc_id: str
    public: list[str]  # one per zone, zone order
    private: list[str]
    extra: list[str]  # a second public subnet in the first zone


def _tags(name: str) -> list[dict[str, Any]]:
    return [{"Key": "Name", "Value": name}, {"Key": "owner", "Value": "someone-else"}]


def make_vpc(ec2: Any, cidr: str, *, igw: bool = True, nat: bool = True, dns: bool = True) -> Network:
    """A VPC made by someone else: public subnets in zones a and b routed to an internet gateway,
    private ones routed to a NAT gateway (each optional), untagged by any stack."""
    vpc = ec2.create_vpc(CidrBlock=cidr, TagSpecifications=[{"ResourceType": "vpc", "Tags": _tags("theirs")}])
    vpc_id = vpc["Vpc"]["VpcId"]
    for attr in ("EnableDnsSupport", "EnableDnsHostnames"):
        ec2.modify_vpc_attribute(VpcId=vpc_id, **{attr: {"Value": dns}})
    base = cidr.split(".")
    block = lambda i: f"{base[0]}.{base[1]}.{i}.0/24"  # noqa: E731
    zones = ["us-east-1a", "us-east-1b"]
    sub = lambda i, z: ec2.create_subnet(VpcId=vpc_id, CidrBlock=block(i), AvailabilityZone=z)["Subnet"]["SubnetId"]  # noqa: E731
    public = [sub(i, z) for i, z in enumerate(zones)]
    extra = [sub(5, zones[0])]
    private = [sub(10 + i, z) for i, z in enumerate(zones)]
    public_rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    private_rt = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    for s in public + extra:
        ec2.associate_route_table(RouteTableId=public_rt, SubnetId=s)
    for s in private:
        ec2.associate_route_table(RouteTableId=private_rt, SubnetId=s)
    if igw:
        gw = ec2.create_internet_gateway()["InternetGateway"]["InternetGatewayId"]
        ec2.attach_internet_gateway(InternetGatewayId=gw, VpcId=vpc_id)
        ec2.create_route(RouteTableId=public_rt, DestinationCidrBlock="0.0.0.0/0", GatewayId=gw)
    if nat:
        eip = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ngw = ec2.create_nat_gateway(SubnetId=public[0], AllocationId=eip)["NatGateway"]["NatGatewayId"]
        ec2.create_route(RouteTableId=private_rt, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=ngw)
    return Network(vpc_id, public, private, extra)


def snapshot(ec2: Any, vpc_id: str) -> dict[str, Any]:
    """Everything of the VPC a stack must not touch: its subnets, route tables (routes and associations),
    gateways and DNS attributes."""
    flt = [{"Name": "vpc-id", "Values": [vpc_id]}]
    tables = ec2.describe_route_tables(Filters=flt)["RouteTables"]
    return {
        "vpc": ec2.describe_vpcs(VpcIds=[vpc_id])["Vpcs"][0]["Tags"],
        "subnets": sorted(
            (s["SubnetId"], s["CidrBlock"], s["AvailabilityZone"]) for s in ec2.describe_subnets(Filters=flt)["Subnets"]
        ),
        "routes": sorted(  # the stack's S3 gateway endpoint adds a prefix list route while it lives
            (
                t["RouteTableId"],
                r.get("DestinationCidrBlock") or r.get("DestinationPrefixListId", ""),
                r.get("GatewayId") or r.get("NatGatewayId") or "",
            )
            for t in tables
            for r in t["Routes"]
        ),
        "associations": sorted(
            (a["RouteTableId"], a.get("SubnetId", "main")) for t in tables for a in t["Associations"]
        ),
        "igws": sorted(
            g["InternetGatewayId"]
            for g in ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])[
                "InternetGateways"
            ]
        ),
        "nats": sorted(
            n["NatGatewayId"] for n in ec2.describe_nat_gateways(Filters=flt)["NatGateways"] if n["State"] != "deleted"
        ),
    }


def remove_vpc(ec2: Any, vpc_id: str) -> None:
    """Tear down a VPC made by :func:`make_vpc` (after the test: the stack must have left it whole)."""
    flt = [{"Name": "vpc-id", "Values": [vpc_id]}]
    for n in ec2.describe_nat_gateways(Filters=flt)["NatGateways"]:
        ec2.delete_nat_gateway(NatGatewayId=n["NatGatewayId"])
    for t in ec2.describe_route_tables(Filters=flt)["RouteTables"]:
        if not any(a.get("Main") for a in t["Associations"]):
            for a in t["Associations"]:
                ec2.disassociate_route_table(AssociationId=a["RouteTableAssociationId"])
            ec2.delete_route_table(RouteTableId=t["RouteTableId"])
    for s in ec2.describe_subnets(Filters=flt)["Subnets"]:
        ec2.delete_subnet(SubnetId=s["SubnetId"])
    gws = ec2.describe_internet_gateways(Filters=[{"Name": "attachment.vpc-id", "Values": [vpc_id]}])
    for g in gws["InternetGateways"]:
        ec2.detach_internet_gateway(InternetGatewayId=g["InternetGatewayId"], VpcId=vpc_id)
        ec2.delete_internet_gateway(InternetGatewayId=g["InternetGatewayId"])
    ec2.delete_vpc(VpcId=vpc_id)


@pytest.fixture
def ec2() -> Iterator[Any]:
    """EC2 on the emulator; every VPC a test made with :func:`make_vpc` is removed afterwards."""
    client = connect(Plan(name="fixture")).clients("ec2")
    theirs = [{"Name": "tag:owner", "Values": ["someone-else"]}]
    before = {v["VpcId"] for v in client.describe_vpcs(Filters=theirs)["Vpcs"]}
    yield client
    for v in client.describe_vpcs(Filters=theirs)["Vpcs"]:
        if v["VpcId"] not in before:
            remove_vpc(client, v["VpcId"])


class Recorder:
    """Records the API operation of every call the wrapped clients make."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(self, service: str, client: Any) -> Any:
        client.meta.events.register("before-call.*.*", lambda model, **kw: self.calls.append(f"{service}:{model.name}"))
        return client


def test_a_stack_lives_in_an_existing_vpc_and_leaves_it_as_it_was(ec2: Any, tmp_path: Path) -> None:
    net = make_vpc(ec2, "10.61.0.0/16")
    plan = unique(
        Plan.model_validate(
            {
                "network": {
                    "existing_vpc_id": net.vpc_id,
                    "existing_subnets": {"public": [], "private": net.private},
                    "vpc_endpoints": True,
                },
                "container": {"launch_type": "fargate", "task": {"cpu_units": 256, "memory_mb": 512}},
                "pipeline": {"enabled": False},
            }
        ),
        "xv",
    )
    before = snapshot(ec2, net.vpc_id)
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    applied = cli("apply", str(path))
    assert applied.returncode == 0, applied.stderr
    ctx = connect(plan)
    try:
        # the stack's own resources inside the VPC; none of the VPC's network is the stack's
        groups = ec2.describe_security_groups(Filters=[{"Name": "tag:tinysim:stack", "Values": [plan.name]}])
        assert {g["VpcId"] for g in groups["SecurityGroups"]} == {net.vpc_id}
        assert not {"vpc", "subnet", "igw", "eip", "nat", "route_table", "nat_instance"} & set(owned(ctx))
        svc = ctx.clients("ecs").describe_services(cluster=plan.name, services=[plan.name])["services"][0]
        assert sorted(svc["networkConfiguration"]["awsvpcConfiguration"]["subnets"]) == sorted(net.private)
        endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "tag:tinysim:stack", "Values": [plan.name]}])
        assert {e["VpcId"] for e in endpoints["VpcEndpoints"]} == {net.vpc_id} and len(endpoints["VpcEndpoints"]) == 4
        status = json.loads(cli("status", str(path)).stdout)["plan"]
        assert status["network"]["existing_vpc_id"] == net.vpc_id
        assert status["network"]["existing_subnets"] == {"public": [], "private": net.private}
        assert relevant(Plan.model_validate(status)) == relevant(plan)
        again = cli("plan", str(path))
        assert again.returncode == 0, again.stdout + again.stderr
    finally:
        gone = cli("destroy", str(path), "--json")
    assert gone.returncode == 0, gone.stderr
    assert owned(ctx) == {} and tagged_anywhere(ctx) == []
    assert snapshot(ec2, net.vpc_id) == before  # untouched
    assert read_status(connect(plan), plan) is None


def test_subnets_are_found_from_the_route_tables(ec2: Any) -> None:
    net = make_vpc(ec2, "10.62.0.0/16")
    plan = unique(
        Plan.model_validate(
            {
                "front_door": "alb",
                "network": {"existing_vpc_id": net.vpc_id},
                "container": {"launch_type": "fargate", "task": {"cpu_units": 256, "memory_mb": 512}},
                "pipeline": {"enabled": False},
            }
        ),
        "xf",
    )
    ctx = connect(plan)
    apply_plan(plan, ctx=ctx, progress=QUIET)
    try:
        status = read_status(connect(plan), plan)
        assert status is not None and status.plan is not None
        # one public subnet per zone, the lowest id where a zone has two; the private ones behind the NAT
        first = sorted([net.public[0], net.extra[0]])[0]
        assert status.fields["network"]["existing_subnets"] == {
            "public": [first, net.public[1]],
            "private": net.private,
        }
        assert status.fields["network"]["nat"] == "gateway" and status.fields["network"]["azs"] == 2
        assert [c for c in plan_changes(plan, connect(plan)) if c.action != "no-op"] == []
    finally:
        destroy_stack(connect(plan), progress=QUIET)
    assert owned(connect(plan)) == {}


def test_an_unfit_vpc_is_refused_line_by_line_before_any_change(ec2: Any, tmp_path: Path) -> None:
    net = make_vpc(ec2, "10.63.0.0/16", igw=False, nat=False, dns=False)
    plan = unique(
        Plan.model_validate(
            {
                "front_door": "alb",
                "network": {"existing_vpc_id": net.vpc_id, "vpc_endpoints": True},
                "container": {"launch_type": "fargate", "task": {"cpu_units": 256, "memory_mb": 512}},
            }
        ),
        "xu",
    )
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    out = cli("apply", str(path))
    assert out.returncode == 1
    v = f"network.existing_vpc_id={net.vpc_id!r}"
    assert out.stderr.splitlines() == [
        f"provision: {v}: public subnets routed to an internet gateway found in 0 zone(s) []; front_door 'alb' needs 2",
        f"provision: {v}: private subnets routed to a NAT gateway or NAT instance found in 0 zone(s) []; "
        "network.azs=2 with network.nat 'gateway' needs 2",
        f"provision: {v}: enableDnsSupport is off; interface endpoints need it on",
        f"provision: {v}: enableDnsHostnames is off; interface endpoints need it on",
    ]
    recorder = Recorder()
    with pytest.raises(VpcUnfit):
        apply_plan(plan, ctx=connect(plan, wrap=recorder), progress=QUIET)
    changing = [c for c in recorder.calls if not c.split(":")[1].startswith(_READ)]
    assert changing == [] and len(recorder.calls) > 3  # not even the lock
    assert owned(connect(plan)) == {}


def test_listed_subnets_are_checked_one_by_one(ec2: Any) -> None:
    net = make_vpc(ec2, "10.64.0.0/16")
    other = make_vpc(ec2, "10.65.0.0/16")
    plan = unique(
        Plan.model_validate(
            {
                "network": {
                    "existing_vpc_id": net.vpc_id,
                    "existing_subnets": {"private": [net.public[0], other.private[0]]},
                },
                "container": {"launch_type": "fargate", "task": {"cpu_units": 256, "memory_mb": 512}},
            }
        ),
        "xl",
    )
    with pytest.raises(VpcUnfit) as err:
        plan_changes(plan, connect(plan))
    problems = err.value.problems
    assert problems[0].startswith(f"network.existing_subnets.private[0]={net.public[0]!r}: its route table rtb-")
    assert " sends 0.0.0.0/0 to igw-" in problems[0] and problems[0].endswith("not to a NAT gateway or NAT instance")
    assert problems[1] == (
        f"network.existing_subnets.private[1]={other.private[0]!r}: is in {other.vpc_id}, not in {net.vpc_id}; "
        f"list subnets of {net.vpc_id} only"
    )
    assert problems[2].startswith(f"network.existing_vpc_id={net.vpc_id!r}: private subnets routed to a NAT")
    assert "listed in 0 zone(s) []" in problems[2]
    assert len(problems) == 3


def test_every_listed_subnet_is_checked_whatever_the_front_door_uses(ec2: Any, tmp_path: Path) -> None:
    """An HTTP API in front of containers behind a NAT uses only private subnets; the public ones listed
    are checked all the same: another VPC's, a missing one, one routed to a NAT (one line each, exit 1,
    no changing call). A subnet listed twice is refused by validation, before any call."""
    net = make_vpc(ec2, "10.66.0.0/16")
    other = make_vpc(ec2, "10.67.0.0/16")
    missing = "subnet-0123456789abcdef0"
    plan = unique(
        Plan.model_validate(
            {
                "network": {
                    "existing_vpc_id": net.vpc_id,
                    "azs": 1,
                    "existing_subnets": {
                        "public": [other.public[0], missing, net.private[0]],
                        "private": [net.private[1]],
                    },
                },
                "container": {"launch_type": "fargate", "task": {"cpu_units": 256, "memory_mb": 512}},
                "pipeline": {"enabled": False},
            }
        ),
        "xa",
    )
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    out = cli("plan", str(path))
    assert out.returncode == 1, out.stdout + out.stderr
    w = "provision: network.existing_subnets.public"
    lines = out.stderr.splitlines()
    assert lines[:2] == [
        f"{w}[0]={other.public[0]!r}: is in {other.vpc_id}, not in {net.vpc_id}; list subnets of {net.vpc_id} only",
        f"{w}[1]={missing!r}: no such subnet in us-east-1 for this account; list subnets of {net.vpc_id}",
    ]
    assert lines[2].startswith(f"{w}[2]={net.private[0]!r}: its route table rtb-")
    assert " sends 0.0.0.0/0 to nat-" in lines[2] and lines[2].endswith("not to an internet gateway")
    assert len(lines) == 3
    recorder = Recorder()
    with pytest.raises(VpcUnfit):
        apply_plan(plan, ctx=connect(plan, wrap=recorder), progress=QUIET)
    assert [c for c in recorder.calls if not c.split(":")[1].startswith(_READ)] == []
    data = json.loads(path.read_text())
    data["network"]["existing_subnets"]["public"] = [net.public[0], net.public[0]]
    path.write_text(json.dumps(data))
    twice = cli("plan", str(path))
    assert twice.returncode == 1 and twice.stderr.splitlines() == [
        f'provision: network.existing_subnets.public[1]="{net.public[0]}": listed twice (also public[0])'
    ], twice.stderr


def test_dns_criteria_follow_the_resources_the_plan_has(ec2: Any) -> None:
    """DNS hostnames off: an HTTP API in front of containers (a Cloud Map namespace) is refused naming
    the namespace; a REST API (a Network Load Balancer, no namespace) is not refused for it."""
    net = make_vpc(ec2, "10.68.0.0/16", dns=False)
    base = {
        "network": {"existing_vpc_id": net.vpc_id},
        "container": {"launch_type": "fargate", "task": {"cpu_units": 256, "memory_mb": 512}},
        "pipeline": {"enabled": False},
    }
    http = unique(Plan.model_validate(base), "xd")
    with pytest.raises(VpcUnfit) as err:
        plan_changes(http, connect(http))
    v = f"network.existing_vpc_id={net.vpc_id!r}"
    assert err.value.problems == [
        f"{v}: enableDnsSupport is off; the Cloud Map namespace needs it on",
        f"{v}: enableDnsHostnames is off; the Cloud Map namespace needs it on",
    ]
    rest = unique(Plan.model_validate({**base, "front_door": "apigw-rest"}), "xr")
    changes = plan_changes(rest, connect(rest))  # no VpcUnfit
    assert any(c.kind == "nlb" for c in changes) and not any(c.kind == "namespace" for c in changes)
