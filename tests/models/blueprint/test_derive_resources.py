"""The stack's resources and what bills each, checked against what AWS creates for such a stack."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import Plan, load_plan
from models.blueprint import ROOT_VOLUME, RootVolume, StackResource, blueprint, stack_resources

PLANS = Path(__file__).parents[3] / "examples" / "plans"


def billed(resources: tuple[StackResource, ...], item: str) -> int:
    return sum(b.quantity for r in resources for b in r.billed if b.item == item)


def plan(**data: object) -> Plan:
    return Plan.model_validate(data)


@pytest.mark.parametrize("name", sorted(p.name for p in PLANS.glob("*.json")))
def test_every_dependency_comes_first_and_keys_are_unique(name: str) -> None:
    seen: set[str] = set()
    for r in stack_resources(load_plan(PLANS / name)):
        assert r.key not in seen
        assert set(r.deps) <= seen, (r.key, set(r.deps) - seen)
        seen.add(r.key)


def test_serverless_behind_api_gateway_has_no_vpc_nat_or_public_address() -> None:
    # A Lambda function outside a VPC needs no NAT: nothing here holds a public IPv4 address.
    for door in ("apigw-http", "apigw-rest"):
        res = stack_resources(plan(architecture="serverless", front_door=door))
        kinds = {r.kind for r in res}
        assert not kinds & {"vpc", "subnet", "nat", "eip", "igw"}
        assert billed(res, "nat_gateway") == 0 and billed(res, "public_ipv4") == 0
        assert billed(res, "api") == 1 and billed(res, "function") == 1


def test_serverless_behind_an_alb_has_public_subnets_only() -> None:
    res = stack_resources(plan(architecture="serverless", front_door="alb", network={"azs": 3}))
    assert billed(res, "nat_gateway") == 0
    assert billed(res, "public_ipv4") == 3  # an internet-facing ALB: one public IPv4 address per zone
    assert not any(r.key.startswith("subnet-private") for r in res)


def test_seed_stack_bills_nat_its_address_the_namespace_zone_alarms_and_root_volumes() -> None:
    res = stack_resources(Plan())  # EC2 launch type behind an HTTP API, 2 zones, NAT gateway
    assert billed(res, "nat_gateway") == 1
    assert billed(res, "public_ipv4") == 1  # the NAT gateway's Elastic IP; no ALB
    assert billed(res, "hosted_zone") == 1  # the Cloud Map private DNS namespace creates a Route 53 zone
    zone = next(r for r in res if r.kind == "hosted_zone")
    assert zone.made_by == "namespace" and zone.name == "tinystack.local"
    assert billed(res, "alarm") == 4  # service CPU high/low, cluster CPU high/low
    vol = [b for r in res for b in r.billed if b.item == "instance_root_volume"]
    assert [b.root_volume for b in vol] == [RootVolume("gp3", 30, True)] == [ROOT_VOLUME]
    assert {r.kind for r in res} >= {"repository", "bucket", "build_project", "pipeline", "http_api", "log_group"}
    assert billed(res, "log_group") == 4  # app, API access, build, release
    assert billed(res, "build_project") == 2 and billed(res, "pipeline") == 1


def test_alb_container_stack_with_nat_holds_zones_plus_one_addresses() -> None:
    res = stack_resources(
        plan(front_door="alb", network={"azs": 3}, container={"launch_type": "fargate", "task": {"cpu_units": 256}})
    )
    assert billed(res, "public_ipv4") == 3 + 1
    assert billed(res, "hosted_zone") == 0 and billed(res, "instance_root_volume") == 0
    assert billed(res, "alarm") == 2 and billed(res, "fargate_tasks") == 1


def test_no_nat_puts_tasks_in_public_subnets_without_private_ones() -> None:
    res = stack_resources(plan(network={"nat": "none"}))
    assert billed(res, "nat_gateway") == 0 and billed(res, "public_ipv4") == 0
    asg = next(r for r in res if r.key == "asg")
    assert "subnet-public-0" in asg.deps and not any(r.key.startswith("subnet-private") for r in res)


def test_target_tracking_alarms_are_made_by_the_policy_and_billed() -> None:
    tt = {"policy": "target_tracking", "target_value": 50.0}
    res = stack_resources(plan(container={"launch_type": "fargate", "task": {"cpu_units": 256}, "scaling": tt}))
    alarms = [r for r in res if r.kind == "alarm"]
    assert [(a.name, a.made_by) for a in alarms] == [
        ("TargetTracking-service/tinystack/tinystack-AlarmHigh", "policy-target"),
        ("TargetTracking-service/tinystack/tinystack-AlarmLow", "policy-target"),
    ]
    assert billed(res, "alarm") == 2 and not any(r.kind == "step_policy" for r in res)
    off = stack_resources(
        plan(
            container={
                "launch_type": "fargate",
                "task": {"cpu_units": 256},
                "scaling": {**tt, "disable_scale_in": True},
            }
        )
    )
    assert billed(off, "alarm") == 1  # no scale-in alarm when scale-in is disabled


def test_alb_request_count_policy_waits_for_the_target_group() -> None:
    tt = {"policy": "target_tracking", "metric": "alb_request_count_per_target", "target_value": 1000.0}
    res = stack_resources(plan(front_door="alb", container={"scaling": tt}))
    policy = next(r for r in res if r.kind == "target_tracking_policy")
    assert {"scalable-target", "tg", "listener"} <= set(policy.deps)
    assert billed(res, "alarm") == 2 + 2  # the policy's two, the cluster's two step alarms


def test_scheduled_actions_and_endpoints() -> None:
    sched = [{"name": "peak", "cron": "cron(0 8 * * ? *)", "min": 2, "max": 5}]
    res = stack_resources(plan(network={"vpc_endpoints": True, "azs": 3}, container={"scaling": {"scheduled": sched}}))
    assert [r.name for r in res if r.kind == "scheduled_action"] == ["peak"]
    assert billed(res, "vpc_endpoint") == 3 * 3  # ecr.api, ecr.dkr, logs in each of 3 zones
    s3 = next(r for r in res if r.key == "endpoint-s3")
    assert s3.billed == () and s3.deps == ("rt-private",)  # a gateway endpoint is free


def test_blueprint_carries_the_resources() -> None:
    p = load_plan(PLANS / "seed_container_alb.json")
    bp = blueprint(p)
    assert bp.resources == stack_resources(p) and bp.resource("alb").kind == "alb"
    with pytest.raises(KeyError):
        bp.resource("namespace")
    # every stack-managed alarm of the control plane is a resource of the same name, and vice versa
    assert [a.name for a in bp.control.alarms] == [r.name for r in bp.resources if r.kind == "alarm"]


def test_an_existing_vpc_lists_no_network_of_its_own() -> None:
    # the stack borrows the VPC: no VPC, subnet, internet gateway, route table, Elastic IP or NAT of its
    # own, so none is billed (its security groups and endpoints are the stack's)
    for nat in ("gateway", "instance", "none"):
        res = stack_resources(
            plan(network={"existing_vpc_id": "vpc-0123abcd", "nat": nat, "vpc_endpoints": True}, front_door="alb")
        )
        kinds = {r.kind for r in res}
        assert not kinds & {"vpc", "subnet", "igw", "route_table", "eip", "nat", "nat_instance"}, nat
        assert {"security_group", "vpc_endpoint", "alb"} <= kinds
        assert billed(res, "nat_gateway") == billed(res, "nat_instance") == 0
        assert billed(res, "public_ipv4") == 2  # the ALB's, one per zone


def test_a_nat_instance_has_its_own_group_root_volume_and_address() -> None:
    res = {r.key: r for r in stack_resources(plan(network={"nat": "instance"}))}
    nat = res["nat"]
    assert (nat.kind, nat.deps) == ("nat_instance", ("sg-nat", "subnet-public-0"))
    assert [(b.item, b.quantity, b.root_volume) for b in nat.billed] == [
        ("nat_instance", 1, RootVolume("gp3", 8, True)),
        ("public_ipv4", 1, None),
    ]
    assert res["rt-private"].deps[0] == "nat" and "eip" not in res
