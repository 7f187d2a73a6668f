"""From a plan's blueprint to the provisioner's resources, in build order.

The resources, their names and dependencies come from ``blueprint(plan).resources`` and the scaling
resources carry the blueprint's control plane specs; this package only adds what the provisioner needs
to call AWS (CIDR blocks, zone names, role policies, ...). Resources AWS makes on its own (``made_by``:
a namespace's hosted zone, a target tracking policy's alarms) are not built here.
"""

from __future__ import annotations

from models.blueprint import blueprint
from models.plan import Plan
from provision.errors import PlanNotSupported
from provision.graph.app import LOG_RETENTION_DAYS, app_props
from provision.graph.control import control_props
from provision.graph.network import network_props, subnet_cidrs
from provision.graph.order import build_order, destroy_order
from provision.resources import Resource

__all__ = ["LOG_RETENTION_DAYS", "build_order", "destroy_order", "resources_for", "subnet_cidrs"]


def resources_for(plan: Plan, azs_names: list[str]) -> list[Resource]:
    """Every resource the provisioner creates for ``plan``, each after the resources it depends on.

    Raises PlanNotSupported naming a resource of a kind it has no builder for."""
    bp = blueprint(plan)
    out: list[Resource] = []
    for res in bp.resources:
        if res.made_by is not None:
            continue
        props = network_props(plan, res, azs_names)
        if props is None:
            props = control_props(bp, res)
        if props is None:
            props = app_props(plan, res)
        if props is None:
            raise PlanNotSupported(f"{res.kind} {res.name!r}: the provisioner cannot build this kind of resource yet")
        out.append(Resource(res.key, res.kind, res.name, props, res.deps))
    return build_order(out)
