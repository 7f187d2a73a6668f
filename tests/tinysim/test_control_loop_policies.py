"""Target tracking, the step rule and scheduled actions in the request engine, timelines by hand.

Load: 44 requests/s of constant 50 ms work, one slot per task: 2.2 task-equivalents (one task serves
20/s). Tasks serve 60 s after they are asked for. 300 s cooldowns (the defaults).

Target tracking on CPU at 50% (alarms: 3 x 1 min above 50; 15 x 1 min below 45):
  one task is saturated (100%): ALARM at 180 -> ceil(1 x 100/50) = 2; in the scale-out cooldown (to 480)
  the capacity before it counts: ceil(1 x 100/50) = 2, not larger; at 480 two tasks are still saturated
  (2.2 > 2): ceil(2 x 100/50) = 4; at 780, after the cooldown, four tasks above 50% (55% plus the
  backlog) give ceil(4 x m/50) >= 5 -> 5 (max). Five tasks run at 44% < 45%: the low alarm fires, but
  ceil(5 x 44/50) = ceil(4.4) = 5: never over-removed. Exactly 5, for good.
The seed's step rule at 70% (5 x 1 min above, +1 task, 300 s cooldown): 2 at 300, 3 at 600, 4 at 900
  (three tasks at 73% plus backlog), then four at 55% < 70%: stops at 4.
ALBRequestCountPerTarget: 2,640 requests a minute; a target of 600 gives 4.4 tasks. One task sees
  ~2,640 > 600: ALARM at 180 -> ceil(1 x 2640/600) = ceil(4.4) = 5 at once; five see 528 < 540 (90%),
  the low alarm fires but ceil(5 x 528/600) = 5: stays.
Source of the rules: docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
"""

from __future__ import annotations

from typing import Any

from models import Scenario
from tinysim.results import SimResult
from tinysim.simulate import simulate


def scenario(scaling: dict[str, Any], front: str = "apigw-http", rps: float = 44.0, **extra: Any) -> Scenario:
    container = {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}, "scaling": scaling}
    container.update(extra.pop("container", {}))
    return Scenario.model_validate(
        {
            "plan": {"front_door": front, "container": container},
            "traffic": {"kind": "constant", "rps": rps},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 50}},
            "timings": {"task_start_s": 60},
            "horizon_s": 3600,
            **extra,
        }
    )


def scaling_actions(result: SimResult) -> list[tuple[float, str, int]]:
    ev = result.events[result.events["kind"].isin(["scale_out", "scale_in"])]
    return [
        (float(t), str(k), int(d["desired_to"])) for t, k, d in zip(ev["t_s"], ev["kind"], ev["detail"], strict=True)
    ]


def test_target_tracking_on_cpu_converges_to_exactly_five() -> None:
    result = simulate(scenario({"policy": "target_tracking", "metric": "cpu", "target_value": 50}))
    assert scaling_actions(result) == [(180.0, "scale_out", 2), (480.0, "scale_out", 4), (780.0, "scale_out", 5)]
    running = result.timeline["tasks_running"].to_numpy()
    assert (running[14:] == 5).all()  # minute 14 ends at 900: the fifth task serves from 840
    low = result.datapoints[result.datapoints["t_s"] >= 1800]["value"]
    assert (low < 50).all() and (low < 45).mean() > 0.5  # the low alarm is often in ALARM, and nothing is removed


def test_the_step_rule_at_seventy_percent_stops_at_four() -> None:
    result = simulate(scenario({}))
    assert scaling_actions(result) == [(300.0, "scale_out", 2), (600.0, "scale_out", 3), (900.0, "scale_out", 4)]
    assert (result.timeline["tasks_running"].to_numpy()[16:] == 4).all()


def test_target_tracking_on_requests_per_target() -> None:
    result = simulate(
        scenario({"policy": "target_tracking", "metric": "alb_request_count_per_target", "target_value": 600}, "alb")
    )
    assert scaling_actions(result) == [(180.0, "scale_out", 5)]
    dp = result.datapoints.set_index("t_s")
    assert set(dp["metric"]) == {"service_requests_per_target"}
    # requests per target per minute: the minute's requests over the tasks serving
    minute = result.timeline.set_index("t_s")
    assert dp.loc[120.0, "value"] == minute.loc[60.0, "offered"]  # one task
    assert dp.loc[600.0, "value"] == minute.loc[540.0, "offered"] / 5
    assert (result.timeline["tasks_running"].to_numpy()[4:] == 5).all()


