"""A month of usage to price without simulating (the shape of Infracost's usage files).

Each service key takes one object or a list of them. Every quantity is for the month unless its
name says otherwise (``..._per_s``, ``..._per_hour``). Numbers are exact decimals.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, model_validator

from models.codebuild import ComputeType
from models.regions import REGION_PATTERN
from models.savings_plan import SavingsPlan
from models.validation import Problem, cross_field_error, load_json, validate

__all__ = [
    "AlbHour",
    "AlbUsage",
    "ApiGatewayUsage",
    "CloudWatchUsage",
    "CodeBuildUsage",
    "CodePipelineUsage",
    "EbsUsage",
    "Ec2Usage",
    "EcrUsage",
    "FargateUsage",
    "LambdaUsage",
    "NatGatewayUsage",
    "NlbUsage",
    "PublicIpv4Usage",
    "Route53Usage",
    "Usage",
    "VpcEndpointUsage",
    "load_usage",
]

#: The largest quantity a usage field takes: far above any month of a small stack, small enough that
#: every amount stays exact in 28-digit decimal arithmetic.
MAX_QUANTITY = Decimal(10**15)
NonNeg = Annotated[Decimal, Field(ge=0, le=MAX_QUANTITY), Strict(False)]
Count = Annotated[int, Field(ge=0, le=1_000_000)]


def _as_list(v: Any) -> Any:
    if v is None:
        return []
    return v if isinstance(v, list) else [v]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)


class AlbHour(_Frozen):
    """The four LCU dimensions of one hour, each averaged over that hour."""

    new_connections_per_s: NonNeg = Decimal(0)
    active_connections_per_min: NonNeg = Decimal(0)
    processed_gb_per_hour: NonNeg = Decimal(0)
    rule_evaluations_per_s: NonNeg = Field(Decimal(0), description="billable: beyond the 10 free rules")


class AlbUsage(AlbHour):
    """An Application Load Balancer: hours, target type and its LCU dimensions (flat or hour by hour).

    ``rule_evaluations_per_s`` is billable evaluations; alternatively give ``requests_per_s`` and
    ``rules`` (rules processed per request) and the first 10 free rules are taken off.
    """

    count: Count = 1
    hours: NonNeg | None = None
    target: Literal["ip", "instance", "lambda"] = "ip"
    requests_per_s: NonNeg | None = None
    rules: Count | None = None
    hourly: list[AlbHour] | None = None
    lcu_hours: NonNeg | None = Field(None, description="LCU-hours already metered hour by hour (from a simulation)")
    lcu_basis: str = Field("", max_length=200, description="which dimensions set the metered LCUs")

    @model_validator(mode="after")
    def _shape(self) -> AlbUsage:
        problems: list[Problem] = []
        if (self.requests_per_s is None) != (self.rules is None):
            problems.append(("rules", self.rules, "give requests_per_s and rules together"))
        if self.hourly is not None and self.lcu_hours is not None:
            problems.append(("lcu_hours", self.lcu_hours, "give hourly dimensions or lcu_hours, not both"))
        if self.hourly is not None or self.lcu_hours is not None:
            flat = [k for k in AlbHour.model_fields if getattr(self, k)]
            if flat:
                problems.append(
                    (
                        flat[0],
                        getattr(self, flat[0]),
                        "give the LCU dimensions flat, hourly or as lcu_hours, not several",
                    )
                )
        if problems:
            raise cross_field_error(problems)
        return self


class NlbUsage(_Frozen):
    """A Network Load Balancer (TCP listeners): hours and its three NLCU dimensions, flat over the month.

    ``active_flows`` is the concurrent TCP flows (AWS samples them each minute)."""

    count: Count = 1
    hours: NonNeg | None = None
    new_flows_per_s: NonNeg = Decimal(0)
    active_flows: NonNeg = Decimal(0)
    processed_gb_per_hour: NonNeg = Decimal(0)


class ApiGatewayUsage(_Frozen):
    """An API Gateway API: type, monthly requests, payload sizes and an optional cache (REST)."""

    type: Literal["http", "rest"] = "http"
    requests: NonNeg = Decimal(0)
    request_kb: NonNeg = Decimal(0)
    response_kb: NonNeg = Decimal(0)
    cache_gb: NonNeg | None = None
    cache_hours: NonNeg | None = None

    @model_validator(mode="after")
    def _cache(self) -> ApiGatewayUsage:
        if self.cache_gb is not None and self.type != "rest":
            raise cross_field_error([("cache_gb", self.cache_gb, "a cache exists only on REST APIs (type 'rest')")])
        return self


class LambdaUsage(_Frozen):
    """A Lambda function's month: invocations, billed duration, memory, architecture, extras."""

    requests: NonNeg = Decimal(0)
    duration_ms: NonNeg = Field(Decimal(0), description="average duration per invocation (rounded up to 1 ms)")
    init_ms_total: NonNeg = Field(Decimal(0), description="billed INIT time over the month, all cold starts")
    memory_mb: int = Field(128, ge=128, le=10240)
    arch: Literal["x86_64", "arm64"] = "x86_64"
    ephemeral_storage_mb: int = Field(512, ge=512, le=10240)
    provisioned_concurrency: Count = 0
    provisioned_hours: NonNeg | None = None
    provisioned_requests: NonNeg | None = Field(
        None,
        description="invocations served by provisioned environments; default: as many as the provisioned "
        "environments can serve in provisioned_hours (each busy duration_ms per invocation), at most requests",
    )
    package: Literal["image", "zip"] = Field(
        "image", description="deployment package; the price book says whether INIT of this package is billed"
    )

    @model_validator(mode="after")
    def _pc(self) -> LambdaUsage:
        if self.provisioned_requests is not None and self.provisioned_requests > self.requests:
            raise cross_field_error(
                [("provisioned_requests", self.provisioned_requests, f"must be <= requests ({self.requests})")]
            )
        return self


