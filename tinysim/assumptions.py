"""Every number a forecast assumes rather than measures, with where it comes from, so a reader can
check and change it: log bytes, image size, build minutes, Lambda cold start, the month extrapolation,
the price book's date."""

from __future__ import annotations

from dataclasses import dataclass

from models.prices import load_price_book
from models.scenario import Scenario
from tinysim.engine import COLD_START_MS
from tinysim.steady import MONTH_HOURS

__all__ = ["Assumption", "assumptions", "month_factor"]


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
    book = load_price_book(scenario.price_book)
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
