"""The assumptions behind a forecast, said beside it with the field that sets each: the bill's
operational lines (logs, image storage, builds, image pulls are not measured by the simulator; they come
from the scenario's ``operations`` fields) and every other assumed number a reader should see and may
change: the Lambda cold start, the month extrapolation, the price book's date.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from models.plan import Plan
from models.price_regions import scenario_price_book
from models.scenario import Operations, Scenario, Workload
from tinysim.compute.lambda_ import COLD_START_MS
from tinysim.payload_limits import payload_error
from tinysim.stack_traffic import releases_per_month, task_starts_per_month
from tinysim.steady import MONTH_HOURS

__all__ = ["Assumption", "assumptions", "bill_assumptions", "month_factor"]


def bill_assumptions(
    plan: Plan, ops: Operations, workload: Workload = Workload(), scaling_starts: Decimal = Decimal(0)
) -> tuple[str, ...]:
    """One line per assumption, each naming its field."""
    notes = [
        f"logs: {ops.log_kb_per_request:g} KB per request (operations.log_kb_per_request), ingested and stored",
        f"image storage: {ops.image_gb:g} GB x {ops.images_kept} images kept "
        "(operations.image_gb, operations.images_kept)",
    ]
    if plan.pipeline.enabled:
        notes.append(
            f"builds: {releases_per_month(plan, ops)} a month x ({ops.build_minutes:g} + {ops.release_minutes:g}) "
            f"minutes on {plan.pipeline.compute_type} (operations.builds_per_month, build_minutes, release_minutes)"
        )
    else:
        notes.append("builds: none, the pipeline is disabled (pipeline.enabled)")
    if plan.architecture == "container":
        nat = {"gateway": "the NAT gateway", "instance": "the NAT instance", "none": "the internet gateway"}
        if plan.network.existing_vpc_id is not None and plan.network.nat != "none":
            nat = dict.fromkeys(("gateway", "instance"), "the existing VPC's NAT (not billed to the stack)")
        path = "the VPC endpoints" if plan.network.vpc_endpoints else nat[plan.network.nat]
        starts = task_starts_per_month(plan, ops, scaling_starts)
        notes.append(
            f"image pulls: {ops.image_gb:g} GB x {starts.quantize(Decimal(1))} task starts a month through {path} "
            "(every release restarts the desired tasks; scale-outs start more)"
        )
    if plan.network.existing_vpc_id is not None:
        notes.append(
            f"network: the existing VPC {plan.network.existing_vpc_id} (network.existing_vpc_id) is not billed to "
            "the stack - neither its NAT (hours, GB processed), its addresses nor its other resources"
        )
    error = payload_error(plan, workload)
    if error:
        notes.append(f"payload: {error}; no egress billed for them")
    return tuple(notes)


@dataclass(frozen=True)
class Assumption:
    """One assumed number: what it is, its value and unit, why, and the scenario path that sets it
    (empty when it follows from other settings)."""

    name: str
    value: float | str
    unit: str
    basis: str
    path: str = ""


def month_factor(horizon_s: float) -> float:
    """How many times the run is repeated to fill a 730-hour month (AWS's monthly-hours convention)."""
    return float(MONTH_HOURS) * 3600 / horizon_s


def assumptions(scenario: Scenario) -> list[Assumption]:
    """The assumed numbers behind ``scenario``'s forecast, in the order a bill reader meets them."""
    ops, wl, plan = scenario.operations, scenario.workload, scenario.resolved_plan()
    book = scenario_price_book(scenario, plan)
    factor = month_factor(scenario.horizon_s)
    hours = scenario.horizon_s / 3600
    out = [
        Assumption(
            "month extrapolation",
            round(factor, 4),
            "x",
            f"the {hours:g} h run is repeated to fill a {MONTH_HOURS} h month"
            + (" (its spikes and quiet hours recur as often)" if factor > 1 else ""),
        ),
        Assumption("price book", f"{book.id} ({book.region}, as of {book.as_of.isoformat()})", "", book.description),
        Assumption(
            "log volume",
            ops.log_kb_per_request,
            "KB/request",
            "CloudWatch Logs ingestion per request",
            "operations.log_kb_per_request",
        ),
        Assumption("image size", ops.image_gb, "GB", "ECR storage per image", "operations.image_gb"),
        Assumption("images kept", ops.images_kept, "images", "ECR lifecycle keeps this many", "operations.images_kept"),
        Assumption("builds", ops.builds_per_month, "per month", "CodePipeline runs", "operations.builds_per_month"),
        Assumption(
            "build time",
            ops.build_minutes,
            "min/build",
            "CodeBuild minutes billed per build",
            "operations.build_minutes",
        ),
    ]
    if plan.architecture == "serverless":
        default = COLD_START_MS[plan.serverless.package]
        cold = wl.cold_start_ms if wl.cold_start_ms is not None else default
        out.append(
            Assumption(
                "Lambda cold start",
                cold,
                "ms",
                f"INIT duration (default for a {plan.serverless.package} package: {default:g} ms)",
                "workload.cold_start_ms",
            )
        )
    return out
