"""The fluid fidelity records the CloudWatch datapoints the request engine records (one per alarm metric and
period: time, metric, value or NaN when missing, whether the scale-out alarm is in ALARM), and its scaling
events carry the datapoint that decided them."""

from __future__ import annotations

from typing import Any

import numpy as np

from models import Scenario
from tinysim.simulate import simulate


def _run(fidelity: str, plan: dict[str, Any], rps: float, horizon_s: int) -> Any:
    return simulate(
        Scenario.model_validate(
            {
                "plan": plan,
                "traffic": {"kind": "constant", "rps": rps},
                "workload": {"service_time_ms": {"dist": "exponential", "mean": 50}},
                "horizon_s": horizon_s,
                "fidelity": fidelity,
            }
        )
    )


EC2 = {
    "front_door": "alb",
    "container": {
        "instance_type": "m5.large",
        "instances": {"min": 1, "max": 3},
        "task": {"cpu_units": 1024, "memory_mb": 2048},
        "tasks": {"min": 1, "max": 3, "desired": 1},
    },
}


def test_steady_run_records_the_request_engines_datapoints() -> None:
    # 8 requests/s x 50 ms = 0.4 busy workers of one task (one request at a time by default): CPU 40% (the
    # default cpu_fraction of 1), and 0.4 of the m5.large's 2 vCPUs is 20% of the cluster; far from both
    # alarms. One datapoint per minute of the service and of the cluster, the last minute (ending at the
    # horizon) unevaluated by either engine.
    request = _run("request", EC2, 8, 1800)
    fluid = _run("fluid", EC2, 8, 1800)
    rq, fl = request.datapoints, fluid.datapoints
    assert list(fl.columns) == list(rq.columns) == ["t_s", "metric", "value", "in_alarm"]
    assert (
        fl.groupby("metric").size().to_dict()
        == rq.groupby("metric").size().to_dict()
        == {
            "cluster_cpu": 29,
            "service_cpu": 29,
        }
    )
    assert sorted(fl["t_s"]) == sorted(rq["t_s"])
    for metric in ("service_cpu", "cluster_cpu"):
        a = rq[rq["metric"] == metric]["value"].to_numpy()
        b = fl[fl["metric"] == metric]["value"].to_numpy()
        assert abs(b.mean() - a.mean()) < 0.05 * a.mean()  # Poisson noise of ~480 requests a minute
    assert np.allclose(fl[fl["metric"] == "service_cpu"]["value"], 100 * 8 * 0.05)
    assert np.allclose(fl[fl["metric"] == "cluster_cpu"]["value"], 100 * 8 * 0.05 / 2)
    assert not fl["in_alarm"].any() and not rq["in_alarm"].any()


def test_scale_out_carries_the_requests_per_target_that_decided_it() -> None:
    # Target tracking on ALBRequestCountPerTarget, target 1000: 45 requests/s on one task is 2,700 a minute;
    # the managed high alarm (3 of 3 one-minute datapoints above the target) is in ALARM at 180 s and the
    # policy sets ceil(1 x 2700 / 1000) = 3 tasks (Poisson noise of about 52 a minute keeps the request engine's
    # datapoint below 3,000), logged with the datapoint as the request engine logs it.
    plan = {
        "front_door": "alb",
        "container": {
            "launch_type": "fargate",
            "task": {"cpu_units": 1024, "memory_mb": 2048},
            "tasks": {"min": 1, "max": 5, "desired": 1},
            "scaling": {"policy": "target_tracking", "metric": "alb_request_count_per_target", "target_value": 1000},
        },
    }
    for fidelity in ("fluid", "request"):
        result = _run(fidelity, plan, 45, 600)
        ev = result.events
        first = ev[ev["kind"] == "scale_out"].iloc[0]
        assert first["t_s"] == 180.0
        detail = first["detail"]
        assert (detail["desired_from"], detail["desired_to"]) == (1, 3)
        dp = result.datapoints.set_index("t_s")
        assert detail["requests_per_target"] == dp.loc[180.0, "value"]
        assert abs(detail["requests_per_target"] - 2700) < 270
        assert dp.loc[180.0, "in_alarm"] and not dp.loc[120.0, "in_alarm"]
        assert (dp["metric"] == "service_requests_per_target").all()
