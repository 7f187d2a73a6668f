"""Replacements on a real LocalStack: a property AWS cannot change in place (a target group's protocol, port
and VPC; a load balancer's VPC; a REST VPC link's NLB) shown by ``plan`` as a replacement, replaced by
``apply`` with whatever is anchored to it, the rest of the stack moved onto the new resource, and the next
``plan`` clean.

The rules: a target group's protocol, port and VPC are set by CreateTargetGroup only (ModifyTargetGroup
changes health checks: docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/
API_ModifyTargetGroup.html); a load balancer's subnets must all be in one VPC, the one it was made in
(API_SetSubnets.html)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from models import Plan, load_plan
from provision.api import apply_plan, connect, destroy_stack, plan_changes
from tests.provision.conftest import owned, tagged_anywhere, unique
from tests.provision.test_existing_vpc import ec2, make_vpc  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"


def quiet(line: str) -> None:
    pass


def _pending(plan: Plan) -> list[tuple[str, str, str]]:
    return [(c.action, c.kind, c.name) for c in plan_changes(plan, connect(plan)) if c.action != "no-op"]


def _front(plan: Plan) -> dict[str, Any]:
    """The live target group, the listeners forwarding to any of the stack's target groups (protocol, target
    group protocol), the load balancers' VPCs, and the target group the ECS service registers with."""
    ctx = connect(plan)
    elbv2, ecs = ctx.clients("elbv2"), ctx.clients("ecs")
    tg = elbv2.describe_target_groups(Names=[f"{plan.name}-tg"])["TargetGroups"][0]
    lbs = elbv2.describe_load_balancers()["LoadBalancers"]
    lbs = [lb for lb in lbs if lb["LoadBalancerName"].startswith(plan.name)]
    listeners = [
        li for lb in lbs for li in elbv2.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"])["Listeners"]
    ]
    svc = ecs.describe_services(cluster=plan.name, services=[plan.name])["services"][0]
    return {
        "tg": (tg["Protocol"], tg["VpcId"]),
        "forwards": [
            (li["Protocol"], a["TargetGroupArn"] == tg["TargetGroupArn"])
            for li in listeners
            for a in li["DefaultActions"]
            if a["Type"] == "forward"
        ],
        "lb_vpcs": sorted({lb["VpcId"] for lb in lbs}),
        "service_tg": [lb["targetGroupArn"] for lb in svc["loadBalancers"]] == [tg["TargetGroupArn"]],
    }


def _stack_vpc(plan: Plan) -> str:
    vpcs = connect(plan).clients("ec2").describe_vpcs(Filters=[{"Name": "tag:tinysim:stack", "Values": [plan.name]}])
    return str(vpcs["Vpcs"][0]["VpcId"])


def test_switching_between_alb_and_rest_replaces_the_target_group_and_replans_clean() -> None:
    alb = unique(
        Plan.model_validate(
            {"name": "x", "front_door": "alb", "network": {"nat": "none"}, "pipeline": {"enabled": False}}
        ),
        "swap",
    )
    apply_plan(alb, ctx=connect(alb), progress=quiet)
    vpc = _stack_vpc(alb)
    assert _front(alb) == {"tg": ("HTTP", vpc), "forwards": [("HTTP", True)], "lb_vpcs": [vpc], "service_tg": True}
    rest = alb.model_copy(update={"front_door": "apigw-rest"})
    assert ("replace", "target_group", f"{alb.name}-tg") in _pending(rest)  # HTTP -> TCP
    apply_plan(rest, ctx=connect(rest), progress=quiet)
    # the NLB's TCP listener forwards to a TCP group, the service registers with it; the ALB is gone
    assert _front(rest) == {"tg": ("TCP", vpc), "forwards": [("TCP", True)], "lb_vpcs": [vpc], "service_tg": True}
    assert _pending(rest) == []
    assert ("replace", "target_group", f"{alb.name}-tg") in _pending(alb)  # TCP -> HTTP
    apply_plan(alb, ctx=connect(alb), progress=quiet)
    assert _front(alb) == {"tg": ("HTTP", vpc), "forwards": [("HTTP", True)], "lb_vpcs": [vpc], "service_tg": True}
    assert _pending(alb) == []
    destroy_stack(connect(alb), progress=quiet)
    assert owned(connect(alb)) == {} and tagged_anywhere(connect(alb)) == []


