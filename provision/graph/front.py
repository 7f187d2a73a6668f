"""Desired properties of the front door's resources: listeners (HTTP, HTTPS, the NLB's TCP), the NLB, the
REST API, its VPC link and usage plan, and the stage throttle both API kinds set (the blueprint's)."""

from __future__ import annotations

from typing import Any

from models.blueprint import StackResource, task_subnet_keys
from models.blueprint.derive_front import stage_throttle
from models.front_door import TLS_POLICY
from models.plan import Plan

__all__ = ["front_props", "throttle_props"]


def throttle_props(plan: Plan) -> dict[str, Any]:
    """The stage throttle as props ({rps, burst}); raises ValueError behind an ALB (no stage)."""
    t = stage_throttle(plan)
    if t is None:
        raise ValueError("an ALB has no API Gateway stage")
    return {"rps": t.rps, "burst": t.burst}


def _listener(plan: Plan, res: StackResource) -> dict[str, Any]:
    if res.key == "nlb-listener":
        return {"lb": "nlb", "protocol": "TCP", "port": 80, "action": "forward"}
    if res.key == "listener-https":
        assert plan.https is not None  # the blueprint has this listener only then
        return {
            "lb": "alb",
            "protocol": "HTTPS",
            "port": 443,
            "action": "forward",
            "certificate": plan.https.certificate_arn,
            "ssl_policy": TLS_POLICY,
        }
    return {"lb": "alb", "protocol": "HTTP", "port": 80, "action": "redirect" if plan.https else "forward"}


def front_props(plan: Plan, res: StackResource) -> dict[str, Any] | None:
    """The props of a front door resource, or None when ``res`` is not one."""
    if res.kind == "listener":
        return _listener(plan, res)
    if res.kind == "nlb":
        return {"subnets": task_subnet_keys(plan)}
    if res.kind == "rest_vpc_link":
        return {}
    if res.kind == "rest_api":
        target = "lambda" if plan.architecture == "serverless" else "nlb"
        return {"target": target, "access_log": "log-api", "throttle": throttle_props(plan)}
    if res.kind == "usage_plan":
        return {"throttle": throttle_props(plan)}
    return None
