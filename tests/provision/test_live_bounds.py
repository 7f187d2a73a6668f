"""Live values outside the plan's bounds: a lowered ``tasks.max`` is planned and applied (the desired
count moves into the new range, as Application Auto Scaling does when the scalable target is registered:
docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html), and ``status``
reads any live value a plan may not hold without failing, naming it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from models import Plan, load_plan
from provision.api import apply_plan, connect, destroy_stack
from tests.provision.conftest import unique

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provision", *args], capture_output=True, text=True, timeout=300)


def with_tasks(plan: Plan, **tasks: int) -> Plan:
    data = plan.model_dump()
    data["container"]["tasks"].update(tasks)
    return Plan.model_validate(data)


def write(plan: Plan, path: Path) -> str:
    path.write_text(plan.model_dump_json())
    return str(path)


def live_desired(plan: Plan) -> int:
    ecs = connect(plan).clients("ecs")
    return int(ecs.describe_services(cluster=plan.name, services=[plan.name])["services"][0]["desiredCount"])


def test_lowered_max_below_the_live_desired_count_is_planned_and_applied(tmp_path: Path) -> None:
    plan = unique(load_plan(PLANS / "fargate_alb.json"), "max")  # tasks 1..5, desired 1
    ctx = connect(plan)
    apply_plan(plan, ctx=ctx, progress=lambda line: None)
    try:
        ctx.clients("ecs").update_service(cluster=plan.name, service=plan.name, desiredCount=5)  # the autoscaler
        lowered = write(with_tasks(plan, max=3), tmp_path / "lowered.json")
        planned = cli("plan", lowered)
        assert planned.returncode == 2, planned.stdout + planned.stderr
        assert f"~ scalable_target {plan.name}  (max: 5 -> 3; desired: 5 -> 3)" in planned.stdout
        assert cli("apply", lowered).returncode == 0
        assert live_desired(plan) == 3  # moved to the new maximum
        again = cli("plan", lowered)
        assert again.returncode == 0, again.stdout
        status = cli("status", lowered)
        assert status.returncode == 0, status.stderr
        doc = json.loads(status.stdout)
        assert doc["outside_plan"] == [] and doc["plan"]["container"]["tasks"] == {"min": 1, "max": 3, "desired": 3}
        assert doc["control"]["targets"] == [{"scope": "service", "min": 1, "max": 3, "desired": 3}]
    finally:
        destroy_stack(connect(plan), progress=lambda line: None)


def test_status_names_live_values_a_plan_may_not_hold_instead_of_failing(tmp_path: Path) -> None:
    plan = unique(load_plan(PLANS / "fargate_alb.json"), "oob")
    path = write(plan, tmp_path / "plan.json")
    ctx = connect(plan)
    apply_plan(plan, ctx=ctx, progress=lambda line: None)
    try:
        # changed by hand in the console: a range that leaves the running count outside, and a scale-out
        # threshold below the scale-in one
        ctx.clients("ecs").update_service(cluster=plan.name, service=plan.name, desiredCount=5)
        ctx.clients("application-autoscaling").register_scalable_target(
            ServiceNamespace="ecs",
            ResourceId=f"service/{plan.name}/{plan.name}",
            ScalableDimension="ecs:service:DesiredCount",
            MinCapacity=1,
            MaxCapacity=3,
        )
        cw = ctx.clients("cloudwatch")
        high = cw.describe_alarms(AlarmNames=[f"{plan.name}-cpu-high"])["MetricAlarms"][0]
        keep = ("AlarmName", "Namespace", "MetricName", "Statistic", "Dimensions", "Period", "EvaluationPeriods")
        cw.put_metric_alarm(
            **{k: high[k] for k in keep},
            ComparisonOperator=high["ComparisonOperator"],
            AlarmActions=high["AlarmActions"],
            DatapointsToAlarm=high["DatapointsToAlarm"],
            TreatMissingData=high["TreatMissingData"],
            Threshold=20.0,
        )
        status = cli("status", path)
        assert status.returncode == 0, status.stderr
        doc = json.loads(status.stdout)
        assert doc["plan"]["container"]["tasks"] == {"min": 1, "max": 3, "desired": 5}
        assert doc["outside_plan"] == [
            "container.tasks.desired=5: must be between min (1) and max (3)",
            "container.scaling.scale_in_threshold_pct=30.0: must be < container.scaling.threshold_pct (20)",
        ]
        assert "live value outside what a plan may hold" in status.stderr
        planned = cli("plan", path)
        assert planned.returncode == 2
        assert f"~ scalable_target {plan.name}  (max: 3 -> 5)" in planned.stdout
        assert f"~ alarm {plan.name}-cpu-high  (threshold: 20.0 -> 70.0)" in planned.stdout
        assert cli("apply", path).returncode == 0
        assert cli("plan", path).returncode == 0
    finally:
        destroy_stack(connect(plan), progress=lambda line: None)