@pytest.mark.parametrize("front_door", ["alb", "apigw-rest"])
def test_moving_into_and_out_of_an_existing_vpc_replaces_the_front_door(ec2: Any, front_door: str) -> None:  # noqa: F811
    theirs = make_vpc(ec2, "10.77.0.0/16")
    own = unique(
        Plan.model_validate(
            {"name": "x", "front_door": front_door, "network": {"nat": "none"}, "pipeline": {"enabled": False}}
        ),
        "move",
    )
    apply_plan(own, ctx=connect(own), progress=quiet)
    vpc = _stack_vpc(own)
    moved = own.model_copy(update={"network": own.network.model_copy(update={"existing_vpc_id": theirs.vpc_id})})
    kinds = {(a, k) for a, k, _ in _pending(moved)}
    lb = "alb" if front_door == "alb" else "nlb"
    assert {("replace", "target_group"), ("replace", lb)} <= kinds
    apply_plan(moved, ctx=connect(moved), progress=quiet)  # the old network is deleted after the move
    got = _front(moved)
    assert (got["tg"][1], got["lb_vpcs"], got["service_tg"]) == (theirs.vpc_id, [theirs.vpc_id], True)
    assert _pending(moved) == []
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc]}])["Vpcs"] == []
    apply_plan(own, ctx=connect(own), progress=quiet)  # and back into a VPC of its own
    vpc = _stack_vpc(own)
    got = _front(own)
    assert (got["tg"][1], got["lb_vpcs"], got["service_tg"]) == (vpc, [vpc], True)
    assert _pending(own) == []
    destroy_stack(connect(own), progress=quiet)
    assert owned(connect(own)) == {} and tagged_anywhere(connect(own)) == []


def test_a_function_changing_architecture_is_replaced_with_its_permission() -> None:
    base = unique(load_plan(PLANS / "serverless.json"), "arch")
    arm = base.model_copy(update={"pipeline": base.pipeline.model_copy(update={"enabled": False})})
    apply_plan(arm, ctx=connect(arm), progress=quiet)
    x86 = arm.model_copy(update={"serverless": arm.serverless.model_copy(update={"arch": "x86_64"})})
    pending = _pending(x86)
    assert ("replace", "function", arm.name) in pending and ("replace", "permission") in {p[:2] for p in pending}
    apply_plan(x86, ctx=connect(x86), progress=quiet)
    got = connect(x86).clients("lambda").get_function(FunctionName=arm.name)["Configuration"]
    assert got["Architectures"] == ["x86_64"]
    assert _pending(x86) == []
    destroy_stack(connect(x86), progress=quiet)
    assert owned(connect(x86)) == {} and tagged_anywhere(connect(x86)) == []


def test_an_http_api_stack_moving_vpc_replaces_its_namespace_and_vpc_link(ec2: Any) -> None:  # noqa: F811
    theirs = make_vpc(ec2, "10.79.0.0/16")
    own = unique(
        Plan.model_validate(
            {"name": "x", "front_door": "apigw-http", "network": {"nat": "none"}, "pipeline": {"enabled": False}}
        ),
        "movh",
    )
    apply_plan(own, ctx=connect(own), progress=quiet)
    listed = connect(own).clients("servicediscovery").list_namespaces()["Namespaces"]
    first = next(n["Id"] for n in listed if n["Name"].startswith(own.name))
    moved = own.model_copy(update={"network": own.network.model_copy(update={"existing_vpc_id": theirs.vpc_id})})
    kinds = {(a, k) for a, k, _ in _pending(moved)}
    assert {("replace", "namespace"), ("replace", "discovery_service"), ("replace", "vpc_link")} <= kinds
    apply_plan(moved, ctx=connect(moved), progress=quiet)
    ctx = connect(moved)
    sd, r53, gw = ctx.clients("servicediscovery"), ctx.clients("route53"), ctx.clients("apigatewayv2")
    ns = [n for n in sd.list_namespaces()["Namespaces"] if n["Name"].startswith(own.name)]
    zone = sd.get_namespace(Id=ns[0]["Id"])["Namespace"]["Properties"]["DnsProperties"]["HostedZoneId"]
    vpcs = [v["VPCId"] for v in r53.get_hosted_zone(Id=zone).get("VPCs", [])]  # (LocalStack names none)
    tags = sd.list_tags_for_resource(ResourceARN=ns[0]["Arn"])["Tags"]
    assert ns[0]["Id"] != first and (vpcs or [t["Value"] for t in tags if t["Key"] == "tinysim:vpc"]) == [theirs.vpc_id]
    link = next(v for v in gw.get_vpc_links()["Items"] if v["Name"].startswith(own.name))
    assert set(link["SubnetIds"]) <= set(theirs.public + theirs.private + theirs.extra)
    assert _pending(moved) == []
    destroy_stack(connect(moved), progress=quiet)
    assert owned(connect(moved)) == {} and tagged_anywhere(connect(moved)) == []
