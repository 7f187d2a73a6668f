"""A scenario: a plan, the traffic it meets, the work each request does, and how to run the model.

Keys are the contract (add freely, never rename). ``plan`` is inline or ``plan_file`` a path; relative
paths (the plan file, a trace CSV) are taken relative to the scenario file.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, field_validator, model_validator

from models.account import Account
from models.cron import CronError, parse_cron
from models.errors import InputError
from models.plan import Plan, load_plan
from models.validation import Problem, cross_field_error, load_json, show_value, validate

__all__ = [
    "ConstantTraffic",
    "DiurnalTraffic",
    "GrowthTraffic",
    "Operations",
    "Scenario",
    "ServiceTime",
    "SpikeTraffic",
    "Timings",
    "TraceTraffic",
    "Traffic",
    "Workload",
    "load_scenario",
]

DAY_S = 86_400
MONTH_S = 730 * 3600
#: The highest request rate a scenario may ask for: 10 M requests/s is 1,000 times API Gateway's default
#: account throttle (10,000/s, docs.aws.amazon.com/apigateway/latest/developerguide/limits.html), far
#: beyond a small stack; the run's memory estimate may refuse a lower rate on a small machine.
MAX_RPS = 10_000_000.0
#: The longest a request can keep a worker busy: Lambda's maximum timeout, 900 s
#: (docs.aws.amazon.com/lambda/latest/dg/gettingstarted-limits.html); a container request beyond it
#: would have hit every front door's timeout long before.
MAX_SERVICE_MS = 900_000.0
#: Most samples an empirical service-time distribution may list.
MAX_SAMPLES = 1_000_000
#: Concurrency Lambda keeps unreserved in every account and Region
#: (docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
UNRESERVED_MINIMUM = 100
#: The instants a scenario may start at: the years of AWS cron expressions, 1970-2199 (see models.cron).
START_RANGE = (datetime(1970, 1, 1, tzinfo=UTC), datetime(2199, 12, 31, tzinfo=UTC))
#: Most times a run's scheduled actions may fire (a cron naming every minute fires 43,200 times a month).
MAX_SCHEDULED_FIRINGS = 50_000
#: Simulated time 0 unless a scenario says otherwise: a Monday, 00:00 UTC.
START = datetime(2026, 1, 5, tzinfo=UTC)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)


class _TrafficBase(_Frozen):
    arrivals: Literal["poisson", "overdispersed"] = "poisson"
    dispersion: float = Field(1.0, ge=1.0, le=100.0, description="variance/mean of per-second counts")
    weekly: Annotated[tuple[float, ...], Strict(False)] | None = Field(
        None, description="seven day multipliers, Monday first"
    )
    daily_sigma: float = Field(
        0.0, ge=0, le=2, description="uncertainty: each day's rate x a lognormal factor (median 1) drawn from the seed"
    )

    @model_validator(mode="after")
    def _weekly(self) -> _TrafficBase:
        if self.weekly is not None and (len(self.weekly) != 7 or not 0 <= min(self.weekly) <= max(self.weekly) <= 1000):
            raise cross_field_error([("weekly", list(self.weekly), "must be seven multipliers from 0 to 1000")])
        return self


class ConstantTraffic(_TrafficBase):
    kind: Literal["constant"]
    rps: float = Field(ge=0, le=MAX_RPS)


class DiurnalTraffic(_TrafficBase):
    """A daily sine between a trough and ``peak_rps`` whose day average is ``mean_rps``."""

    kind: Literal["diurnal"]
    mean_rps: float = Field(ge=0, le=MAX_RPS)
    peak_rps: float = Field(ge=0, le=MAX_RPS)
    peak_hour: float = Field(14.0, ge=0, lt=24)

    @model_validator(mode="after")
    def _shape(self) -> DiurnalTraffic:
        if not self.mean_rps <= self.peak_rps <= 2 * self.mean_rps:
            raise cross_field_error(
                [("peak_rps", self.peak_rps, f"must be between mean_rps ({self.mean_rps:g}) and twice it")]
            )
        return self


class SpikeTraffic(_TrafficBase):
    kind: Literal["spike"]
    base_rps: float = Field(ge=0, le=MAX_RPS)
    spike_rps: float = Field(ge=0, le=MAX_RPS)
    start_s: float = Field(ge=0, le=400 * DAY_S)
    duration_s: float = Field(gt=0, le=400 * DAY_S)


class GrowthTraffic(_TrafficBase):
    kind: Literal["growth"]
    start_rps: float = Field(ge=0, le=MAX_RPS)
    monthly_growth_pct: float = Field(ge=-100, le=10_000)
    shape: Literal["exponential", "linear"] = "exponential"


class TraceTraffic(_TrafficBase):
    """Replay of measured request counts per interval: a CSV or Parquet table (one row per interval),
    a CloudWatch export, or access logs (ALB or Common/Combined Log Format; a file or a folder)."""

    kind: Literal["trace"]
    csv: str = Field(min_length=1, description="path of the trace: a table, a CloudWatch export, a log file or folder")
    column: str = "requests"
    interval_s: int = Field(60, ge=1, le=3600, description="seconds per row; timestamps, when given, decide it")
    scale: float = Field(1.0, gt=0, le=1_000_000)
    bytes_column: str | None = None
    timestamp_column: str | None = Field(None, description="ISO 8601 or epoch seconds; a gap in time is missing")
    missing: Literal["error", "zero", "skip", "hold"] = Field(
        "error", description="an empty or absent interval: refuse, count 0, cut it out, or repeat the last count"
    )
    counts: Literal["exact", "poisson"] = Field(
        "exact", description="exact: each interval holds exactly its count; poisson: the count is a rate"
    )
    format: Literal["csv", "parquet", "cloudwatch-json", "cloudwatch-csv", "alb-log", "clf"] | None = Field(
        None, description="sniffed from the content when not given"
    )


Traffic = Annotated[
    ConstantTraffic | DiurnalTraffic | SpikeTraffic | GrowthTraffic | TraceTraffic, Field(discriminator="kind")
]


class ServiceTime(_Frozen):
    """How long one request keeps a worker busy, in milliseconds."""

    dist: Literal["exponential", "lognormal", "constant", "empirical"] = "exponential"
    mean: float = Field(50.0, gt=0, le=MAX_SERVICE_MS)
    p99: float | None = Field(None, gt=0, le=MAX_SERVICE_MS)
    sigma: float | None = Field(None, gt=0, le=5)
    samples: Annotated[tuple[float, ...], Strict(False)] | None = Field(None, max_length=MAX_SAMPLES)

    @model_validator(mode="after")
    def _params(self) -> ServiceTime:
        problems: list[Problem] = []
        if self.dist == "lognormal" and self.p99 is not None and self.sigma is not None:
            problems.append(("sigma", self.sigma, "give p99 or sigma for a lognormal, not both"))
        if self.dist == "lognormal" and self.p99 is not None and self.p99 <= self.mean:
            problems.append(("p99", self.p99, f"must be > mean ({self.mean:g})"))
        if self.dist == "empirical" and not self.samples:
            problems.append(("samples", None, "an empirical distribution needs a list of samples in ms"))
        if self.samples is not None and min(self.samples, default=1) <= 0:
            problems.append(("samples", min(self.samples), "every sample must be > 0 ms"))
        if self.samples is not None and max(self.samples, default=1) > MAX_SERVICE_MS:
            problems.append(("samples", max(self.samples), f"every sample must be <= {MAX_SERVICE_MS:g} ms"))
        if problems:
            raise cross_field_error(problems)
        return self


class Workload(_Frozen):
    """What each request costs the stack: time, payload, connection reuse, and Lambda's cold start."""

    service_time_ms: ServiceTime = ServiceTime()
    cpu_fraction: float = Field(1.0, gt=0, le=1, description="share of service time spent on the CPU")
    concurrency_per_task: int = Field(1, ge=1, le=1024)
    dispatch: Literal["round_robin", "least_outstanding", "random", "central_queue"] = "round_robin"
    request_kb: float = Field(2.0, ge=0, le=10_240)
    response_kb: float = Field(10.0, ge=0, le=10_240)
    requests_per_connection: float = Field(1.0, ge=1, le=1_000_000)
    connection_s: float = Field(
        1.0, ge=0, le=4000, description="how long a client connection stays open (ALB idle timeout is at most 4,000 s)"
    )
    rules_per_request: int = Field(0, ge=0, le=100, description="ALB listener rules processed per request")
    cold_start_ms: float | None = Field(
        None, ge=0, le=MAX_SERVICE_MS, description="Lambda INIT; default by package type; at most the function timeout"
    )
    frontdoor_overhead_ms: float | None = Field(
        None, ge=0, le=60_000, description="added latency; default by front door"
    )


