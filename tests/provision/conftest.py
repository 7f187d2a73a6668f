"""LocalStack for the provisioning tests: started here when it is not running (and stopped after),
never skipped. Plus helpers to compare plans and count what a stack owns."""

from __future__ import annotations

import itertools
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from models import Plan
from provision.executor import KINDS
from provision.localstack.launcher import LocalStack, running
from provision.permissions import operation_action
from provision.resources import Context

ROOT = Path(__file__).parents[2]
_names = itertools.count()
_SESSION = secrets.token_hex(2)  # a LocalStack kept between runs still holds earlier runs' leftovers


@pytest.fixture(scope="session")
def localstack() -> Iterator[None]:
    started = False
    if not running():
        LocalStack(ROOT / ".localstack", say=lambda line: None).start()
        started = True
    yield
    if started:
        LocalStack(ROOT / ".localstack", say=lambda line: None).stop()


def unique(plan: Plan, prefix: str) -> Plan:
    """The same plan under a stack name no other test uses."""
    return plan.model_copy(update={"name": f"{prefix}{_SESSION}-{next(_names)}"})


def relevant(plan: Plan) -> Plan:
    """The plan with the sections its architecture does not build reset to defaults (they are not live)."""
    data = plan.model_dump()
    if plan.architecture == "serverless":
        data["container"] = Plan().container.model_dump()
        if plan.front_door != "alb":
            data["network"] = Plan().model_dump()["network"]  # as a plan dumps it (no NAT instance type)
        data["network"]["nat"] = "none"
        data["network"].pop("nat_instance_type", None)  # no NAT instance: the field does not apply
    else:
        data["serverless"] = Plan().serverless.model_dump()
        if plan.container.launch_type == "fargate":
            data["container"]["instance_type"] = Plan().container.instance_type
            data["container"]["instances"] = Plan().container.instances.model_dump()
        data["container"]["scaling"] = _built_scaling(plan)
    if not plan.pipeline.enabled:
        data["pipeline"] = {**Plan().pipeline.model_dump(), "enabled": False}
    return Plan.model_validate(data)


#: Scaling fields only a step policy builds, and only target tracking builds. The cluster's step rule (EC2)
#: builds the alarm fields and the cooldown with either policy.
_STEP_ONLY = ("step",)
_ALARM_FIELDS = (
    "threshold_pct",
    "period_s",
    "evaluation_periods",
    "scale_in_threshold_pct",
    "scale_in_evaluation_periods",
)
_TRACKING_ONLY = ("metric", "target_value", "scale_out_cooldown_s", "scale_in_cooldown_s", "disable_scale_in")


def _built_scaling(plan: Plan) -> dict[str, Any]:
    """The plan's scaling with the fields its stack does not build reset to defaults."""
    sc, default = plan.container.scaling.model_dump(), Plan().container.scaling.model_dump()
    unbuilt: tuple[str, ...] = ()
    if plan.container.scaling.policy == "step":
        unbuilt = _TRACKING_ONLY
    else:
        unbuilt = _STEP_ONLY
        if plan.container.launch_type == "fargate":
            unbuilt += (*_ALARM_FIELDS, "cooldown_s")
    return {**sc, **{k: default[k] for k in unbuilt}}


def owned(ctx: Context) -> dict[str, int]:
    """How many resources of each kind carry the stack's tag (or name) right now."""
    counts: dict[str, int] = {}
    for name, kind in KINDS.items():
        n = len(kind.owned(ctx))
        if n:
            counts[name] = n
    return counts


def tagged_anywhere(ctx: Context) -> list[Any]:
    """EC2-side resources carrying the stack tag, asked directly (independent of the kind modules;
    filtered here too, since some emulators ignore tag filters)."""
    ec2 = ctx.clients("ec2")
    flt = [{"Name": "tag:tinysim:stack", "Values": [ctx.stack]}]
    found: list[Any] = []
    found += ec2.describe_vpcs(Filters=flt)["Vpcs"]
    found += ec2.describe_subnets(Filters=flt)["Subnets"]
    found += ec2.describe_security_groups(Filters=flt)["SecurityGroups"]
    found += [n for n in ec2.describe_nat_gateways(Filters=flt)["NatGateways"] if n["State"] != "deleted"]
    found += ec2.describe_addresses(Filters=flt)["Addresses"]
    return [r for r in found if {"Key": "tinysim:stack", "Value": ctx.stack} in r.get("Tags", [])]


class Recorder:
    """Records the IAM action of every call any wrapped client makes."""

    def __init__(self) -> None:
        self.actions: set[str] = set()

    def __call__(self, service: str, client: Any) -> Any:
        def before(model: Any, **kwargs: Any) -> None:
            action = operation_action(service, model.name)
            if action is not None:
                self.actions.add(action)

        client.meta.events.register("before-call.*.*", before)
        return client
