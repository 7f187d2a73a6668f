"""The order kinds of resource are destroyed in: the reverse of the build order of the kind graph.

``destroy`` deletes whatever the stack owns, kind by kind, without a plan (the stack may have been built
from an older one). Its order comes from the same declared dependencies as the build order: every
dependency between two resources of any stack the blueprint can describe is an edge between their
kinds, and the kinds are destroyed in the reverse of ``graphlib``'s order of that graph.
"""

from __future__ import annotations

import itertools
from functools import cache
from graphlib import TopologicalSorter

from models.blueprint import stack_resources
from models.plan import Plan

__all__ = ["LOOSE", "destroy_kind_order", "sample_plans"]

#: Dependencies that order the build but not the destroy: a Lambda permission is a statement in the
#: function's resource policy, and AWS deletes a target group or an API whatever that policy says. Kept,
#: the kind graph would have a cycle (a serverless API's permission needs the API; a container API needs
#: the service, which needs the listener and target group; a serverless target group needs the permission).
LOOSE = frozenset({("target_group", "permission"), ("permission", "http_api"), ("permission", "rest_api")})


def sample_plans() -> list[Plan]:
    """One plan of every shape the provisioner builds: architecture x front door x launch type x NAT x
    scaling policy (and metric), with a scheduled action, the pipeline on and (containers) VPC endpoints."""
    out = []
    shapes = itertools.product(
        ("container", "serverless"),
        ("apigw-http", "apigw-rest", "alb"),
        ("ec2", "fargate"),
        ("gateway", "instance", "none"),
        ("step", "cpu", "alb_request_count_per_target"),
    )
    for arch, door, launch, nat, policy in shapes:
        if policy == "alb_request_count_per_target" and door != "alb":
            continue
        scaling: dict[str, object] = {"scheduled": [{"name": "peak", "cron": "cron(0 8 * * ? *)", "min": 1, "max": 5}]}
        if policy != "step":
            scaling.update(policy="target_tracking", metric=policy, target_value=50.0)
        task = {"cpu_units": 512, "memory_mb": 512 if launch == "ec2" else 1024}
        data = {
            "architecture": arch,
            "front_door": door,
            "network": {"nat": nat, "vpc_endpoints": arch == "container"},
            "container": {"launch_type": launch, "task": task, "scaling": scaling},
            "serverless": {"provisioned_concurrency": 1},
            "alerts": {},
            "https": {"certificate_arn": "arn:aws:acm:us-east-1:123456789012:certificate/0"} if door == "alb" else None,
        }
        out.append(Plan.model_validate(data))
    return out


@cache
def destroy_kind_order(kinds: frozenset[str]) -> tuple[str, ...]:
    """The kinds in ``kinds``, every kind before the kinds it depends on (ties by name)."""
    graph: dict[str, set[str]] = {k: set() for k in kinds}
    for plan in sample_plans():
        res = {r.key: r for r in stack_resources(plan)}
        for r in res.values():
            for d in r.deps:
                a, b = r.kind, res[d].kind
                if a != b and a in kinds and b in kinds and (a, b) not in LOOSE:
                    graph[a].add(b)
    sorter = TopologicalSorter(graph)
    sorter.prepare()  # a cycle raises graphlib.CycleError here (a test builds this order)
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order += ready
        sorter.done(*ready)
    return tuple(reversed(order))
