"""Each example stack applied to a real LocalStack: built as its blueprint says, read back equal,
idempotent, drift shown, autoscaler-owned desired count kept, destroyed to nothing, twice."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from models import Plan, load_plan
from provision.api import apply_plan, connect, destroy_stack, plan_changes, read_status
from tests.provision.conftest import owned, relevant, tagged_anywhere, unique
from tests.provision.test_contract import assert_built

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provision", *args], capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("name", sorted(p.name for p in PLANS.glob("*.json")))
def test_apply_status_reapply_destroy(name: str, tmp_path: Path) -> None:
    plan = unique(load_plan(PLANS / name), "t")
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    applied = cli("apply", str(path), "--json")
    assert applied.returncode == 0, applied.stderr
    outputs = json.loads(applied.stdout)
    assert outputs["ecr_repository_uri"].endswith(f"/{plan.name}") and outputs["endpoint"]
    assert_built(plan)  # resources and control plane equal the blueprint's
    status = cli("status", str(path))
    assert relevant(Plan.model_validate(json.loads(status.stdout)["plan"])) == relevant(plan)
    again = cli("plan", str(path))
    assert again.returncode == 0, again.stdout + again.stderr  # nothing to change
    assert cli("apply", str(path)).stdout.count("created") == 0
    gone = cli("destroy", str(path), "--json")
    assert gone.returncode == 0 and json.loads(gone.stdout)["deleted"] > 5
    ctx = connect(plan)
    assert owned(ctx) == {} and tagged_anywhere(ctx) == []
    assert json.loads(cli("destroy", str(path), "--json").stdout)["deleted"] == 0
    assert cli("status", str(path)).stdout.strip() == f"stack {plan.name!r} does not exist"


def test_drift_is_named_and_the_autoscalers_count_survives(tmp_path: Path) -> None:
    plan = unique(load_plan(PLANS / "fargate_alb.json"), "drift")
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    ctx = connect(plan)
    apply_plan(plan, ctx=ctx, progress=lambda line: None)
    cw = ctx.clients("cloudwatch")
    alarm = cw.describe_alarms(AlarmNames=[f"{plan.name}-cpu-high"])["MetricAlarms"][0]
    cw.put_metric_alarm(
        **{
            k: alarm[k]
            for k in (
                "AlarmName",
                "Namespace",
                "MetricName",
                "Statistic",
                "Dimensions",
                "Period",
                "EvaluationPeriods",
                "ComparisonOperator",
                "AlarmActions",
                "DatapointsToAlarm",
                "TreatMissingData",
            )
        },
        Threshold=55.0,
    )
    drift = cli("plan", str(path))
    assert drift.returncode == 2
    assert f"~ alarm {plan.name}-cpu-high  (threshold: 55.0 -> 70.0)" in drift.stdout
    ctx.clients("ecs").update_service(cluster=plan.name, service=plan.name, desiredCount=4)  # the autoscaler's move
    assert cli("apply", str(path)).returncode == 0
    assert cli("plan", str(path)).returncode == 0
    service = ctx.clients("ecs").describe_services(cluster=plan.name, services=[plan.name])["services"][0]
    assert service["desiredCount"] == 4  # not reset to the plan's 1
    assert cw.describe_alarms(AlarmNames=[f"{plan.name}-cpu-high"])["MetricAlarms"][0]["Threshold"] == 70.0
    destroy_stack(connect(plan), progress=lambda line: None)


def test_plan_changes_before_and_after(tmp_path: Path) -> None:
    plan = unique(load_plan(PLANS / "serverless.json"), "pc")
    ctx = connect(plan)
    before = plan_changes(plan, ctx)
    assert {c.action for c in before} == {"create"}
    apply_plan(plan, ctx=connect(plan), progress=lambda line: None)
    after = plan_changes(plan, connect(plan))
    assert {c.action for c in after} == {"no-op"} and len(after) == len(before)
    assert read_status(connect(plan)) is not None
    destroy_stack(connect(plan), progress=lambda line: None)
