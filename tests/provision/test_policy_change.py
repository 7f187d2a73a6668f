"""A plan that changes its scaling policy or drops a scheduled action: ``plan`` shows what goes, and
``apply`` removes it, so the old step alarms never scale the service beside the new target tracking
policy (the stack then equals its new blueprint, as the contract test checks)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from models import Plan, load_plan
from provision.api import apply_plan, connect, destroy_stack
from tests.provision.conftest import unique
from tests.provision.test_contract import assert_built

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provision", *args], capture_output=True, text=True, timeout=300)


def with_scaling(plan: Plan, **scaling: Any) -> Plan:
    data = plan.model_dump()
    data["container"]["scaling"] = {**Plan().container.scaling.model_dump(), **scaling}
    return Plan.model_validate(data)


def test_switching_policy_and_dropping_a_scheduled_action_removes_what_the_plan_no_longer_has(
    tmp_path: Path,
) -> None:
    step = unique(load_plan(PLANS / "seed_container_alb.json"), "sw")  # EC2: the cluster keeps its step rule
    n = step.name
    apply_plan(step, ctx=connect(step), progress=lambda line: None)
    try:
        peak = {"name": "peak", "cron": "cron(0 8 ? * MON-FRI *)", "min": 2, "max": 5}
        tracking = with_scaling(step, policy="target_tracking", target_value=50.0, scheduled=[peak])
        path = tmp_path / "tracking.json"
        path.write_text(tracking.model_dump_json())
        planned = cli("plan", str(path))
        assert planned.returncode == 2, planned.stderr
        lines = set(planned.stdout.splitlines())
        assert {
            f"- step_policy {n}-out",
            f"- step_policy {n}-in",
            f"- alarm {n}-cpu-high",
            f"- alarm {n}-cpu-low",
            f"+ target_tracking_policy {n}-target",
            "+ scheduled_action peak",
        } <= lines
        assert f"- alarm {n}-cluster-cpu-high" not in planned.stdout  # the cluster's rule stays
        assert cli("apply", str(path)).returncode == 0
        assert_built(tracking)
        assert cli("plan", str(path)).returncode == 0
        unscheduled = with_scaling(step, policy="target_tracking", target_value=50.0)
        path.write_text(unscheduled.model_dump_json())
        assert "- scheduled_action peak" in cli("plan", str(path)).stdout
        assert cli("apply", str(path)).returncode == 0
        assert_built(unscheduled)
    finally:
        destroy_stack(connect(step), progress=lambda line: None)
