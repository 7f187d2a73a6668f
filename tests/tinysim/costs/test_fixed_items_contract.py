"""The bill's fixed items are the blueprint's billable inventory, for every example plan and for drawn plans.

Each fixed line of ``tinysim bill`` is read back into a count of the bill item it prices (NAT gateways,
public IPv4 addresses, endpoint-zones, hosted zones, alarms, pipelines, root volumes, ...) and compared
with the sum of the ``billed`` entries of ``blueprint(plan).resources``. A resource item nobody prices,
or a priced line no resource stands behind, fails the test; so does an item added to the blueprint that
the bill does not know (it must be matched below or listed, with why, in ``NOT_PER_RESOURCE``).
"""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from models import PriceBook, Scenario, load_plan, load_price_book
from models.blueprint import blueprint
from models.blueprint.resources import BillingItem
from models.plan import Plan
from tests.conftest import BOOK_NOW
from tinysim.cli import main
from tinysim.costs import Bill, price_usage
from tinysim.steady import SteadyLoad, steady_usage

ROOT = Path(__file__).resolve().parents[3]
PLANS = sorted((ROOT / "examples" / "plans").glob("*.json"))
SCENARIOS = sorted((ROOT / "examples").glob("*.json"))
HOURS = Decimal(730)

#: Resource items priced from the run's traffic or operations, not one line per resource.
NOT_PER_RESOURCE: dict[BillingItem, str] = {
    "log_group": "priced by the logs the stack ingests and stores (CloudWatch lines), not per group",
    "build_project": "priced by the month's build minutes (CodeBuild lines)",
    "bucket": "the pipeline's artifact bucket: a few MB of S3 a month, not priced",
}


#: Resource items the checks below match against bill lines.
MATCHED = {
    "nat_gateway",
    "nat_instance",
    "public_ipv4",
    "vpc_endpoint",
    "hosted_zone",
    "alarm",
    "kms_key",
    "pipeline",
    "load_balancer",
    "network_load_balancer",
    "repository",
    "api",
    "function",
    "fargate_tasks",
    "container_instances",
    "instance_root_volume",
}


def _inventory(plan: Plan) -> Counter[BillingItem]:
    units: Counter[BillingItem] = Counter()
    for r in blueprint(plan).resources:
        for b in r.billed:
            units[b.item] += b.quantity
    return units


def _billed(bill: dict[str, Any], nat_instance_type: str) -> Counter[str]:
    """Counts read back from a bill's lines (``--json`` shape), by the bill item they price (the NAT
    instance's line is the one of the plan's ``network.nat_instance_type``)."""
    out: Counter[str] = Counter()
    container_instance_hours = Decimal(0)
    for li in bill["lines"]:
        svc, item, qty = li["service"], li["item"], Decimal(li["quantity"])
        if svc == "NAT Gateway" and item == "gateway hours":
            out["nat_gateway"] += int(qty / HOURS)
        elif svc == "EC2" and item == f"{nat_instance_type} on-demand":
            out["nat_instance"] += int(qty / HOURS)
        elif svc == "EC2" and item.endswith("on-demand"):
            container_instance_hours += qty
        elif svc == "Public IPv4":
            out["public_ipv4"] += int(qty / HOURS)
        elif svc == "VPC Endpoints" and item == "interface endpoint hours":
            out["vpc_endpoint"] += int(qty / HOURS)
        elif svc == "Route 53":
            out["hosted_zone"] += int(qty)
        elif svc == "CloudWatch" and item == "standard alarms":
            out["alarm"] += int(qty)
        elif svc == "KMS" and item == "customer managed keys":
            out["kms_key"] += int(qty)
        elif svc == "CodePipeline":
            out["pipeline"] += int(qty)
        elif svc == "ECR":
            out["repository"] += 1
        elif svc == "EBS":
            out["root_volume_gb_months"] += int(qty)
        elif svc == "ALB" and item == "load balancer hours":
            out["load_balancer"] += int(qty / HOURS)
        elif svc == "NLB" and item == "load balancer hours":
            out["network_load_balancer"] += int(qty / HOURS)
        elif svc in ("API Gateway", "Lambda", "Fargate"):
            out[{"API Gateway": "api", "Lambda": "function", "Fargate": "fargate_tasks"}[svc]] = 1
    if container_instance_hours:
        out["container_instances"] = 1
        out["container_instance_months"] = int(container_instance_hours / HOURS)
    return out