class FargateUsage(_Frozen):
    """Fargate tasks of one size running for some hours."""

    tasks: NonNeg = Decimal(1)
    vcpu: NonNeg = Decimal("0.25")
    memory_gb: NonNeg = Decimal("0.5")
    hours: NonNeg | None = None
    arch: Literal["x86_64", "arm64"] = "x86_64"
    ephemeral_storage_gb: int = Field(20, ge=20, le=200)
    capacity: Literal["on_demand", "spot"] = Field("on_demand", description="FARGATE or FARGATE_SPOT")


class Ec2Usage(_Frozen):
    """On-demand Linux instances of one type; surplus vCPU-hours for T3 unlimited."""

    instance_type: str = "t3.micro"
    count: NonNeg = Decimal(1)
    hours: NonNeg | None = None
    surplus_vcpu_hours: NonNeg = Decimal(0)


class EbsUsage(_Frozen):
    """EBS volumes of one type, billed per GB-month of provisioned storage for as long as they live.

    Give ``gb_months`` directly, or ``size_gib`` per volume with ``volumes`` and ``hours`` (each
    volume's hours of life; default the whole month): GB-months = size x volumes x hours / month_hours.
    A root volume lives exactly as long as its instance, so its hours are the instance-hours. AWS bills
    provisioned storage per second (60 s minimum). Source: aws.amazon.com/ebs/pricing/.
    """

    volume_type: Literal["gp3", "gp2"] = "gp3"
    size_gib: NonNeg = Decimal(30)
    volumes: NonNeg = Decimal(1)
    hours: NonNeg | None = None
    gb_months: NonNeg | None = Field(None, description="provisioned GB-months; replaces size_gib x volumes x hours")


class Route53Usage(_Frozen):
    """Route 53 hosted zones kept for the month (a Cloud Map private DNS namespace creates one)."""

    hosted_zones: NonNeg = Decimal(1)


class KmsUsage(_Frozen):
    """Customer managed KMS keys kept for the month (the alerts topic's key)."""

    keys: NonNeg = Decimal(1)


class NatGatewayUsage(_Frozen):
    count: NonNeg = Decimal(1)
    hours: NonNeg | None = None
    processed_gb: NonNeg = Decimal(0)


