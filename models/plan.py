"""``plan.json`` version 1: the stack a team wants, shared by the simulator and the provisioner.

Field names are the contract: add fields freely, never rename. ``Plan()`` is the seed's stack: one ECS
task on one t3.micro behind an API Gateway HTTP API, scaling out by one task (to at most five) when
average CPU stays above 70% for five one-minute periods.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
    model_validator,
)

from models.alerts import Alerts, alerts_problems, inapplicable_alerts
from models.codebuild import ComputeType
from models.cron import parse_cron
from models.front_door import FrontDoorThrottle, Https
from models.instances import INSTANCE_TYPES, NAT_INSTANCE_TYPE
from models.pipeline_source import PipelineSource, source_problems
from models.regions import DEFAULT_REGION, REGION_PATTERN, partition_of
from models.savings_plan import SavingsPlan
from models.validation import Problem, cross_field_error, load_json, validate

__all__ = [
    "FARGATE_SIZES",
    "Alerts",
    "CapacityProviders",
    "Container",
    "ExistingSubnets",
    "InstanceCount",
    "Network",
    "Pipeline",
    "PipelineSource",
    "Plan",
    "Scaling",
    "ScheduledAction",
    "Serverless",
    "TaskCount",
    "TaskSpec",
    "load_plan",
]

#: Valid Fargate task sizes: CPU units -> (min memory MiB, max memory MiB, step MiB).
#: Source: docs.aws.amazon.com/AmazonECS/latest/developerguide/fargate-tasks-services.html#fargate-tasks-size
FARGATE_SIZES: dict[int, tuple[int, int, int]] = {
    256: (512, 2048, 512),
    512: (1024, 4096, 1024),
    1024: (2048, 8192, 1024),
    2048: (4096, 16384, 1024),
    4096: (8192, 30720, 1024),
    8192: (16384, 61440, 4096),
    16384: (32768, 122880, 8192),
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)


def _raise(problems: list[Problem]) -> None:
    if problems:
        raise cross_field_error(problems)


class TaskSpec(_Frozen):
    """One ECS task: its size and the container it runs."""

    cpu_units: int = Field(2048, ge=128, le=16384, description="CPU units (1,024 = one vCPU)")
    memory_mb: int = Field(512, ge=128, le=122880, description="hard memory limit in MiB")
    port: int = Field(80, ge=1, le=65535)
    image: str = Field("", description="image URI; empty means the image the stack's pipeline released")


class TaskCount(_Frozen):
    """How many tasks the service may run (Application Auto Scaling min/max) and starts with."""

    min: int = Field(1, ge=0, le=1000)
    max: int = Field(5, ge=0, le=1000)
    desired: int = Field(1, ge=0, le=1000)

    @model_validator(mode="after")
    def _ordered(self) -> TaskCount:
        problems: list[Problem] = []
        if self.max < self.min:
            problems.append(("max", self.max, f"must be >= container.tasks.min ({self.min})"))
        elif self.max < 1:
            problems.append(("max", self.max, "must be >= 1"))
        elif not self.min <= self.desired <= self.max:
            problems.append(("desired", self.desired, f"must be between min ({self.min}) and max ({self.max})"))
        _raise(problems)
        return self


class InstanceCount(_Frozen):
    """Container instances in the cluster's Auto Scaling group (EC2 launch type only)."""

    min: int = Field(1, ge=0, le=100)
    max: int = Field(5, ge=0, le=100)

    @model_validator(mode="after")
    def _ordered(self) -> InstanceCount:
        if self.max < self.min:
            _raise([("max", self.max, f"must be >= container.instances.min ({self.min})")])
        return self


class ScheduledAction(_Frozen):
    """An Application Auto Scaling scheduled action: from the times ``cron`` names (UTC), the service's
    task count is kept within [``min``, ``max``] (AWS moves the desired count into the new range).
    Source: docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html"""

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$")
    cron: str = Field(
        pattern=r"^cron\(.+\)$",
        max_length=256,
        description="AWS's six-field cron(Minutes Hours Day-of-month Month Day-of-week Year), UTC",
    )
    min: int = Field(ge=0, le=1000)
    max: int = Field(ge=0, le=1000)

    @field_validator("cron")
    @classmethod
    def _cron(cls, v: str) -> str:
        parse_cron(v)  # a CronError names the field, the value and what is allowed
        return v

    @model_validator(mode="after")
    def _ordered(self) -> ScheduledAction:
        if self.max < self.min:
            _raise([("max", self.max, f"must be >= min ({self.min})")])
        return self


