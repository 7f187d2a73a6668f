"""The month's usage of the stack's Network Load Balancers (API Gateway REST in front of containers), from
the blueprint's resources and the requests that reach them.

Each request crosses the NLB on a TCP flow from API Gateway's VPC link; a flow carries
``requests_per_connection`` requests and stays open ``connection_s`` seconds, so new flows/s =
rps / requests_per_connection and the concurrent (active) flows = new flows/s x connection_s (Little's law).
Bytes processed are the requests' and responses' payloads (decimal GB)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from models.blueprint import blueprint
from models.plan import Plan
from models.scenario import Workload
from tinysim.inventory import inventory

__all__ = ["KB_PER_GB", "nlb_usage"]

KB_PER_GB = Decimal(1_000_000)  # decimal GB, as in AWS's ALB example (300 KB/s x 3600 s = 1.08 GB)


def _d(x: float) -> Decimal:
    return Decimal(str(x))


def nlb_usage(plan: Plan, rps: Decimal, workload: Workload) -> list[dict[str, Any]]:
    """``usage.nlb`` entries (empty when the stack has no NLB) for an average of ``rps`` requests/s."""
    count = inventory(blueprint(plan).resources).count("network_load_balancer")
    if not count:
        return []
    new_per_s = rps / _d(workload.requests_per_connection)
    return [
        {
            "count": count,
            "new_flows_per_s": new_per_s,
            "active_flows": new_per_s * _d(workload.connection_s),
            "processed_gb_per_hour": rps * 3600 * _d(workload.request_kb + workload.response_kb) / KB_PER_GB,
        }
    ]
