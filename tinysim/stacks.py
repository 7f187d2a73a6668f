"""The stacks a team can choose between, as changes to a scenario's plan: the same traffic and work
on another front door, launch type or on Lambda; and the smallest Fargate task size that fits a task.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from models.plan import FARGATE_SIZES, Plan, TaskSpec
from models.scenario import Scenario

__all__ = ["STACKS", "Stack", "fargate_size", "on_stack"]


@dataclass(frozen=True)
class Stack:
    """One way to run the app: compute (``container`` or ``serverless``), front door and launch type."""

    architecture: Literal["container", "serverless"]
    front_door: Literal["apigw-http", "apigw-rest", "alb"]
    launch_type: Literal["ec2", "fargate"] = "ec2"


STACKS: dict[str, Stack] = {
    "ECS on EC2 + API Gateway": Stack("container", "apigw-http", "ec2"),
    "ECS on EC2 + ALB": Stack("container", "alb", "ec2"),
    "ECS on Fargate + ALB": Stack("container", "alb", "fargate"),
    "Lambda + API Gateway": Stack("serverless", "apigw-http"),
    "Lambda + ALB": Stack("serverless", "alb"),
}


def fargate_size(task: TaskSpec) -> TaskSpec:
    """The smallest valid Fargate size with at least the task's CPU units and memory.

    Fargate accepts only some CPU/memory pairs (``models.plan.FARGATE_SIZES``, from
    docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size);
    memory rounds up to the size's step. A task larger than any size gets the largest.
    """
    for cpu, (lo, hi, step) in sorted(FARGATE_SIZES.items()):
        if cpu < task.cpu_units or task.memory_mb > hi:
            continue
        memory = max(lo, -(-task.memory_mb // step) * step)
        return task.model_copy(update={"cpu_units": cpu, "memory_mb": memory})
    cpu, (_, hi, _) = max(FARGATE_SIZES.items())
    return task.model_copy(update={"cpu_units": cpu, "memory_mb": hi})


def on_stack(scenario: Scenario, stack: Stack) -> Scenario:
    """The same scenario (traffic, work, run settings) on another stack; a task moving to Fargate gets
    the smallest Fargate size that fits it."""
    plan = scenario.resolved_plan()
    container = plan.container
    if stack.architecture == "container" and stack.launch_type == "fargate":
        container = container.model_copy(update={"launch_type": "fargate", "task": fargate_size(container.task)})
    else:
        container = container.model_copy(update={"launch_type": stack.launch_type})
    data = plan.model_dump(mode="json", exclude_none=True)
    data.update(architecture=stack.architecture, front_door=stack.front_door)
    data["container"] = container.model_dump(mode="json", exclude_none=True)
    new_plan = Plan.model_validate(data)
    return scenario.model_copy(update={"plan": new_plan, "plan_file": None})
