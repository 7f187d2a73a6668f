"""Steady usage of a plan: what the seed's stack is made of, and how a plan change shows in it."""

from decimal import Decimal

from models import Plan, PriceBook
from tinysim.costs import price_usage
from tinysim.steady import SteadyLoad, steady_usage


def test_seed_dev_stack_parts(july2021: PriceBook) -> None:
    usage = steady_usage(Plan(), SteadyLoad(1_000_000))
    assert [(e.instance_type, e.count) for e in usage.ec2] == [("t3.micro", 1)]
    assert usage.apigw[0].type == "http" and usage.apigw[0].requests == 1_000_000
    assert usage.cloudwatch[0].alarms == 4  # service CPU high/low, cluster CPU high/low
    assert usage.nat_gateway[0].count == 1 and usage.public_ipv4[0].addresses == 1
    bill = price_usage(usage, july2021)
    # The seed: "a typical stack in a development capacity will cost around $46 per month".
    assert Decimal(40) < bill.total_usd < Decimal(50)
    assert bill.by_service()["NAT Gateway"] > bill.by_service()["EC2"]


def test_alb_stack_holds_one_public_address_per_zone() -> None:
    usage = steady_usage(Plan(front_door="alb", network={"azs": 3}), SteadyLoad(10**6))  # type: ignore[arg-type]
    assert usage.public_ipv4[0].addresses == 4  # three for the ALB, one for the NAT gateway
    assert not usage.apigw and usage.alb[0].target == "ip"


def test_serverless_and_fargate() -> None:
    lam = steady_usage(Plan(architecture="serverless", serverless={"memory_mb": 512}), SteadyLoad(10**6))  # type: ignore[arg-type]
    assert lam.lambda_[0].memory_mb == 512 and not lam.ec2 and lam.cloudwatch[0].alarms == 0
    far = steady_usage(
        Plan(
            container={
                "launch_type": "fargate",
                "task": {"cpu_units": 512, "memory_mb": 1024},  # type: ignore[arg-type]
                "tasks": {"min": 2, "desired": 2},
            }
        ),
        SteadyLoad(10**6),
    )
    assert (far.fargate[0].tasks, far.fargate[0].vcpu, far.fargate[0].memory_gb) == (2, Decimal("0.5"), 1)


def test_tasks_that_do_not_share_an_instance_need_more_instances() -> None:
    plan = Plan(container={"tasks": {"min": 3, "desired": 3}})  # type: ignore[arg-type]
    assert steady_usage(plan, SteadyLoad(0)).ec2[0].count == 3  # 512 MiB tasks, one per t3.micro
