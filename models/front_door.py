"""The front door's own settings: the API Gateway stage throttle and the ALB's HTTPS listener.

``front_door_throttle`` is the stage's throttle (steady requests/s and burst, a token bucket). The stage
never lets more through than the account-level quota either (``account.apigw_throttle_*``), so the throttle
in force is the smaller of the two, field by field ("API Gateway throttling-related settings are applied
in the following order: ... per-method throttling limits that you set for an API stage ..., account-level
throttling per Region", docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-request-throttling.html).

``https`` puts an HTTPS listener on the ALB with an ACM certificate and answers HTTP with a redirect.
"""

from __future__ import annotations

from dataclasses import dataclass

from pydantic import BaseModel, ConfigDict, Field

__all__ = [
    "ACCOUNT_DEFAULT_BURST",
    "ACCOUNT_DEFAULT_RPS",
    "CERTIFICATE_ARN_PATTERN",
    "TLS_POLICY",
    "FrontDoorThrottle",
    "Https",
    "StageThrottle",
]

#: API Gateway's default account-level throttle per Region: 10,000 requests/s with a burst of 5,000
#: (docs.aws.amazon.com/apigateway/latest/developerguide/limits.html). A stage without a plan throttle
#: is set to these, so its limit is explicit (FSBP APIGateway.1/.9 family).
ACCOUNT_DEFAULT_RPS = 10_000.0
ACCOUNT_DEFAULT_BURST = 5_000

#: The TLS policy of the HTTPS listener: the policy AWS recommends and the console's default since
#: 2025-09 (TLS 1.3 and 1.2, hybrid post-quantum key exchange; docs.aws.amazon.com/elasticloadbalancing/
#: latest/application/describe-ssl-policies.html). The API's own default (ELBSecurityPolicy-2016-08)
#: still allows TLS 1.0.
TLS_POLICY = "ELBSecurityPolicy-TLS13-1-2-Res-PQ-2025-09"

#: An ACM certificate's ARN (arn:aws:acm:REGION:ACCOUNT:certificate/ID; partitions aws, aws-cn, aws-us-gov).
CERTIFICATE_ARN_PATTERN = r"^arn:aws(-cn|-us-gov)?:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{1,64}$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)


class FrontDoorThrottle(_Frozen):
    """The API Gateway stage's throttle: ``rps`` steady requests per second, ``burst`` the bucket size.

    AWS accepts a burst of 0 (every request refused); we do not, since no stack wants that."""

    rps: float = Field(gt=0, le=10_000_000, description="steady requests per second the stage lets through")
    burst: int = Field(ge=1, le=10_000_000, description="requests the stage lets through at once (token bucket size)")


class Https(_Frozen):
    """An HTTPS listener on the ALB (port 443, ``TLS_POLICY``) with this ACM certificate; port 80 redirects."""

    certificate_arn: str = Field(pattern=CERTIFICATE_ARN_PATTERN, description="the ACM certificate the listener serves")


@dataclass(frozen=True)
class StageThrottle:
    """The throttle a stage is set to (``rps`` requests/s, ``burst`` requests)."""

    rps: float
    burst: int

    @staticmethod
    def of(throttle: FrontDoorThrottle | None) -> StageThrottle:
        """The plan's throttle, or the account's defaults when it gives none."""
        if throttle is None:
            return StageThrottle(ACCOUNT_DEFAULT_RPS, ACCOUNT_DEFAULT_BURST)
        return StageThrottle(throttle.rps, throttle.burst)

    def under(self, account_rps: float, account_burst: int) -> StageThrottle:
        """The throttle in force under the account's quota: the smaller of each."""
        return StageThrottle(min(self.rps, account_rps), min(self.burst, account_burst))
