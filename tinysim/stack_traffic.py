"""Traffic the stack makes by itself: image pulls at every task start and the tasks' log stream.

Tasks in private subnets reach ECR and CloudWatch Logs through the NAT gateway, which bills every GB
it processes (aws.amazon.com/vpc/pricing/), unless the plan has VPC endpoints, which bill their own
hours and GB (aws.amazon.com/privatelink/pricing/). Each task start pulls the whole image (Fargate
keeps no cache: docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-task-storage.html). A
release (one per build when the pipeline is on) replaces every running task. CodeBuild runs outside the
VPC, so builds add no NAT traffic; Lambda pulls its image and ships its logs through its own service.
"""

from __future__ import annotations

from decimal import Decimal

from models.plan import Plan
from models.scenario import Operations

__all__ = ["releases_per_month", "task_starts_per_month", "vpc_traffic_gb"]


def releases_per_month(plan: Plan, ops: Operations) -> int:
    """Deployments a month: one per build, none when the pipeline is off."""
    return ops.builds_per_month if plan.pipeline.enabled else 0


def task_starts_per_month(plan: Plan, ops: Operations, scaling_starts: Decimal = Decimal(0)) -> Decimal:
    """Task starts in a month: every release replaces the desired tasks; plus starts by scaling or
    replacement (from a run, already scaled to the month)."""
    if plan.architecture != "container":
        return Decimal(0)
    return Decimal(releases_per_month(plan, ops) * plan.container.tasks.desired) + scaling_starts


def vpc_traffic_gb(plan: Plan, ops: Operations, task_starts: Decimal, log_gb: Decimal) -> Decimal:
    """GB leaving the private subnets for AWS services: image pulls (image size x task starts) and
    the tasks' logs. Zero for a serverless stack."""
    if plan.architecture != "container":
        return Decimal(0)
    return Decimal(str(ops.image_gb)) * task_starts + log_gb
