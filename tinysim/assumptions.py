"""The assumptions behind a bill's operational lines, said beside the bill with the field that sets each.

Logs, image storage, builds and image pulls are not measured by the simulator; they come from the
scenario's ``operations`` fields, so a reader can see (and change) what the bill took for granted.
"""

from __future__ import annotations

from decimal import Decimal

from models.plan import Plan
from models.scenario import Operations, Workload
from tinysim.payload_limits import payload_error
from tinysim.stack_traffic import releases_per_month, task_starts_per_month

__all__ = ["bill_assumptions"]


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
        path = "the VPC endpoints" if plan.network.vpc_endpoints else "the NAT gateway"
        starts = task_starts_per_month(plan, ops, scaling_starts)
        notes.append(
            f"image pulls: {ops.image_gb:g} GB x {starts.quantize(Decimal(1))} task starts a month through {path} "
            "(every release restarts the desired tasks; scale-outs start more)"
        )
    error = payload_error(plan, workload)
    if error:
        notes.append(f"payload: {error}; no egress billed for them")
    return tuple(notes)
