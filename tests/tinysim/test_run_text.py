"""The text of ``tinysim run``: tasks that waited for an instance, Lambda's line on a serverless plan,
plurals and thousands separators."""

from __future__ import annotations

import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from tinysim.cli import main
from tinysim.costs.bill import usd
from tinysim.run_text import count, duration
from tinysim.task_waits import TaskWaits, task_waits

SEED_STACK = Path(__file__).parents[2] / "examples" / "seed_dev_stack.json"


def test_waits_replayed_from_a_hand_timeline() -> None:
    # 1 task at start; at 300 s the service asks for 2 and an instance is launched, ready 180 s later,
    # when the task is placed (a 180 s wait); at 600 s it asks for 3 and no instance ever comes: that
    # task waits from 600 s to the end of the day, 85,800 s = 23.8 h
    events = [
        (300.0, "scale_out", {"desired_from": 1, "desired_to": 2}),
        (300.0, "instance_launch", {"instance": 1}),
        (480.0, "instance_ready", {"instance": 1}),
        (480.0, "task_placed", {"task": 1, "instance": 1}),
        (600.0, "scale_out", {"desired_from": 2, "desired_to": 3}),
        (660.0, "task_serving", {"task": 1}),
    ]
    assert task_waits(events, 86_400) == TaskWaits(desired_max=3, waited=2, longest_s=85_800.0, still_waiting=1)


def test_scale_in_stops_starting_tasks_before_waiting_ones() -> None:
    # 2 -> 4 at 0 s: one task placed at once (starting), one waiting; 4 -> 3 at 100 s stops the starting
    # one (the older), so the waiting one is still waiting at 1,000 s: one wait of 1,000 s
    events = [
        (0.0, "scale_out", {"desired_from": 2, "desired_to": 4}),
        (0.0, "task_placed", {"task": 2}),
        (100.0, "scale_in", {"desired_from": 4, "desired_to": 3}),
    ]
    assert task_waits(events, 1_000) == TaskWaits(desired_max=4, waited=1, longest_s=1_000.0, still_waiting=1)


def test_words_for_people() -> None:
    assert [count(1, "task"), count(2, "task"), count(1_000, "scale-out")] == ["1 task", "2 tasks", "1,000 scale-outs"]
    assert [duration(45), duration(750), duration(85_800)] == ["45 s", "12.5 min", "23.8 h"]
    assert [usd(Decimal("1059.68")), usd(Decimal("0.5")), usd(Decimal("-1234567.891"))] == [
        "$1,059.68",
        "$0.50",
        "-$1,234,567.89",
    ]


def _run(tmp_path: Path, scenario: dict[str, object], capsys: pytest.CaptureFixture[str]) -> str:
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(scenario))
    assert main(["run", str(path), "--quiet", "--fidelity", "fluid"]) == 0
    return capsys.readouterr().out


def test_seed_stack_at_20_rps_says_a_task_waited_all_day(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # the seed's t3.micro instance fits 2 tasks of the default size; the third desired task has no room
    scenario = json.loads(SEED_STACK.read_text())
    scenario["traffic"] = {"kind": "constant", "rps": 20}
    out = _run(tmp_path, scenario, capsys)
    assert (
        "scaling: desired up to 3, serving up to 2; 2 tasks waited for an instance "
        "(the longest 23.8 h, 1 still waiting at the end); 2 scale-outs, 0 scale-ins"
    ) in out


def test_serverless_run_prints_lambda_not_tasks(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    scenario = {
        "plan": {"architecture": "serverless"},
        "traffic": {"kind": "constant", "rps": 1},
        "workload": {"service_time_ms": {"dist": "lognormal", "mean": 40, "p99": 250}},
        "horizon_s": 3600,
    }
    out = _run(tmp_path, scenario, capsys)
    assert "scaling:" not in out and "tasks" not in out
    assert "lambda: max concurrency 1, " in out


def _fargate(tasks: int) -> dict[str, object]:
    return {
        "plan": {
            "container": {
                "launch_type": "fargate",
                "task": {"cpu_units": 4096, "memory_mb": 30720},
                "tasks": {"min": tasks, "desired": tasks, "max": 5},
            }
        },
        "traffic": {"kind": "constant", "rps": 1},
        "workload": {"service_time_ms": {"dist": "lognormal", "mean": 40, "p99": 250}},
        "horizon_s": 3600,
    }


def test_one_task_is_singular(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert "scaling: up to 1 task, 0 scale-outs, 0 scale-ins" in _run(tmp_path, _fargate(1), capsys)


def test_money_has_thousands_separators(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # five 4 vCPU / 30 GB Fargate tasks all month: 5 x 730 h x (4 x $0.04048 + 30 x $0.004445) = $1,077.77
    # of tasks alone, so the total is over $1,000 and reads with a separator (the dashboard's form)
    out = _run(tmp_path, _fargate(5), capsys)
    bill_line = next(line for line in out.splitlines() if line.startswith("monthly bill: $"))
    amount = bill_line.split()[2]
    assert re.fullmatch(r"\$\d{1,3}(,\d{3})+\.\d\d", amount), bill_line
    assert Decimal(amount[1:].replace(",", "")) > Decimal("1077.77")
