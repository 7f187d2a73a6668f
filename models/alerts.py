"""``plan.alerts``: the stack's health and delivery alerts, sent to one SNS topic (and an e-mail address).

Each threshold field names one alarm; ``null`` turns it off. A field left out is built only where the
stack has what it watches (unhealthy hosts need containers behind an ALB, Lambda errors a function,
pipeline failures the pipeline); a field written where the stack has nothing to watch is refused, not
ignored, and so is an ``alerts`` section with no alert on (it would bill a key and a topic for nothing).
"""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email
from pydantic import BaseModel, ConfigDict, Field, field_validator

from models.validation import Problem

__all__ = ["Alerts", "alerts_problems", "inapplicable_alerts"]


class Alerts(BaseModel):
    """Thresholds of the stack's alert alarms (see the module docstring)."""

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)

    email: str | None = Field(
        None,
        max_length=254,
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

    @field_validator("email")
    @classmethod
    def _email(cls, v: str | None) -> str | None:
        """An address's syntax per RFC 5321/5322 as the email-validator library reads it (no quoted local
        parts, no empty domain labels); deliverability is not checked (no DNS at validation)."""
        if v is None:
            return v
        try:
            validate_email(v, check_deliverability=False)
        except EmailNotValidError as exc:
            raise ValueError(f"must be an e-mail address like ops@example.com ({exc})") from None
        return v


def _rules(container: bool, front_door: str, pipeline: bool) -> tuple[tuple[str, bool, str], ...]:
    """(field, applies to the stack, what it needs) for each alert that watches one part of the stack."""
    return (
        ("unhealthy_hosts", container and front_door == "alb", "needs architecture 'container' with front_door 'alb'"),
        ("lambda_errors_pct", not container, "needs architecture 'serverless'"),
        ("pipeline_failures", pipeline, "needs pipeline.enabled true"),
    )


def inapplicable_alerts(container: bool, front_door: str, pipeline: bool) -> tuple[str, ...]:
    """The fields of ``Alerts`` the stack has nothing to watch for (left out of a dumped plan at their
    default, so the dump validates again)."""
    return tuple(name for name, applies, _ in _rules(container, front_door, pipeline) if not applies)


def alerts_problems(alerts: Alerts, container: bool, front_door: str, pipeline: bool) -> list[Problem]:
    """What is wrong with ``alerts`` in its stack (paths relative to the plan): a field written (even at
    its default) where the stack has nothing it watches — ``unhealthy_hosts`` needs containers behind an
    ALB, ``lambda_errors_pct`` a serverless stack, ``pipeline_failures: true`` the pipeline
    (``pipeline.enabled``) — and a section where no alert is on."""
    out: list[Problem] = []
    on = alerts.http_5xx_pct is not None
    for name, applies, rule in _rules(container, front_door, pipeline):
        value = getattr(alerts, name)
        if value not in (None, False) and applies:
            on = True
        if value not in (None, False) and name in alerts.model_fields_set and not applies:
            out.append((f"alerts.{name}", value, rule))
    if not on and not out:
        out.append(("alerts", alerts.model_dump(exclude_unset=True), "no alert is on; drop `alerts`"))
    return out
