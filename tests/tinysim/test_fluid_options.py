"""Scenario options the fluid fidelity honours, each against a hand computation."""

from __future__ import annotations

from typing import Any

from models import Scenario
from tinysim.simulate import simulate

SERVERLESS = {"architecture": "serverless", "front_door": "apigw-http"}


def _fluid(data: dict[str, Any]) -> Any:
    return simulate(Scenario.model_validate({**data, "fidelity": "fluid"}))


def _tracking(desired: int, policy: str = "target_tracking") -> Any:
    scaling: dict[str, Any] = {"policy": policy}
    if policy == "target_tracking":
        scaling.update(metric="cpu", target_value=50)
    return _fluid(
        {
            "plan": {
                "container": {
                    "launch_type": "fargate",
                    "task": {"cpu_units": 1024, "memory_mb": 2048},
                    "tasks": {"min": 1, "max": 10, "desired": desired},
                    "scaling": scaling,
                }
            },
            "traffic": {"kind": "constant", "rps": 44},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 50}},
            "timings": {"task_start_s": 180},
            "horizon_s": 7200,
        }
    )


def _actions(result: Any) -> list[tuple[float, int]]:
    ev = result.events
    scale = ev[ev["kind"].isin(["scale_out", "scale_in"])]
    return [(float(t), int(d["desired_to"])) for t, d in zip(scale["t_s"], scale["detail"], strict=True)]


def test_target_tracking_on_cpu_converges_to_five_tasks() -> None:
    # 44 requests/s of 50 ms is 2.2 tasks of work; target 50% CPU. From 4 tasks (55%): the managed high alarm
    # sees 3 one-minute datapoints above 50 at 60, 120, 180 -> ceil(4 x 55 / 50) = ceil(4.4) = 5 at 180. Then 44%
    # is below 45% (90% of the target) for 15 minutes, but ceil(5 x 44 / 50) = 5 removes nothing.
    assert _actions(_tracking(4)) == [(180.0, 5)]
    # the seed's step rule (scale out above 70%) stays at 4
    assert _actions(_tracking(4, "step")) == []
    # from one task the backlog keeps CPU at 100% for a while (it overshoots), then it settles at 5 for good
    from_one = _tracking(1)
    actions = _actions(from_one)
    assert actions[:2] == [(180.0, 2), (480.0, 4)]  # ceil(1 x 100 / 50), then after the 300-s cooldown ceil(2 x 2)
    assert actions[-1][1] == 5 and actions[-1][0] < 3600
    assert (from_one.timeline["tasks_running"].iloc[-60:] == 5).all()


def test_legacy_lambda_scaling_bursts_3000_then_500_a_minute() -> None:
    # 6,000 requests/s of 1 s need 6,000 environments from t = 600 s to 780 s (account quota 10,000).
    # Environments serve from when they start, so a step throttles need - (mean environments over it).
    # Legacy (a bucket of 3,000 refilled at 500/min): minute 1 has 3,000 + 500 t/60, mean 3,250 -> 2,750 x 60
    # throttled; minute 2 3,500 + ..., mean 3,750 -> 2,250 x 60; minute 3 mean 4,250 -> 1,750 x 60: 405,000.
    # Current (1,000 more per 10-s window): minute 1 has 1,000 .. 6,000, mean 3,500 -> 2,500 x 60 = 150,000,
    # then all 6,000.
    data: dict[str, Any] = {
        "plan": {**SERVERLESS, "serverless": {"timeout_s": 30}},
        "traffic": {"kind": "spike", "base_rps": 0, "spike_rps": 6000, "start_s": 600, "duration_s": 180},
        "workload": {"service_time_ms": {"dist": "constant", "mean": 1000}},
        "account": {"lambda_concurrency": 10_000, "apigw_throttle_rps": 100_000, "apigw_throttle_burst": 100_000},
        "horizon_s": 1200,
    }
    legacy = _fluid({**data, "timings": {"lambda_scaling": "legacy"}})
    assert legacy.summary.lambda_.throttles == 405_000
    assert _fluid(data).summary.lambda_.throttles == 150_000


def test_api_gateway_throttle_comes_from_the_account() -> None:
    # 300 requests/s for 10 minutes against a 100/s throttle with a burst of 500: 100 x 600 + 500 admitted
    data: dict[str, Any] = {
        "plan": SERVERLESS,
        "traffic": {"kind": "constant", "rps": 300},
        "account": {"apigw_throttle_rps": 100, "apigw_throttle_burst": 500},
        "horizon_s": 600,
    }
    r = _fluid(data).summary.requests
    assert r.offered == 180_000
    assert r.throttled == 180_000 - 60_500


def test_a_trace_byte_column_bills_its_bytes(tmp_path: Any) -> None:
    # two minutes: 600 requests of 5,000 bytes, then 1,200 of 2,000 bytes: 5,400,000 bytes = 5,400 kB out
    path = tmp_path / "t.csv"
    path.write_text("requests,bytes\n600,3000000\n1200,2400000\n")
    data = {
        "plan": SERVERLESS,
        "traffic": {"kind": "trace", "csv": str(path), "bytes_column": "bytes"},
        "horizon_s": 120,
    }
    result = _fluid(data)
    assert result.hourly_usage["response_kb"].sum() == 5400.0