def _check(plan: Plan, bill: dict[str, Any]) -> None:
    """The bill's fixed lines equal the blueprint's inventory, item by item."""
    have, billed = _inventory(plan), _billed(bill, plan.network.nat_instance_type)
    items = (
        "nat_gateway",
        "nat_instance",
        "public_ipv4",
        "vpc_endpoint",
        "hosted_zone",
        "alarm",
        "kms_key",
        "pipeline",
    )
    for item in items:
        assert billed[item] == have[item], (item, plan.model_dump(exclude_defaults=True))
    assert billed["load_balancer"] == have["load_balancer"]
    assert billed["network_load_balancer"] == have["network_load_balancer"]
    assert billed["repository"] == have["repository"] == 1
    for item in ("api", "function"):  # a million requests reach both
        assert billed[item] == min(1, have[item]), item
    for item in ("fargate_tasks", "container_instances"):  # none run when the minimum is 0
        assert billed[item] <= min(1, have[item]), item
    # every container instance carries one root volume (30 GiB gp3), billed for the hours it lives; a NAT
    # instance its own (8 GiB gp3) all month
    sizes = {b.item: b.root_volume.size_gib for r in blueprint(plan).resources for b in r.billed if b.root_volume}
    assert have["instance_root_volume"] == have["container_instances"]
    container_gb = sizes.get("instance_root_volume", 0) * billed["container_instance_months"]
    assert billed["root_volume_gb_months"] == container_gb + sizes.get("nat_instance", 0) * have["nat_instance"]
    known = {*MATCHED, *NOT_PER_RESOURCE}
    assert set(have) <= known, f"bill items no line prices: {set(have) - known}"


