"""Two independent models of the same stack agree request for request: tinysim's engine and the
naive one-process-per-request SimPy reference that the benchmark times it against."""

from __future__ import annotations

import numpy as np

from benchmarks.naive import run_naive
from models import Scenario
from tinysim.simulate import simulate


def test_engine_equals_naive_reference() -> None:
    scenario = Scenario.model_validate(
        {
            "plan": {
                "front_door": "alb",
                "container": {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}},
            },
            "traffic": {"kind": "spike", "base_rps": 10, "spike_rps": 60, "start_s": 300, "duration_s": 1500},
            "workload": {"service_time_ms": {"dist": "lognormal", "mean": 40, "p99": 300}, "concurrency_per_task": 2},
            "timings": {"task_start_s": 120},
            "horizon_s": 2700,
            "seed": 21,
        }
    )
    fast, slow = simulate(scenario), run_naive(scenario)
    assert fast.summary.requests.served == slow["served"]
    assert fast.summary.requests.timed_out == slow["timed_out"]
    assert abs(fast.summary.latency_ms.mean - slow["mean_latency_ms"]) <= 1e-6 * slow["mean_latency_ms"]
    np.testing.assert_allclose(fast.timeline["latency_p99_ms"], slow["p99_by_minute_ms"], rtol=1e-9)
    events = [
        (float(t), k)
        for t, k in zip(fast.events["t_s"], fast.events["kind"], strict=True)
        if k in ("scale_out", "scale_in", "task_serving")
    ]
    assert events == [(float(t), k) for t, k in slow["events"]]
    assert any(k == "scale_out" for _, k in events)  # the scenario does exercise the control loop
