"""Control-loop truth: exact times of alarms, scaling actions and task lifecycles on hand-made loads.

One task serves 20 requests/s (constant 50 ms service, one slot). Load 2 rps (10% CPU) steps to
16 rps (80% CPU) at minute 10, then back at minute 60. With 60 s periods, 5 breaching datapoints,
a 300 s cooldown and a 180 s task start:
  datapoints 660, 720, 780, 840, 900 breach -> ALARM at 900 -> scale out 1 -> 2 at 900,
  the new task serves at 1080; 960..1080 are in cooldown; from 1140 two tasks run at 40%;
  from 3660 CPU is 5% < 30%: the 15th low datapoint is at 3660 + 14 x 60 = 4500 -> scale in at 4500.
"""

from __future__ import annotations

from typing import Any

from models import Scenario
from tinysim.simulate import simulate


def scenario(plan: dict[str, Any], spike_rps: float = 16, horizon_s: int = 5400) -> Scenario:
    return Scenario.model_validate(
        {
            "plan": plan,
            "traffic": {"kind": "spike", "base_rps": 2, "spike_rps": spike_rps, "start_s": 600, "duration_s": 3000},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 50}},
            "timings": {"task_start_s": 180, "instance_boot_s": 120},
            "horizon_s": horizon_s,
        }
    )


FARGATE = {"container": {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}}}


def timeline(result: Any, kinds: set[str]) -> list[tuple[float, str]]:
    return [(t, k) for t, k in zip(result.events["t_s"], result.events["kind"], strict=True) if k in kinds]


def test_scale_out_cooldown_and_scale_in_on_fargate() -> None:
    result = simulate(scenario(FARGATE))
    assert timeline(result, {"scale_out", "scale_in", "task_placed", "task_serving", "task_stop"}) == [
        (900.0, "scale_out"),
        (900.0, "task_placed"),
        (1080.0, "task_serving"),
        (4500.0, "scale_in"),
        (4500.0, "task_stop"),
    ]
    dp = result.datapoints[result.datapoints["metric"] == "service_cpu"].set_index("t_s")
    assert list(dp.loc[[660.0, 720.0, 780.0, 840.0], "in_alarm"]) == [False] * 4
    assert all(dp.loc[[900.0, 960.0, 1020.0, 1080.0], "in_alarm"])  # in ALARM, but cooling down
    assert dp.loc[1140.0, "value"] < 70 and not dp.loc[1140.0, "in_alarm"]
    # rows hold the state at the end of their minute: minute 17 ends at 1080, when the task serves
    assert result.timeline.loc[16, "tasks_running"] == 1 and result.timeline.loc[17, "tasks_running"] == 2


def test_the_cap_of_five_holds() -> None:
    result = simulate(scenario(FARGATE, spike_rps=1000, horizon_s=3600))
    outs = timeline(result, {"scale_out"})
    assert outs == [(900.0, "scale_out"), (1200.0, "scale_out"), (1500.0, "scale_out"), (1800.0, "scale_out")]
    assert result.summary.scaling.max_tasks == 5
    assert result.timeline["tasks_running"].max() == 5


def test_ec2_task_waits_for_an_instance() -> None:
    # The seed's cluster: one task (2,048 CPU units) fills a t3.micro. The cluster CPU alarm fires with the
    # service alarm at 900; the instance is ready at 900 + 120; the task is placed then and serves 180 s later.
    # At 1200 the cooldown is over while the datapoint (1140-1200) still saw one busy task: a third task is
    # asked for, and with the cluster at 40% no instance comes for it. It waits unplaced until the scale-in at
    # 4500 stops it first; the next scale-in (cooldown 300 s) stops task 1 and frees instance 1.
    result = simulate(scenario({}))
    kinds = {
        "scale_out",
        "scale_in",
        "instance_launch",
        "instance_ready",
        "instance_terminate",
        "task_placed",
        "task_serving",
        "task_stop",
    }
    assert timeline(result, kinds) == [
        (900.0, "scale_out"),
        (900.0, "instance_launch"),
        (1020.0, "instance_ready"),
        (1020.0, "task_placed"),
        (1200.0, "task_serving"),
        (1200.0, "scale_out"),
        (4500.0, "scale_in"),
        (4500.0, "task_stop"),
        (4800.0, "scale_in"),
        (4800.0, "task_stop"),
        (4800.0, "instance_terminate"),
    ]
    stopped = result.events[result.events["kind"] == "task_stop"]["detail"].tolist()
    assert stopped == [{"task": 2}, {"task": 1}]  # the never-placed task goes first
    assert result.timeline.loc[16, "instances"] == 2 and result.timeline.loc[16, "tasks_pending"] == 1


def test_scale_in_respects_min() -> None:
    plan = {"container": {**FARGATE["container"], "tasks": {"min": 2, "max": 5, "desired": 2}}}
    result = simulate(scenario(plan, spike_rps=2))  # never busy: the low alarm is in ALARM all along
    assert timeline(result, {"scale_in", "scale_out"}) == []
