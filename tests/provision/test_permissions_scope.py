"""The permissions policy grants changing calls only on the services whose resources the plan has: a
serverless stack behind an HTTP API has no VPC, so it may read EC2 (the Region's zones) but change nothing
there. Every kind of resource names the clients that change it."""

from __future__ import annotations

from pathlib import Path

from models import load_plan
from provision.executor import KINDS
from provision.permissions import _KIND_CLIENTS, permissions_policy
from tests.provision.test_permissions import allowed

PLANS = Path(__file__).parents[2] / "examples" / "plans"


def test_every_kind_names_the_clients_that_change_it() -> None:
    assert sorted(set(KINDS) - set(_KIND_CLIENTS)) == []


def test_a_stack_without_a_vpc_may_only_read_ec2() -> None:
    plan = load_plan(PLANS / "serverless.json")
    assert plan.architecture == "serverless" and plan.front_door == "apigw-http"
    ec2 = sorted(a for a in allowed(permissions_policy(plan)) if a.startswith("ec2:"))
    assert ec2 and all(a.split(":")[1].startswith(("Describe", "Get")) for a in ec2), ec2


def test_a_container_stack_may_change_its_network() -> None:
    granted = allowed(permissions_policy(load_plan(PLANS / "seed_container_apigw.json")))
    assert {"ec2:CreateVpc", "ec2:CreateNatGateway", "ec2:AuthorizeSecurityGroupIngress"} <= set(granted)