def test_scheduled_action_raises_min_at_the_cron_minute() -> None:
    # default start: Monday 2026-01-05 00:00 UTC; 00:30 on Mondays is 1,800 s in. Light load (10%):
    # nothing else scales; from 1,800 the low alarm cannot take the service below its new min of 3.
    peak = {"name": "peak", "cron": "cron(30 0 ? * MON *)", "min": 3, "max": 5}
    result = simulate(scenario({"scheduled": [peak]}, rps=2.0))
    ev = result.events[result.events["kind"].isin(["scheduled_action", "scale_out", "scale_in", "task_serving"])]
    assert [(float(t), k) for t, k in zip(ev["t_s"], ev["kind"], strict=True)] == [
        (1800.0, "scheduled_action"),
        (1800.0, "scale_out"),
        (1860.0, "task_serving"),
        (1860.0, "task_serving"),
    ]
    assert ev.iloc[1]["detail"] == {"desired_from": 1, "desired_to": 3, "scheduled_action": "peak"}
    running = result.timeline["tasks_running"].to_numpy()
    assert (running[:30] == 1).all() and (running[30:] == 3).all()  # row 30 ends at 1,860


def test_scheduled_action_follows_the_scenario_start() -> None:
    # start Wednesday 23:50 UTC: Thursday 00:00 is 600 s in
    peak = {"name": "thu", "cron": "cron(0 0 ? * THU *)", "min": 2, "max": 5}
    result = simulate(scenario({"scheduled": [peak]}, rps=2.0, start="2026-01-07T23:50:00Z", horizon_s=1200))
    assert scaling_actions(result) == [(600.0, "scale_out", 2)]


def test_min_zero_scales_in_to_zero_and_stays_without_datapoints() -> None:
    # min 0, no traffic: CPU 0% < 30% for 15 one-minute datapoints -> the one task stops at 900; with no
    # task there is no CPU datapoint (notBreaching: no ALARM), so nothing scales it out again
    result = simulate(scenario({}, rps=0.0, container={"tasks": {"min": 0, "max": 5, "desired": 1}}))
    assert scaling_actions(result) == [(900.0, "scale_in", 0)]
    dp = result.datapoints
    assert dp[dp["t_s"] > 900]["value"].isna().all()
    assert (result.timeline["tasks_running"].to_numpy()[15:] == 0).all()


def test_target_tracking_takes_no_action_on_missing_data() -> None:
    # target tracking with min 0 and desired 0: no task, no CPU datapoint, the managed alarms stay in
    # INSUFFICIENT_DATA (TreatMissingData missing): however much traffic, nothing scales
    tracking = {"policy": "target_tracking", "metric": "cpu", "target_value": 50}
    result = simulate(scenario(tracking, container={"tasks": {"min": 0, "max": 5, "desired": 0}}, horizon_s=900))
    assert scaling_actions(result) == []
    assert result.datapoints["value"].isna().all() and not result.datapoints["in_alarm"].any()


def test_target_tracking_scales_in_after_fifteen_low_minutes_unless_disabled() -> None:
    # five tasks, 2 requests/s of 50 ms: 0.1 task-equivalents, 2% CPU each. The low alarm (below 45%)
    # fires on the 15th one-minute datapoint, at 900: ceil(5 x 2/50) = ceil(0.2) = 1
    tracking = {"policy": "target_tracking", "metric": "cpu", "target_value": 50}
    five = {"tasks": {"min": 1, "max": 5, "desired": 5}}
    result = simulate(scenario(tracking, rps=2.0, container=five, horizon_s=1800))
    assert scaling_actions(result) == [(900.0, "scale_in", 1)]
    kept = simulate(scenario({**tracking, "disable_scale_in": True}, rps=2.0, container=five, horizon_s=1800))
    assert scaling_actions(kept) == []


def test_target_tracking_on_the_ec2_launch_type_brings_instances() -> None:
    # the seed's cluster (one 2,048-unit task fills a t3.micro): the service's policy asks for tasks,
    # the cluster's step policy adds instances for them
    tracking = {"policy": "target_tracking", "metric": "cpu", "target_value": 50}
    s = Scenario.model_validate(
        {
            "plan": {"container": {"scaling": tracking}},
            "traffic": {"kind": "constant", "rps": 30},
            "workload": {"service_time_ms": {"dist": "constant", "mean": 50}},
            "timings": {"task_start_s": 60, "instance_boot_s": 60},
            "horizon_s": 3600,
        }
    )
    result = simulate(s)
    assert scaling_actions(result)[0] == (180.0, "scale_out", 2)  # 1 x 100/50
    assert result.timeline["tasks_running"].iloc[-1] >= 2 and result.timeline["instances"].iloc[-1] >= 2
