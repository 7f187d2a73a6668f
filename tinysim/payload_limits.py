"""Payload limits of the front door and the function: an oversized request or response is an error
(502 from the ALB or API Gateway, 413 for a request), not data transfer.

- A Lambda function behind an ALB receives and returns at most 1 MB
  (docs.aws.amazon.com/elasticloadbalancing/latest/application/lambda-functions.html).
- A synchronous Lambda invocation carries at most 6 MB each way
  (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html).
- API Gateway accepts payloads of at most 10 MB
  (docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).

Sizes here are in KB of 1,000 bytes, as everywhere in the workload; a limit's MB is 1,048,576 bytes.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.plan import Plan
from models.scenario import Workload

__all__ = ["PayloadLimit", "payload_error", "payload_limits"]

MB_KB = 1048.576


@dataclass(frozen=True)
class PayloadLimit:
    """The largest request and response body (KB) one hop of the stack passes."""

    hop: str
    request_kb: float
    response_kb: float


def payload_limits(plan: Plan) -> tuple[PayloadLimit, ...]:
    """Every limit a request of this plan passes through, front door first."""
    out: list[PayloadLimit] = []
    if plan.front_door != "alb":
        out.append(PayloadLimit("API Gateway payload (10 MB)", 10 * MB_KB, 10 * MB_KB))
    if plan.architecture == "serverless":
        if plan.front_door == "alb":
            out.append(PayloadLimit("Lambda behind an ALB (1 MB)", MB_KB, MB_KB))
        out.append(PayloadLimit("synchronous Lambda invocation (6 MB)", 6 * MB_KB, 6 * MB_KB))
    return tuple(out)


def payload_error(plan: Plan, workload: Workload) -> str | None:
    """Why every request of this workload fails on this plan, or ``None`` when payloads fit."""
    for limit in payload_limits(plan):
        if workload.request_kb > limit.request_kb:
            return f"requests of {workload.request_kb:g} KB exceed the {limit.hop} limit: each is rejected (413)"
        if workload.response_kb > limit.response_kb:
            return f"responses of {workload.response_kb:g} KB exceed the {limit.hop} limit: each fails (502)"
    return None