class Timings(_Frozen):
    """How long the control plane's actions take to show."""

    task_start_s: float = Field(
        180.0,
        ge=0,
        le=DAY_S,
        description="placement to serving: image pull and start (~30 s) + 5 health checks 30 s apart",
    )
    instance_boot_s: float = Field(180.0, ge=0, le=DAY_S, description="EC2 launch to registered with the cluster")
    lambda_idle_ttl_s: float = Field(600.0, gt=0, le=DAY_S, description="how long an idle Lambda environment is kept")
    lambda_scaling: Literal["current", "legacy"] = Field(
        "current", description="1,000 environments per 10 s (since 2023-11) or burst 3,000 then 500/min"
    )
    spot_interruptions_per_task_hour: float = Field(
        0.0, ge=0, le=60, description="Fargate Spot interruptions per serving Spot task-hour (request fidelity)"
    )


class Operations(_Frozen):
    """The stack's own activity besides requests: builds, images, logs."""

    builds_per_month: int = Field(30, ge=0, le=100_000)
    # CodeBuild's build timeout is at most 2,160 minutes (codebuild/latest/userguide/limits.html).
    build_minutes: float = Field(4.0, ge=0, le=2160)
    release_minutes: float = Field(2.0, ge=0, le=2160)
    image_gb: float = Field(0.3, ge=0, le=10_000)
    # ECR keeps at most 20,000 images per repository (AmazonECR/latest/userguide/service-quotas.html).
    images_kept: int = Field(10, ge=0, le=20_000)
    log_kb_per_request: float = Field(0.5, ge=0, le=1024)
    free_tier: bool = False