def _bill_json(capsys: pytest.CaptureFixture[str], plan_path: Path) -> dict[str, Any]:
    assert main(["bill", str(plan_path), "--prices", BOOK_NOW, "--json"]) == 0
    bills = json.loads(capsys.readouterr().out)
    assert len(bills) == 1
    return dict(bills[0])


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem)
def test_example_plans_bill_their_inventory(path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _check(load_plan(path), _bill_json(capsys, path))


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_example_scenarios_bill_their_inventory(path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    raw = json.loads(path.read_text())
    if "plan_file" in raw:
        raw["plan_file"] = str((path.parent / raw["plan_file"]).resolve())
    plan = Scenario.model_validate(raw).resolved_plan()
    plan_path = tmp_path / "plan.json"
    plan_path.write_text(plan.model_dump_json())
    _check(plan, _bill_json(capsys, plan_path))


@st.composite
def plans(draw: st.DrawFn) -> dict[str, Any]:
    """Both architectures, every front door, both launch types, each ``nat``, each scaling policy."""
    arch = draw(st.sampled_from(["container", "serverless"]))
    front = draw(st.sampled_from(["alb", "apigw-http", "apigw-rest"]))
    launch = draw(st.sampled_from(["ec2", "fargate"]))
    policy = draw(st.sampled_from(["step", "target_tracking"]))
    metric = draw(st.sampled_from(["cpu", "alb_request_count_per_target"])) if front == "alb" else "cpu"
    scaling: dict[str, Any] = {"policy": policy}
    if policy == "target_tracking":
        scaling |= {"metric": metric, "target_value": 50 if metric == "cpu" else 1000}
    tasks_min = draw(st.integers(0, 3))
    container: dict[str, Any] = {
        "launch_type": launch,
        "instance_type": draw(st.sampled_from(["t3.micro", "t3.small"])),
        "instances": {"min": draw(st.integers(0, 2)), "max": 5},
        "tasks": {"min": tasks_min, "desired": max(tasks_min, 1), "max": 5},
        "scaling": scaling,
    }
    if launch == "fargate":
        container["task"] = {"cpu_units": 256, "memory_mb": 512}
    network: dict[str, Any] = {
        "azs": draw(st.integers(1, 3)),
        "nat": draw(st.sampled_from(["gateway", "instance", "none"])),
        "vpc_endpoints": draw(st.booleans()),
    }
    if draw(st.integers(0, 5)) == 0:
        network["existing_vpc_id"] = "vpc-0123456789abcdef0"
    alerts = draw(
        st.none()
        | st.fixed_dictionaries(
            {},
            optional={
                "http_5xx_pct": st.none() | st.just(5.0),
                "unhealthy_hosts": st.none() | st.just(2),
                "lambda_errors_pct": st.none() | st.just(1.0),
                "pipeline_failures": st.booleans(),
            },
        )
    )
    return {
        "alerts": alerts,
        "architecture": arch,
        "front_door": front,
        "container": container,
        "network": network,
        "pipeline": {"enabled": draw(st.booleans())},
    }


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(raw=plans())
def test_drawn_plans_bill_their_inventory(raw: dict[str, Any]) -> None:
    try:
        plan = Plan.model_validate(raw)
    except ValidationError:
        assume(False)
        raise
    bill = price_usage(steady_usage(plan, SteadyLoad(1_000_000)), load_price_book(BOOK_NOW))
    _check(plan, bill.as_json())


# --- hand-computed bills, AWS's published us-east-1 prices --------------------------------------------
# NAT gateway $0.045/hour (aws.amazon.com/vpc/pricing/); public IPv4 $0.005/address-hour (same page,
# since 2024-02-01); t3.micro $0.0104/hour (aws.amazon.com/ec2/pricing/on-demand/); gp3 $0.08/GB-month
# (aws.amazon.com/ebs/pricing/); hosted zone $0.50/month (aws.amazon.com/route53/pricing/); standard alarm
# $0.10/month (aws.amazon.com/cloudwatch/pricing/); HTTP API $1.00/million (aws.amazon.com/api-gateway/
# pricing/); Lambda $0.20/million requests and $0.0000133334/GB-s on Arm (aws.amazon.com/lambda/pricing/).


def _lines(bill: Bill) -> dict[tuple[str, str], Decimal]:
    return {(li.service, li.item): li.amount_usd for li in bill.lines}


def test_serverless_behind_api_gateway_has_no_nat_or_address(now: PriceBook) -> None:
    # examples/plans/serverless.json: Lambda behind an HTTP API needs no VPC. 1M requests of 50 ms at
    # 512 MB on Arm: API $1.00 + requests $0.20 + 25,000 GB-s x $0.0000133334 = $0.33; 10 GB out x $0.09 =
    # $0.90; logs 0.5 GB x $0.50 = $0.25 ingested, x $0.03 = $0.02 stored; ECR 3 GB x $0.10 = $0.30;
    # CodeBuild 180 min x $0.005 = $0.90; one V1 pipeline $1.00. Total $4.90 (it was $41.40 with a NAT
    # gateway, $32.85, and its address, $3.65, that the stack never has).
    plan = load_plan(ROOT / "examples" / "plans" / "serverless.json")
    bill = price_usage(steady_usage(plan, SteadyLoad(1_000_000)), now)
    services = {li.service for li in bill.lines}
    assert not services & {"NAT Gateway", "Public IPv4", "EBS", "Route 53", "VPC Endpoints"}
    assert bill.total_usd == Decimal("4.90")


def test_seed_stack_behind_http_api_fixed_items_by_hand(now: PriceBook) -> None:
    # examples/plans/seed_container_apigw.json: one t3.micro (730 h x $0.0104 = $7.59) with its 30 GiB gp3
    # root volume (30 x $0.08 = $2.40), one NAT gateway (730 x $0.045 = $32.85) and its Elastic IP
    # (730 x $0.005 = $3.65), the Cloud Map namespace's private hosted zone ($0.50), four alarms
    # (service and cluster, high and low: 4 x $0.10 = $0.40).
    plan = load_plan(ROOT / "examples" / "plans" / "seed_container_apigw.json")
    lines = _lines(price_usage(steady_usage(plan, SteadyLoad(1_000_000)), now))
    assert lines[("EC2", "t3.micro on-demand")] == Decimal("7.59")
    assert lines[("EBS", "gp3 volume storage")] == Decimal("2.40")
    assert lines[("NAT Gateway", "gateway hours")] == Decimal("32.85")
    assert lines[("Public IPv4", "address-hours")] == Decimal("3.65")
    assert lines[("Route 53", "hosted zones (first 25 zones)")] == Decimal("0.50")
    assert lines[("CloudWatch", "standard alarms")] == Decimal("0.40")


def test_alb_stack_addresses_and_target_tracking_alarms_by_hand(now: PriceBook) -> None:
    # Fargate behind an ALB in 3 zones with a NAT gateway: 3 ALB addresses + 1 Elastic IP = 4 addresses,
    # 4 x 730 x $0.005 = $14.60. Target tracking manages two alarms (3 x 1 min above the target, 15 below
    # 90% of it: docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-
    # overview.html), 2 x $0.10 = $0.20. No instances, so no root volume; no namespace, so no zone.
    plan = Plan.model_validate(
        {
            "front_door": "alb",
            "network": {"azs": 3},
            "container": {
                "launch_type": "fargate",
                "task": {"cpu_units": 256, "memory_mb": 512},
                "scaling": {"policy": "target_tracking", "target_value": 50},
            },
        }
    )
    bill = price_usage(steady_usage(plan, SteadyLoad(1_000_000)), now)
    lines = _lines(bill)
    assert lines[("Public IPv4", "address-hours")] == Decimal("14.60")
    assert lines[("CloudWatch", "standard alarms")] == Decimal("0.20")
    assert not {li.service for li in bill.lines} & {"EBS", "Route 53"}


def test_nat_instance_bills_its_type_its_root_volume_and_its_address(
    now: PriceBook, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # network.nat "instance" on the default t4g.nano: 730 h x $0.0042 = $3.066 -> $3.07 (aws.amazon.com/ec2/
    # pricing/on-demand/, Linux, us-east-1); its 8 GiB gp3 root volume 8 x $0.08 = $0.64 (aws.amazon.com/ebs/
    # pricing/); its public address 730 x $0.005 = $3.65 (aws.amazon.com/vpc/pricing/). No NAT gateway
    # hours ($32.85) nor its GB processed. Fargate, so the root volume is the NAT instance's alone.
    plan = Plan.model_validate(
        {
            "network": {"nat": "instance"},
            "container": {"launch_type": "fargate", "task": {"cpu_units": 256, "memory_mb": 512}},
        }
    )
    bill = price_usage(steady_usage(plan, SteadyLoad(1_000_000)), now)
    lines = _lines(bill)
    assert lines[("EC2", "t4g.nano on-demand")] == Decimal("3.07")
    assert lines[("EBS", "gp3 volume storage")] == Decimal("0.64")
    assert lines[("Public IPv4", "address-hours")] == Decimal("3.65")
    assert "NAT Gateway" not in {li.service for li in bill.lines}
    path = tmp_path / "plan.json"  # and so says `tinysim bill`
    path.write_text(plan.model_dump_json())
    shown = {(li["service"], li["item"]): Decimal(li["amount_usd"]) for li in _bill_json(capsys, path)["lines"]}
    assert {k: shown[k] for k in lines if k[0] in ("EC2", "EBS", "Public IPv4")} == {
        ("EC2", "t4g.nano on-demand"): Decimal("3.07"),
        ("EBS", "gp3 volume storage"): Decimal("0.64"),
        ("Public IPv4", "address-hours"): Decimal("3.65"),
    }
    bigger = plan.model_copy(update={"network": plan.network.model_copy(update={"nat_instance_type": "t3.micro"})})
    # the plan's type is the one priced: t3.micro 730 x $0.0104 = $7.592 -> $7.59
    assert _lines(price_usage(steady_usage(bigger, SteadyLoad(1_000_000)), now))[("EC2", "t3.micro on-demand")] == (
        Decimal("7.59")
    )


def test_an_existing_vpc_bills_none_of_its_network(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    # The stack in an existing VPC makes no VPC, NAT, Elastic IP or subnet: the bill has no NAT gateway
    # or public IPv4 line (an apigw front door holds no address) and says the VPC's NAT is not billed.
    plan = Plan.model_validate({"network": {"existing_vpc_id": "vpc-0123456789abcdef0"}})
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json(exclude_unset=True))
    bill = _bill_json(capsys, path)
    assert not {li["service"] for li in bill["lines"]} & {"NAT Gateway", "Public IPv4", "VPC Endpoints"}
    notes = " ".join(bill["assumptions"])
    assert "existing VPC vpc-0123456789abcdef0" in notes and "not billed" in notes


def test_alerts_bill_their_key_and_each_alarm_metric_by_hand(now: PriceBook) -> None:
    # examples/plans/serverless_alerts.json is serverless.json's function with alerts: the $4.90 above,
    # plus the topic's customer managed KMS key, $1.00 a month (aws.amazon.com/kms/pricing/: "Each AWS KMS
    # key that you create in AWS KMS costs $1/month"), plus two percentage alarms (API 5xx / requests,
    # Lambda errors / invocations) that read two metrics each: CloudWatch bills an alarm per metric it
    # evaluates, 4 x $0.10 = $0.40 (aws.amazon.com/cloudwatch/pricing/, "$0.10 per alarm metric"). The SNS
    # topic (its alerts stay inside the always-free 1 million requests and 1,000 e-mails,
    # aws.amazon.com/sns/pricing/) and the EventBridge rule (AWS service events are free,
    # aws.amazon.com/eventbridge/pricing/) add no line. Total $6.30.
    plan = load_plan(ROOT / "examples" / "plans" / "serverless_alerts.json")
    bill = price_usage(steady_usage(plan, SteadyLoad(1_000_000)), now)
    lines = _lines(bill)
    assert lines[("KMS", "customer managed keys")] == Decimal("1.00")
    assert lines[("CloudWatch", "standard alarms")] == Decimal("0.40")
    assert not {li.service for li in bill.lines} & {"SNS", "EventBridge"}
    assert bill.total_usd == Decimal("6.30")