#: Scaling fields that a step policy does not use (other than their defaults with ``policy: step`` they are
#: refused, not ignored).
TARGET_TRACKING_ONLY = ("target_value", "scale_out_cooldown_s", "scale_in_cooldown_s", "disable_scale_in")


class Scaling(_Frozen):
    """How the service scales: the seed's step rule on a CPU alarm (``policy: step``), or Application
    Auto Scaling target tracking (``policy: target_tracking``); scheduled actions with either."""

    policy: Literal["step", "target_tracking"] = Field("step", description="step (the seed's rule) or target_tracking")
    metric: Literal["cpu", "memory", "alb_request_count_per_target"] = Field(
        "cpu",
        description="target tracking's metric: ECSServiceAverageCPUUtilization, ECSServiceAverageMemoryUtilization "
        "or ALBRequestCountPerTarget (requests per target per minute); step scaling uses cpu",
    )
    target_value: float | None = Field(
        None, gt=0, le=1_000_000, description="target tracking: the metric's target (percent, or requests per minute)"
    )
    scale_out_cooldown_s: int = Field(300, ge=0, le=86400, description="target tracking: ScaleOutCooldown")
    scale_in_cooldown_s: int = Field(300, ge=0, le=86400, description="target tracking: ScaleInCooldown")
    disable_scale_in: bool = Field(False, description="target tracking: DisableScaleIn")
    threshold_pct: float = Field(70.0, gt=0, le=100, description="step: scale out above this average CPU")
    period_s: int = Field(60, description="step: CloudWatch period, 10, 30 or a multiple of 60 seconds")
    evaluation_periods: int = Field(5, ge=1, le=100)
    scale_in_threshold_pct: float = Field(30.0, ge=0, lt=100, description="step: scale in below this average CPU")
    scale_in_evaluation_periods: int = Field(15, ge=1, le=100)
    cooldown_s: int = Field(300, ge=0, le=86400, description="step: the policies' Cooldown")
    step: int = Field(1, ge=1, le=100, description="step: tasks added or removed per scaling action")
    scheduled: tuple[ScheduledAction, ...] = Field((), max_length=50, description="scheduled actions (UTC cron)")

    @field_validator("period_s")
    @classmethod
    def _period(cls, v: int) -> int:
        if v not in (10, 30) and (v < 60 or v % 60):
            raise ValueError("must be 10, 30 or a positive multiple of 60")
        return v

    @field_validator("scheduled", mode="before")
    @classmethod
    def _as_tuple(cls, v: object) -> object:
        return tuple(v) if isinstance(v, list) else v

    @model_validator(mode="after")
    def _consistent(self) -> Scaling:
        problems: list[Problem] = []
        if self.policy == "target_tracking":
            problems.extend(self._target_tracking_problems())
        else:
            if self.metric != "cpu":
                problems.append(
                    ("metric", self.metric, "step scaling uses 'cpu'; other metrics need policy 'target_tracking'")
                )
            for name in TARGET_TRACKING_ONLY:  # a value other than the default would be ignored
                if getattr(self, name) != Scaling.model_fields[name].default:
                    problems.append((name, getattr(self, name), "applies to policy 'target_tracking' only"))
        if self.scale_in_threshold_pct >= self.threshold_pct:
            problems.append(
                (
                    "scale_in_threshold_pct",
                    self.scale_in_threshold_pct,
                    f"must be < container.scaling.threshold_pct ({self.threshold_pct:g})",
                )
            )
        # CloudWatch: period x evaluation periods may span at most one day.
        for name, n in (
            ("evaluation_periods", self.evaluation_periods),
            ("scale_in_evaluation_periods", self.scale_in_evaluation_periods),
        ):
            if n * self.period_s > 86400:
                problems.append((name, n, f"times period_s ({self.period_s}) must be <= 86400 s"))
        names = [a.name for a in self.scheduled]
        for name in sorted({n for n in names if names.count(n) > 1}):
            problems.append(("scheduled", name, "each scheduled action needs its own name"))
        _raise(problems)
        return self

    def _target_tracking_problems(self) -> list[Problem]:
        if self.metric == "memory":
            return [
                (
                    "metric",
                    "memory",
                    "is not modelled (tinysim does not simulate task memory); use 'cpu' or "
                    "'alb_request_count_per_target'",
                )
            ]
        if self.target_value is None:
            return [("target_value", None, "is needed with policy 'target_tracking'")]
        if self.metric == "cpu" and self.target_value > 100:
            return [("target_value", self.target_value, "must be <= 100 (percent) for metric 'cpu'")]
        return []


