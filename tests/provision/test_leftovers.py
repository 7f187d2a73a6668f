"""A plan that drops part of its stack: ``plan`` shows every resource of the dropped part as a delete,
``apply`` deletes exactly those (no orphan of any kind), the rest is updated in place, and the stack then
owns one of each resource of the new plan with nothing left to change. One family per step: the
pipeline, the VPC endpoints, the front door with the NAT gateway (containers), the whole network
(a serverless ALB stack moving to an HTTP API)."""

from __future__ import annotations

import collections
from pathlib import Path
from typing import Any

import pytest

from models import Plan, load_plan
from provision.api import apply_plan, connect, destroy_stack, plan_changes
from tests.provision.conftest import owned, tagged_anywhere, unique
from tests.provision.test_interruptions import one_of_each

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"


def quiet(line: str) -> None:
    pass


def changed(plan: Plan, **sections: dict[str, Any]) -> Plan:
    data = plan.model_dump()
    for name, update in sections.items():
        data[name] = {**data[name], **update}
    return Plan.model_validate(data)


def step(plan: Plan, deleted: dict[str, int]) -> None:
    """``plan`` shows ``deleted`` (kind -> count) as its only deletes; apply leaves one of each of its own."""
    ctx = connect(plan)
    changes = plan_changes(plan, ctx)
    assert dict(collections.Counter(c.kind for c in changes if c.action == "delete")) == deleted
    apply_plan(plan, ctx=connect(plan), progress=quiet)
    assert [(c.action, c.kind, c.name) for c in plan_changes(plan, connect(plan)) if c.action != "no-op"] == []
    assert owned(connect(plan)) == one_of_each(plan)


def test_a_container_stack_drops_its_pipeline_then_its_endpoints_then_its_alb_and_nat() -> None:
    base = unique(load_plan(PLANS / "fargate_alb.json"), "drop")
    full = changed(base, network={"vpc_endpoints": True})
    apply_plan(full, ctx=connect(full), progress=quiet)
    assert owned(connect(full)) == one_of_each(full)
    no_pipeline = changed(full, pipeline={"enabled": False})
    # bucket, the two projects' log groups, their two roles, the two projects and the pipeline
    step(no_pipeline, {"bucket": 1, "log_group": 2, "role": 2, "build_project": 2, "pipeline": 1})
    no_endpoints = changed(no_pipeline, network={"vpc_endpoints": False})
    # three interface endpoints, the S3 gateway endpoint, and their security group
    step(no_endpoints, {"vpc_endpoint": 4, "security_group": 1})
    behind_api = changed(no_endpoints, network={"nat": "none"}).model_copy(update={"front_door": "apigw-http"})
    # the ALB, its listener and target group; the NAT gateway, its address, the private subnets and their
    # route table (the service moves to the public subnets and to Cloud Map, in place)
    step(behind_api, {"alb": 1, "listener": 1, "target_group": 1, "nat": 1, "eip": 1, "subnet": 2, "route_table": 1})
    destroy_stack(connect(behind_api), progress=quiet)
    ctx = connect(behind_api)
    assert owned(ctx) == {} and tagged_anywhere(ctx) == []


def test_a_serverless_stack_leaving_its_alb_drops_its_whole_network() -> None:
    base = unique(load_plan(PLANS / "serverless.json"), "dropfn")
    behind_alb = changed(base, pipeline={"enabled": False}).model_copy(update={"front_door": "alb"})
    apply_plan(behind_alb, ctx=connect(behind_alb), progress=quiet)
    assert owned(connect(behind_alb)) == one_of_each(behind_alb)
    behind_api = behind_alb.model_copy(update={"front_door": "apigw-http"})
    # the VPC, its two public subnets, internet gateway, route table and the ALB's security group; the
    # ALB, its listener and target group (the function's permission moves to the API in place)
    network = {"vpc": 1, "subnet": 2, "igw": 1, "route_table": 1, "security_group": 1}
    step(behind_api, {**network, "alb": 1, "listener": 1, "target_group": 1})
    destroy_stack(connect(behind_api), progress=quiet)
    ctx = connect(behind_api)
    assert owned(ctx) == {} and tagged_anywhere(ctx) == []
