"""``plan.alerts``: the stack's health and delivery alerts, sent to one SNS topic (and an e-mail address).

Each threshold field names one alarm; ``null`` turns it off. A field at its default is built only
where the stack has what it watches (unhealthy hosts need containers behind an ALB, Lambda errors a
function, pipeline failures the pipeline); another value where the stack has nothing to watch is
refused, not ignored.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from models.validation import Problem

__all__ = ["Alerts", "alerts_problems"]


class Alerts(BaseModel):
    """Thresholds of the stack's alert alarms (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)

    email: str | None = Field(
        None,
        max_length=254,
        pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$",
        description="an address subscribed to the topic (AWS sends it a confirmation mail first)",
    )
    http_5xx_pct: float | None = Field(
        5.0, gt=0, le=100, description="alarm when the front door's 5xx answers exceed this percent of its requests"
    )
    unhealthy_hosts: int | None = Field(
        1, ge=1, le=1000, description="alarm when at least this many ALB targets are unhealthy (containers)"
    )
    lambda_errors_pct: float | None = Field(
        5.0, gt=0, le=100, description="alarm when the function's errors exceed this percent of its invocations"
    )
    pipeline_failures: bool = Field(True, description="notify when a pipeline execution or a build fails")


def alerts_problems(alerts: Alerts, container: bool, front_door: str) -> list[Problem]:
    """Thresholds of ``alerts`` other than their default where the stack has nothing they watch (paths
    relative to the plan): ``unhealthy_hosts`` needs containers behind an ALB, ``lambda_errors_pct`` a
    serverless stack."""
    rules = (
        ("unhealthy_hosts", container and front_door == "alb", "needs architecture 'container' with front_door 'alb'"),
        ("lambda_errors_pct", not container, "needs architecture 'serverless'"),
    )
    out: list[Problem] = []
    for name, applies, rule in rules:
        value = getattr(alerts, name)
        if value is not None and value != Alerts.model_fields[name].default and not applies:
            out.append((f"alerts.{name}", value, rule))
    return out