class CapacityProviders(_Frozen):
    """How the service spreads tasks over FARGATE and FARGATE_SPOT (ECS capacity provider strategy):
    the first ``base`` tasks on FARGATE, the rest in the ratio of the weights."""

    base: int = Field(0, ge=0, le=100000, description="tasks always on FARGATE (on demand)")
    on_demand_weight: int = Field(0, ge=0, le=1000)
    spot_weight: int = Field(1, ge=0, le=1000)

    @model_validator(mode="after")
    def _some_weight(self) -> CapacityProviders:
        if self.on_demand_weight + self.spot_weight == 0:
            _raise([("spot_weight", 0, "a capacity provider strategy needs a weight above 0")])
        return self


class Container(_Frozen):
    """The ECS service: launch type, cluster instances, task size and count, scaling policy."""

    launch_type: Literal["ec2", "fargate"] = "ec2"
    instance_type: str = "t3.micro"
    instances: InstanceCount = InstanceCount()
    task: TaskSpec = TaskSpec()
    tasks: TaskCount = TaskCount()
    scaling: Scaling = Scaling()
    spot_strategy: CapacityProviders | None = Field(None, description="Fargate Spot capacity; default: none")

    @model_validator(mode="after")
    def _fits(self) -> Container:
        problems: list[Problem] = []
        cpu, mem = self.task.cpu_units, self.task.memory_mb
        if self.spot_strategy is not None and self.launch_type != "fargate":
            problems.append(("spot_strategy", "set", "needs launch_type 'fargate'"))
        if self.launch_type == "fargate":
            if cpu not in FARGATE_SIZES:
                problems.append(("task.cpu_units", cpu, f"must be one of {sorted(FARGATE_SIZES)} on Fargate"))
            else:
                lo, hi, step = FARGATE_SIZES[cpu]
                if not (lo <= mem <= hi and mem % step == 0):
                    problems.append(
                        ("task.memory_mb", mem, f"must be {lo}..{hi} in steps of {step} for {cpu} CPU units on Fargate")
                    )
        else:
            itype = INSTANCE_TYPES.get(self.instance_type)
            if itype is None:
                problems.append(("instance_type", self.instance_type, f"must be one of {sorted(INSTANCE_TYPES)}"))
            else:
                if cpu > itype.cpu_units:
                    problems.append(("task.cpu_units", cpu, f"must be <= {itype.cpu_units} to fit on a {itype.name}"))
                if mem > itype.task_memory_mib:
                    problems.append(
                        ("task.memory_mb", mem, f"must be <= {itype.task_memory_mib} to fit on a {itype.name}")
                    )
        _raise(problems)
        return self


class Serverless(_Frozen):
    """The Lambda function that runs the container image (serverless architecture)."""

    memory_mb: int = Field(1024, ge=128, le=10240)
    timeout_s: int = Field(30, ge=1, le=900)
    package: Literal["image", "zip"] = "image"
    arch: Literal["x86_64", "arm64"] = "x86_64"
    ephemeral_storage_mb: int = Field(512, ge=512, le=10240)
    reserved_concurrency: int | None = Field(
        None, ge=0, le=1_000_000, description="at most the scenario's account.lambda_concurrency - 100"
    )
    provisioned_concurrency: int = Field(
        0, ge=0, le=1_000_000, description="at most the scenario's account.lambda_concurrency - 100"
    )

    @model_validator(mode="after")
    def _concurrency(self) -> Serverless:
        rc = self.reserved_concurrency
        if rc is not None and self.provisioned_concurrency > rc:
            _raise(
                [
                    (
                        "provisioned_concurrency",
                        self.provisioned_concurrency,
                        f"must be <= serverless.reserved_concurrency ({rc})",
                    )
                ]
            )
        return self


DEFAULT_VPC_CIDR = "10.0.0.0/16"
_SUBNET_ID = r"^subnet-[0-9a-f]{8,17}$"


class ExistingSubnets(_Frozen):
    """Subnets of an existing VPC the stack runs in, by id (discovered from the route tables when absent)."""

    public: tuple[Annotated[str, Field(pattern=_SUBNET_ID)], ...] = Field((), max_length=6, strict=False)
    private: tuple[Annotated[str, Field(pattern=_SUBNET_ID)], ...] = Field((), max_length=6, strict=False)

    @model_validator(mode="after")
    def _distinct(self) -> ExistingSubnets:
        problems: list[Problem] = []
        for kind in ("public", "private"):
            ids: tuple[str, ...] = getattr(self, kind)
            for i, sid in enumerate(ids):
                if sid in ids[:i]:
                    problems.append((f"{kind}[{i}]", sid, f"listed twice (also {kind}[{ids.index(sid)}])"))
        both = sorted(set(self.public) & set(self.private))
        if both:
            problems.append(("private", both[0], "a subnet cannot be both public and private"))
        _raise(problems)
        return self


