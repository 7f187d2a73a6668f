"""Engine benchmark: tinysim against the naive one-process-per-request SimPy reference on the same
autoscaling scenario (same requests; results must be equal), then a request-level month of the
seed's hyperscale example (~432 M requests) for time and peak memory, then a fluid month.

Run: python benchmarks/bench_engine.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.naive import run_naive  # noqa: E402
from models import Scenario, load_scenario  # noqa: E402
from tinysim.simulate import simulate  # noqa: E402

AUTOSCALING = {
    "plan": {
        "front_door": "alb",
        "container": {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}},
    },
    "traffic": {"kind": "spike", "base_rps": 30, "spike_rps": 110, "start_s": 600, "duration_s": 3600},
    "workload": {"service_time_ms": {"dist": "exponential", "mean": 40}, "concurrency_per_task": 2},
    "timings": {"task_start_s": 120},
    "horizon_s": 7200,
    "seed": 11,
}


def compare(horizon_s: int) -> dict[str, object]:
    scenario = Scenario.model_validate({**AUTOSCALING, "horizon_s": horizon_s})
    simulate(scenario.model_copy(update={"horizon_s": 120}))  # load compiled kernels once
    t0 = time.perf_counter()
    fast = simulate(scenario)
    t_fast = time.perf_counter() - t0
    t0 = time.perf_counter()
    slow = run_naive(scenario)
    t_slow = time.perf_counter() - t0
    events = [
        (float(t), k)
        for t, k in zip(fast.events["t_s"], fast.events["kind"], strict=True)
        if k in ("scale_out", "scale_in", "task_serving")
    ]
    naive_events = [(float(t), k) for t, k in slow["events"]]
    p99 = fast.timeline["latency_p99_ms"].to_numpy()
    equal = (
        fast.summary.requests.served == slow["served"]
        and fast.summary.requests.timed_out == slow["timed_out"]
        and abs(fast.summary.latency_ms.mean - slow["mean_latency_ms"]) <= 1e-6 * slow["mean_latency_ms"]
        and bool(np.allclose(p99, slow["p99_by_minute_ms"], rtol=1e-9, equal_nan=True))
        and events == naive_events
    )
    requests = fast.summary.requests.offered
    return {
        "requests": requests,
        "tinysim_s": round(t_fast, 3),
        "naive_s": round(t_slow, 3),
        "ratio": round(t_slow / t_fast, 1),
        "equal_results": equal,
        "naive_requests_per_s": round(requests / t_slow),
        "tinysim_requests_per_s": round(requests / t_fast),
    }


def month(days: float) -> dict[str, object]:
    """A request-level month in a fresh process (so peak RSS is the run's own)."""
    code = f"""
import json, resource, time
from models import load_scenario
from tinysim.simulate import simulate
s = load_scenario({str(ROOT / "examples" / "seed_hyperscale_alb.json")!r})
s = s.model_copy(update={{"horizon_s": int({days} * 86400)}})
simulate(s.model_copy(update={{"horizon_s": 120}}))
t0 = time.perf_counter(); r = simulate(s); dt = time.perf_counter() - t0
print(json.dumps({{"requests": r.summary.requests.offered, "seconds": round(dt, 1),
                  "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                  "total_usd": r.summary.total_usd, "p99_ms": round(r.summary.latency_ms.p99, 2)}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT)
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def fluid_month() -> dict[str, object]:
    scenario = load_scenario(ROOT / "examples" / "seed_hyperscale_alb.json").model_copy(
        update={"horizon_s": 30 * 86400, "fidelity": "fluid"}
    )
    simulate(scenario)  # compile
    runs = []
    for _ in range(5):
        t0 = time.perf_counter()
        result = simulate(scenario)
        runs.append(time.perf_counter() - t0)
    return {
        "best_ms": round(min(runs) * 1000, 2),
        "median_ms": round(float(np.median(runs)) * 1000, 2),
        "total_usd": result.summary.total_usd,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="a shorter comparison and a 1-day 'month'")
    args = parser.parse_args()
    print("1) same autoscaling scenario, tinysim vs naive one-process-per-request SimPy:")
    cmp = compare(1800 if args.quick else 7200)
    print(
        f"   {cmp['requests']:,} requests: naive {cmp['naive_s']} s, tinysim {cmp['tinysim_s']} s "
        f"-> {cmp['ratio']}x faster; equal results: {cmp['equal_results']}  (target >= 30x)"
    )
    print("2) request-level month of the seed's hyperscale example:")
    m = month(1 if args.quick else 30)
    print(
        f"   {m['requests']:,} requests in {m['seconds']} s, peak RSS {m['peak_rss_mib']} MiB "
        f"(targets <= 100 s, <= 2048 MiB); bill ${m['total_usd']}, p99 {m['p99_ms']} ms"
    )
    print("3) fluid month of one configuration:")
    f = fluid_month()
    print(f"   best {f['best_ms']} ms, median {f['median_ms']} ms (target <= 10 ms); bill ${f['total_usd']}")
    ok = cmp["equal_results"] and float(str(cmp["ratio"])) >= 30
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