class Scenario(_Frozen):
    """Everything one forecast needs."""

    plan: Plan | None = None
    plan_file: str | None = None
    traffic: Traffic = ConstantTraffic(kind="constant", rps=1.0)
    workload: Workload = Workload()
    operations: Operations = Operations()
    timings: Timings = Timings()
    horizon_s: int = Field(DAY_S, gt=0, le=400 * DAY_S)
    seed: int = Field(0, ge=0, le=2**63 - 1)
    fidelity: Literal["request", "fluid"] = "request"
    price_book: str | None = Field(
        None, description="price book id or path; default: the current book of the plan's Region"
    )
    start: Annotated[datetime, Strict(False)] = Field(
        START, description="ISO 8601 UTC instant of simulated time 0 (anchors scheduled actions and weekdays)"
    )
    account: Account = Account()

    @field_validator("start", mode="before")
    @classmethod
    def _iso_text(cls, v: object) -> object:
        if not isinstance(v, str | datetime):
            raise ValueError("must be an ISO 8601 date and time with its time zone, e.g. 2026-01-05T00:00:00Z")
        return v

    @field_validator("start")
    @classmethod
    def _utc(cls, v: datetime) -> datetime:
        if v.tzinfo is None or v.utcoffset() is None:
            raise ValueError("must name its time zone, e.g. 2026-01-05T00:00:00Z")
        try:
            utc = v.astimezone(UTC)
        except OverflowError:
            utc = None
        if utc is None or not START_RANGE[0] <= utc <= START_RANGE[1]:
            lo, hi = (t.strftime("%Y-%m-%dT%H:%M:%SZ") for t in START_RANGE)
            raise ValueError(f"must be from {lo} to {hi} (the years a scheduled action's cron can name)")
        return utc

    @model_validator(mode="after")
    def _one_plan(self) -> Scenario:
        problems: list[Problem] = []
        if self.plan is not None and self.plan_file is not None:
            problems.append(("plan_file", self.plan_file, "give plan or plan_file, not both"))
        mean_ms = self.workload.service_time_ms.mean
        if mean_ms > self.horizon_s * 1000:
            problems.append(
                ("workload.service_time_ms.mean", mean_ms, f"must be <= horizon_s ({self.horizon_s} s) in ms")
            )
        start_s = getattr(self.traffic, "start_s", None)  # a traffic event (a spike) must happen within the run
        if start_s is not None and start_s >= self.horizon_s:
            problems.append(("traffic.start_s", start_s, f"must be < horizon_s ({self.horizon_s} s)"))
        if self.plan is not None:
            problems.extend(self.plan_problems(self.plan))
        if problems:
            raise cross_field_error(problems)
        return self

    def plan_problems(self, plan: Plan) -> list[Problem]:
        """Rules spanning the scenario and its plan (checked again once a ``plan_file`` is read)."""
        if plan.architecture != "serverless":
            return self._schedule_problems(plan)
        problems: list[Problem] = []
        cold = self.workload.cold_start_ms
        if cold is not None and cold > plan.serverless.timeout_s * 1000:
            # INIT counts against the function timeout once the 10 s init phase is exceeded
            # (docs.aws.amazon.com/lambda/latest/dg/lambda-runtime-environment.html)
            limit = plan.serverless.timeout_s * 1000
            problems.append(
                ("workload.cold_start_ms", cold, f"must be <= the plan's serverless.timeout_s in ms ({limit})")
            )
        # Lambda keeps at least 100 of the account's concurrency unreserved: a function can reserve, or be
        # given provisioned concurrency, up to the account's concurrency minus 100
        # (docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
        most = self.account.lambda_concurrency - UNRESERVED_MINIMUM
        for name in ("reserved_concurrency", "provisioned_concurrency"):
            value = getattr(plan.serverless, name)
            if value is not None and value > 0 and value > most:
                problems.append(
                    (
                        f"plan.serverless.{name}",
                        value,
                        f"must be <= account.lambda_concurrency - {UNRESERVED_MINIMUM} ({max(most, 0)}): "
                        f"Lambda keeps {UNRESERVED_MINIMUM} unreserved",
                    )
                )
        return problems

    def _schedule_problems(self, plan: Plan) -> list[Problem]:
        """Scheduled actions may fire at most ``MAX_SCHEDULED_FIRINGS`` times within the run (each is an
        event of the run: a cron naming every minute of a year would be half a million per action)."""
        actions = plan.container.scaling.scheduled
        if not actions:
            return []
        end = self.start + timedelta(seconds=self.horizon_s)
        try:
            total = sum(parse_cron(a.cron).firings_between(self.start, end) for a in actions)
        except CronError:
            return []  # the plan's own validation names a bad expression
        if total <= MAX_SCHEDULED_FIRINGS:
            return []
        return [
            (
                "plan.container.scaling.scheduled",
                f"{len(actions)} action(s)",
                f"fire {total:,} times within horizon_s ({self.horizon_s:,} s); at most "
                f"{MAX_SCHEDULED_FIRINGS:,} are allowed (name fewer minutes in the cron, or a shorter horizon)",
            )
        ]

    def resolved_plan(self) -> Plan:
        """The inline plan, the plan file's, or the default plan."""
        if self.plan is not None:
            return self.plan
        if self.plan_file is not None:
            return load_plan(self.plan_file)
        return Plan()


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a scenario; relative paths inside it are made relative to its folder."""
    base = Path(path).parent
    data = load_json(path, "scenario")
    scenario = validate(Scenario, data, where=f"scenario={str(path)!r}")
    updates: dict[str, object] = {}
    if scenario.plan_file is not None and not Path(scenario.plan_file).is_absolute():
        updates["plan_file"] = str(base / scenario.plan_file)
    if isinstance(scenario.traffic, TraceTraffic) and not Path(scenario.traffic.csv).is_absolute():
        updates["traffic"] = scenario.traffic.model_copy(update={"csv": str(base / scenario.traffic.csv)})
    if updates:
        scenario = scenario.model_copy(update=updates)
    if scenario.plan_file is not None:
        try:
            plan = scenario.resolved_plan()
        except InputError as exc:
            raise InputError([f"plan_file: {p}" for p in exc.problems]) from None
        problems = scenario.plan_problems(plan)
        if problems:
            raise InputError([f"{path}={show_value(value)}: {rule}" for path, value, rule in problems])
    return scenario