class Network(_Frozen):
    """The VPC: a new one (CIDR, zones, NAT) or an existing one by id."""

    vpc_cidr: str = DEFAULT_VPC_CIDR
    azs: int = Field(2, ge=1, le=6)
    nat: Literal["gateway", "instance", "none"] = "gateway"
    nat_instance_type: str = Field(
        NAT_INSTANCE_TYPE, description="the NAT instance's type when nat is 'instance' (Graviton: arm64 AMI)"
    )
    existing_vpc_id: str | None = Field(None, pattern=r"^vpc-[0-9a-f]{8,17}$")
    existing_subnets: ExistingSubnets | None = Field(
        None, description="with existing_vpc_id: the subnets to use; default: found from the route tables"
    )
    vpc_endpoints: bool = Field(
        False,
        description="interface endpoints for ECR (api, dkr) and CloudWatch Logs and the S3 gateway endpoint, so "
        "image pulls and logs bypass the NAT",
    )

    @field_validator("vpc_cidr")
    @classmethod
    def _cidr(cls, v: str) -> str:
        try:
            net = ipaddress.IPv4Network(v, strict=True)
        except ValueError:
            raise ValueError("must be an IPv4 network like 10.0.0.0/16 (host bits zero)") from None
        if not 16 <= net.prefixlen <= 24:
            raise ValueError("must have a prefix length from /16 to /24")
        return v

    @model_validator(mode="after")
    def _existing(self) -> Network:
        problems: list[Problem] = []
        if self.nat_instance_type not in INSTANCE_TYPES:
            problems.append(("nat_instance_type", self.nat_instance_type, f"must be one of {sorted(INSTANCE_TYPES)}"))
        elif "nat_instance_type" in self.model_fields_set and (self.nat != "instance" or self.existing_vpc_id):
            rule = "must be left out with existing_vpc_id (the VPC is not built)"
            if self.existing_vpc_id is None:
                rule = f"applies to nat 'instance' only, not {self.nat!r}; leave it out"
            problems.append(("nat_instance_type", self.nat_instance_type, rule))
        if self.existing_subnets is not None and self.existing_vpc_id is None:
            problems.append(("existing_subnets", "set", "needs network.existing_vpc_id"))
        if self.existing_vpc_id is not None and self.vpc_cidr != DEFAULT_VPC_CIDR:
            problems.append(("vpc_cidr", self.vpc_cidr, "must be left out with existing_vpc_id (the VPC is not built)"))
        _raise(problems)
        return self


#: The S3 source's object is named by these pipeline fields (their defaults).
_DEFAULT_SOURCE = {"repository": "app", "branch": "main"}


class Pipeline(_Frozen):
    """CodePipeline: source -> build (image to ECR) -> release (roll the service)."""

    enabled: bool = True
    repository: str = Field(_DEFAULT_SOURCE["repository"], min_length=1, max_length=100)
    branch: str = Field(_DEFAULT_SOURCE["branch"], min_length=1, max_length=255)
    build_spec: str = "build.yml"
    release_spec: str = "release.yml"
    compute_type: ComputeType = Field(
        "BUILD_GENERAL1_SMALL",
        description="as the API names it (BUILD_GENERAL1_SMALL) or the pricing page (general1.small)",
    )
    source: PipelineSource = PipelineSource()

    @model_validator(mode="after")
    def _source(self) -> Pipeline:
        changed = {k: getattr(self, k) for k in ("repository", "branch") if getattr(self, k) != _DEFAULT_SOURCE[k]}
        problems = source_problems(self.source, changed)
        if self.source.connected and not self.enabled:
            problems.append(("source.provider", self.source.provider, "needs enabled true (no pipeline, no source)"))
        _raise(problems)
        return self