class VpcEndpointUsage(_Frozen):
    """Interface VPC endpoints: each is billed per zone-hour, plus every GB it processes."""

    endpoints: NonNeg = Decimal(1)
    azs: NonNeg = Decimal(1)
    hours: NonNeg | None = None
    processed_gb: NonNeg = Decimal(0)


class PublicIpv4Usage(_Frozen):
    addresses: NonNeg = Decimal(1)
    hours: NonNeg | None = None


class CloudWatchUsage(_Frozen):
    alarms: NonNeg = Decimal(0)
    high_resolution_alarms: NonNeg = Decimal(0)
    custom_metrics: NonNeg = Decimal(0)
    logs_ingested_gb: NonNeg = Decimal(0)
    logs_stored_gb: NonNeg = Decimal(0)
    logs_insights_scanned_gb: NonNeg = Decimal(0)


class EcrUsage(_Frozen):
    storage_gb: NonNeg = Decimal(0)


class CodeBuildUsage(_Frozen):
    compute_type: ComputeType = Field(
        "BUILD_GENERAL1_SMALL",
        description="as the API names it (BUILD_GENERAL1_SMALL) or the pricing page (general1.small)",
    )
    build_minutes: NonNeg = Decimal(0)


class CodePipelineUsage(_Frozen):
    v1_active_pipelines: NonNeg = Decimal(0)
    v2_action_minutes: NonNeg = Decimal(0)


T = TypeVar("T")
#: One object or a list of them, kept as a tuple.
Many = Annotated[tuple[T, ...], BeforeValidator(_as_list), Strict(False)]


class Usage(_Frozen):
    """Everything a month used; each service key may be one object or a list."""

    region: str | None = Field(None, pattern=REGION_PATTERN, description="AWS Region; priced by that Region's book")
    month_hours: Annotated[Decimal, Strict(False)] = Field(Decimal(730), gt=0, le=744)
    free_tier: bool = False
    alb: Many[AlbUsage] = ()
    nlb: Many[NlbUsage] = ()
    apigw: Many[ApiGatewayUsage] = ()
    lambda_: Many[LambdaUsage] = Field((), alias="lambda")
    fargate: Many[FargateUsage] = ()
    ec2: Many[Ec2Usage] = ()
    nat_gateway: Many[NatGatewayUsage] = ()
    vpc_endpoints: Many[VpcEndpointUsage] = ()
    public_ipv4: Many[PublicIpv4Usage] = ()
    ebs: Many[EbsUsage] = ()
    route53: Many[Route53Usage] = ()
    kms: Many[KmsUsage] = ()
    data_transfer_out_gb: NonNeg = Decimal(0)
    cloudwatch: Many[CloudWatchUsage] = ()
    ecr: Many[EcrUsage] = ()
    codebuild: Many[CodeBuildUsage] = ()
    codepipeline: Many[CodePipelineUsage] = ()
    savings_plan: SavingsPlan | None = None
    compute_hourly_weights: Annotated[tuple[NonNeg, ...], Strict(False)] | None = Field(
        None,
        description="relative compute usage of each hour (from a run), repeated to fill the month; default even. "
        "A Savings Plan is applied hour by hour on it",
    )

    model_config = ConfigDict(frozen=True, extra="forbid", populate_by_name=True, allow_inf_nan=False, strict=True)

    @model_validator(mode="after")
    def _hours_fit_the_month(self) -> Usage:
        problems: list[Problem] = []
        for i, a in enumerate(self.alb):
            if a.hourly is not None and len(a.hourly) > self.month_hours:
                problems.append(
                    (
                        f"alb[{i}].hourly",
                        f"{len(a.hourly)} hours",
                        f"must have at most month_hours ({self.month_hours})",
                    )
                )
        weights = self.compute_hourly_weights
        if weights is not None and len(weights) > self.month_hours:
            problems.append(
                (
                    "compute_hourly_weights",
                    f"{len(weights)} hours",
                    f"must have at most month_hours ({self.month_hours})",
                )
            )
        if problems:
            raise cross_field_error(problems)
        return self


def load_usage(path: str | Path) -> Usage:
    """Read and validate a usage file; raises ``InputError`` listing every problem."""
    return validate(Usage, load_json(path, "usage"), where=f"usage={str(path)!r}")
