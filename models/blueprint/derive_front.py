"""The front door's resources beyond the basic ones: API Gateway REST in front of containers (an internal
Network Load Balancer, its target group and TCP listener, a REST VPC link, the REST API and its usage
plan) and the ALB's HTTPS listener.

API Gateway REST APIs reach a VPC only through a VPC link to a Network Load Balancer ("A VPC link for a
REST API ... targets a Network Load Balancer", docs.aws.amazon.com/apigateway/latest/developerguide/
set-up-private-integration.html); the NLB is internal, in the tasks' subnets, and holds no public address.
"""

from __future__ import annotations

from models.blueprint.resources import Billed, StackResource
from models.front_door import StageThrottle
from models.plan import Plan

__all__ = ["https_listener", "nlb_front", "rest_api", "stage_throttle"]


def _r(key: str, kind: str, name: str, deps: tuple[str, ...] = (), *billed: Billed) -> StackResource:
    return StackResource(key=key, kind=kind, name=name, deps=deps, billed=tuple(billed))


def stage_throttle(plan: Plan) -> StageThrottle | None:
    """The API Gateway stage's throttle (the plan's, else the account's defaults); None behind an ALB."""
    return None if plan.front_door == "alb" else StageThrottle.of(plan.front_door_throttle)


def nlb_front(plan: Plan, subnets: tuple[str, ...]) -> list[StackResource]:
    """Target group (the tasks' IPs, TCP), the internal NLB in ``subnets`` and its TCP :80 listener."""
    name = plan.name
    return [
        _r("tg", "target_group", f"{name}-tg", ("vpc",)),
        _r("nlb", "nlb", f"{name}-nlb", ("sg-front", *subnets), Billed("network_load_balancer")),
        _r("nlb-listener", "listener", f"{name}-tcp", ("nlb", "tg")),
    ]


def rest_api(plan: Plan, integration: tuple[str, ...]) -> list[StackResource]:
    """The REST API (``{proxy+}`` to ``integration``: the function, or the VPC link and service) with its
    stage's access log group, and a usage plan on the stage with the stage's throttle. Containers also get
    the REST VPC link to the NLB."""
    name = plan.name
    out = [_r("log-api", "log_group", f"/tinysim/{name}/api-access", (), Billed("log_group"))]
    if plan.architecture == "container":
        out.append(_r("rest-vpclink", "rest_vpc_link", f"{name}-rest-link", ("nlb", "nlb-listener")))
        integration = ("rest-vpclink", *integration)
    out.append(_r("rest-api", "rest_api", name, (*integration, "log-api"), Billed("api")))
    out.append(_r("usage-plan", "usage_plan", f"{name}-usage", ("rest-api",)))
    return out


def https_listener(plan: Plan) -> list[StackResource]:
    """The ALB's HTTPS :443 listener when the plan gives a certificate (HTTP :80 then redirects)."""
    if plan.https is None or plan.front_door != "alb":
        return []
    return [_r("listener-https", "listener", f"{plan.name}-https", ("alb", "tg"))]