class Plan(_Frozen):
    """The whole stack."""

    version: Literal[1] = 1
    name: str = Field("tinystack", pattern=r"^[a-z][a-z0-9-]{0,23}$")
    region: str = Field(DEFAULT_REGION, pattern=REGION_PATTERN)
    architecture: Literal["container", "serverless"] = "container"
    front_door: Literal["apigw-http", "apigw-rest", "alb"] = "apigw-http"
    front_door_throttle: FrontDoorThrottle | None = Field(
        None, description="the API Gateway stage's throttle; default: the account's (10,000 requests/s, burst 5,000)"
    )
    https: Https | None = Field(None, description="an HTTPS listener on the ALB; HTTP then redirects to HTTPS")
    network: Network = Network()
    container: Container = Container()
    serverless: Serverless = Serverless()
    pipeline: Pipeline = Pipeline()
    savings_plan: SavingsPlan | None = Field(None, description="a Compute Savings Plan; default: none (on demand)")
    alerts: Alerts | None = Field(None, description="health and delivery alerts to an SNS topic; default: none")
    tags: dict[str, str] = Field(default_factory=dict)

    @model_serializer(mode="wrap")
    def _written(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """Fields at their default that do not apply to the stack (``network.nat_instance_type`` without a
        NAT instance the stack builds, alert thresholds with nothing to watch) are left out of a dump,
        so a dumped plan validates again: such a field is refused only when written."""
        data: dict[str, Any] = handler(self)
        net = data.get("network")
        own_nat = self.network.nat == "instance" and self.network.existing_vpc_id is None
        if isinstance(net, dict) and not own_nat and net.get("nat_instance_type") == NAT_INSTANCE_TYPE:
            del net["nat_instance_type"]
        alerts = data.get("alerts")
        if isinstance(alerts, dict) and self.alerts is not None:
            container = self.architecture == "container"
            for name in inapplicable_alerts(container, self.front_door, self.pipeline.enabled):
                if name in alerts and alerts[name] == Alerts.model_fields[name].default:
                    del alerts[name]
        return data

    @model_validator(mode="after")
    def _stack(self) -> Plan:
        problems: list[Problem] = []
        if self.front_door == "alb" and self.network.azs < 2:
            problems.append(("network.azs", self.network.azs, "must be >= 2 when front_door is 'alb'"))
        sc = self.container.scaling
        tracking = self.architecture == "container" and sc.policy == "target_tracking"
        if tracking and sc.metric == "alb_request_count_per_target" and self.front_door != "alb":
            problems.append(
                ("container.scaling.metric", sc.metric, "needs front_door 'alb' (ALBRequestCountPerTarget)")
            )
        if self.alerts is not None:
            container = self.architecture == "container"
            problems += alerts_problems(self.alerts, container, self.front_door, self.pipeline.enabled)
        problems += self._arn_problems()
        if self.front_door_throttle is not None and self.front_door == "alb":
            problems.append(
                (
                    "front_door_throttle",
                    self.front_door_throttle.model_dump(),
                    "needs front_door 'apigw-http' or 'apigw-rest' (an ALB has no stage throttle), not 'alb'",
                )
            )
        if self.https is not None and self.front_door != "alb":
            problems.append(
                (
                    "https",
                    self.https.model_dump(),
                    f"needs front_door 'alb', not {self.front_door!r} (API Gateway serves HTTPS on its own endpoint)",
                )
            )
        if len(self.tags) > 40:
            problems.append(("tags", len(self.tags), "at most 40 tags (AWS allows 50; 10 are ours)"))
        _raise(problems)
        return self

    def _arn_problems(self) -> list[Problem]:
        """ARNs in another partition or Region than the plan's: a CodeConnections connection and an ACM
        certificate are used only in their own Region (docs.aws.amazon.com/elasticloadbalancing/latest/
        application/https-listener-certificates.html; docs.aws.amazon.com/dtconsole/latest/userguide/
        welcome-connections.html), and an ARN names its partition (aws, aws-cn, aws-us-gov)."""
        partition = partition_of(self.region)
        arns = (
            ("pipeline.source.connection_arn", self.pipeline.source.connection_arn, "the pipeline needs a connection"),
            (
                "https.certificate_arn",
                self.https.certificate_arn if self.https else None,
                "the ALB needs a certificate",
            ),
        )
        out: list[Problem] = []
        for path, arn, needs in arns:
            if arn is None:
                continue
            parts = arn.split(":")
            if parts[1] != partition:
                out.append((path, arn, f"is in partition {parts[1]!r}; region {self.region} is in {partition!r}"))
            elif parts[3] != self.region:
                out.append((path, arn, f"is in {parts[3]}; {needs} in {self.region}"))
        return out


def load_plan(path: str | Path) -> Plan:
    """Read and validate a ``plan.json``; raises ``InputError`` listing every problem."""
    return validate(Plan, load_json(path, "plan"), where=f"plan={str(path)!r}")
