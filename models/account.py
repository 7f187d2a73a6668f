"""The AWS account quotas a run depends on (per account and Region). They are the account's settings, not
prices: a quota increase changes them, so they belong to the scenario, not to the price book."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["Account"]


class Account(BaseModel):
    """Account-level quotas, with AWS's defaults.

    - ``lambda_concurrency``: concurrent executions per account and Region, default 1,000
      (docs.aws.amazon.com/lambda/latest/dg/lambda-concurrency.html); raised by a quota increase.
    - ``apigw_throttle_rps`` / ``apigw_throttle_burst``: API Gateway's account throttle, steady requests
      per second and burst (token bucket), defaults 10,000 and 5,000
      (docs.aws.amazon.com/apigateway/latest/developerguide/limits.html).
    """

    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)

    lambda_concurrency: int = Field(1000, ge=1, le=1_000_000, description="Lambda concurrent executions")
    apigw_throttle_rps: float = Field(10_000.0, gt=0, le=10_000_000, description="API Gateway steady requests/s")
    apigw_throttle_burst: int = Field(5000, ge=1, le=10_000_000, description="API Gateway burst (bucket size)")
