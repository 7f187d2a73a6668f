"""Grid keys that change nothing: a sweep value the plan never reads.

A plan field is read only by the architecture and launch type that use it: ``container.*`` by a
container plan, ``serverless.*`` by a serverless one; the container instances
(``container.instance_type``, ``container.instances.*``) only by the EC2 launch type (Fargate runs
tasks without instances the account sees); Fargate Spot capacity (``container.spot_strategy.*``) only
by the Fargate launch type (Fargate Spot is a Fargate capacity provider,
https://docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-capacity-providers.html). A grid
key that every configuration of the grid ignores would give identical rows; a sweep refuses it
before any run, naming the key, a value and why.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from models.errors import InputError
from models.plan import Plan
from models.validation import show_value

__all__ = ["ignored_because", "refuse_ignored_keys"]

#: Container fields only the EC2 launch type reads.
EC2_ONLY = ("container.instance_type", "container.instances")
#: Container fields only the Fargate launch type reads.
FARGATE_ONLY = ("container.spot_strategy",)


def _under(path: str, prefixes: Sequence[str]) -> bool:
    return any(path == p or path.startswith(p + ".") for p in prefixes)


def ignored_because(plan: Plan, key: str) -> str | None:
    """Why ``plan`` ignores the grid key ``key`` (a dotted scenario path), or ``None`` if it reads it."""
    if not key.startswith("plan."):
        return None
    path = key.removeprefix("plan.")
    if _under(path, ("container",)) and plan.architecture != "container":
        return f"architecture {plan.architecture!r} (no ECS service)"
    if _under(path, ("serverless",)) and plan.architecture != "serverless":
        return f"architecture {plan.architecture!r} (no Lambda function)"
    launch = plan.container.launch_type
    if _under(path, EC2_ONLY) and launch != "ec2":
        return f"container.launch_type {launch!r} (Fargate runs tasks without container instances)"
    if _under(path, FARGATE_ONLY) and launch != "fargate":
        return f"container.launch_type {launch!r} (Fargate Spot is a Fargate capacity provider)"
    return None


def refuse_ignored_keys(grid: Mapping[str, Sequence[Any]], plans: Sequence[Plan]) -> None:
    """Raise ``InputError`` for each grid key that no configuration's plan reads.

    ``plans`` holds the plan of each valid configuration. A key read by some configuration
    (a grid that also varies ``plan.container.launch_type``, say) is kept.
    """
    problems = []
    for key, options in grid.items():
        reasons = [ignored_because(plan, key) for plan in plans]
        if plans and all(reasons):
            problems.append(
                f"grid.{key}={show_value(options[0])}: has no effect with {reasons[0]}; "
                "every configuration would give the same rows"
            )
    if problems:
        raise InputError(problems)
