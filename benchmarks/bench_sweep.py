"""Sweep benchmark: 1,000 configurations x one month in the fluid fidelity (target <= 2 s here), and
the speed-up of local processes over in-process for a request-fidelity sweep, on this machine.

Run: python benchmarks/bench_sweep.py
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from models import load_scenario  # noqa: E402
from tinysim.sweep import sweep  # noqa: E402

GRID_1000 = {
    "plan.container.instance_type": ["m3.medium", "m3.large", "m5.large", "c5.large"],
    "plan.container.tasks.max": [2, 3, 4, 5, 6],
    "plan.front_door": ["alb", "apigw-http"],
    "traffic.scale": [0.5, 1, 2, 4, 8],
    "workload.service_time_ms.mean": [10, 15, 20, 30, 40],
}


def fluid_1000() -> tuple[int, float]:
    base = load_scenario(ROOT / "examples" / "seed_hyperscale_alb.json").model_copy(update={"horizon_s": 30 * 86400})
    sweep(base, {"traffic.scale": [1]}, executor="inprocess", fidelity="fluid", progress=False)  # load kernels
    best = float("inf")
    for _ in range(3):
        t0 = time.perf_counter()
        table = sweep(base, GRID_1000, executor="inprocess", fidelity="fluid", progress=False)
        best = min(best, time.perf_counter() - t0)
    return len(table), best


def request_speedup() -> tuple[int, float, float]:
    base = load_scenario(ROOT / "examples" / "trace_replay.json")
    grid = {"plan.container.tasks.max": [2, 3, 4, 5], "traffic.scale": [1, 2]}
    t0 = time.perf_counter()
    a = sweep(base, grid, executor="inprocess", fidelity="request", progress=False)
    t_in = time.perf_counter() - t0
    t0 = time.perf_counter()
    b = sweep(base, grid, executor="processes", workers=os.cpu_count(), fidelity="request", progress=False)
    t_proc = time.perf_counter() - t0
    assert a.drop(columns=["monthly_usd"]).equals(b.drop(columns=["monthly_usd"])), "executors disagree"
    return len(a), t_in, t_proc


def main() -> None:
    n, seconds = fluid_1000()
    print(f"1) fluid: {n} configurations x one month in {seconds:.2f} s (target <= 2 s)")
    m, t_in, t_proc = request_speedup()
    print(
        f"2) request fidelity, {m} configurations x 24 h: in-process {t_in:.1f} s, "
        f"{os.cpu_count()} local processes {t_proc:.1f} s -> {t_in / t_proc:.2f}x"
    )
    sys.exit(0 if seconds <= 2.0 else 1)


if __name__ == "__main__":
    main()
