"""The fluid fidelity's latency against the request engine's on steady loads, by dispatch policy.

Three Fargate tasks of one slot each (fixed: min = max = 3), service times of mean 50 ms (20 requests/s a
task), constant Poisson load at a utilisation of 0.3, 0.6 and 0.85, under each dispatch policy and each
service-time distribution (exponential, lognormal with p99 = 6 x mean, constant). Prints p95 and p99 of
both fidelities and their ratio. ``python benchmarks/fluid_dispatch.py``.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models import Scenario  # noqa: E402
from tinysim.simulate import simulate  # noqa: E402

__all__ = ["DISPATCHES", "DISTS", "RHOS", "Case", "compare", "scenario_of"]

TASKS = 3
MEAN_MS = 50.0
DISPATCHES = ("round_robin", "random", "least_outstanding", "central_queue")
RHOS = (0.3, 0.6, 0.85)
DISTS: dict[str, dict[str, Any]] = {
    "exponential": {"dist": "exponential", "mean": MEAN_MS},
    "lognormal": {"dist": "lognormal", "mean": MEAN_MS, "p99": 6 * MEAN_MS},
    "constant": {"dist": "constant", "mean": MEAN_MS},
}


@dataclass(frozen=True)
class Case:
    dispatch: str
    rho: float
    dist: str
    horizon_s: int = 3600


def scenario_of(case: Case) -> Scenario:
    rps = case.rho * TASKS * 1000 / MEAN_MS
    return Scenario.model_validate(
        {
            "plan": {
                "container": {
                    "launch_type": "fargate",
                    "task": {"cpu_units": 1024, "memory_mb": 2048},
                    "tasks": {"min": TASKS, "max": TASKS, "desired": TASKS},
                }
            },
            "traffic": {"kind": "constant", "rps": rps},
            "workload": {"service_time_ms": DISTS[case.dist], "dispatch": case.dispatch},
            "horizon_s": case.horizon_s,
            "seed": 5,
        }
    )


def compare(case: Case) -> dict[str, float]:
    """p95 and p99 (ms) of both fidelities on ``case``."""
    sc = scenario_of(case)
    exact = simulate(sc).summary.latency_ms
    fluid = simulate(sc.model_copy(update={"fidelity": "fluid"})).summary.latency_ms
    assert exact.p95 is not None and exact.p99 is not None and fluid.p95 is not None and fluid.p99 is not None
    return {"p95_request": exact.p95, "p95_fluid": fluid.p95, "p99_request": exact.p99, "p99_fluid": fluid.p99}


def main() -> None:
    print("| dispatch | rho | service | p95 request | p95 fluid | ratio | p99 request | p99 fluid | ratio |")
    print("|---|---|---|---|---|---|---|---|---|")
    for dispatch in DISPATCHES:
        for dist in DISTS:
            for rho in RHOS:
                r = compare(Case(dispatch, rho, dist))
                print(
                    f"| {dispatch} | {rho} | {dist} | {r['p95_request']:.1f} | {r['p95_fluid']:.1f} | "
                    f"{r['p95_fluid'] / r['p95_request']:.2f} | {r['p99_request']:.1f} | {r['p99_fluid']:.1f} | "
                    f"{r['p99_fluid'] / r['p99_request']:.2f} |",
                    flush=True,
                )


if __name__ == "__main__":
    main()
