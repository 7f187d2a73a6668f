"""The recommender on a space it cannot wholly evaluate.

A space is user input: a value that makes a configuration invalid is refused before anything runs,
one line per bad value naming the field, the value and the rule, exit 2 (the README's exit codes).
A configuration that validates but fails while running is left out and named, one line each, and the
CLI exits 3, as a sweep with failed points does; "no configuration meets the SLO" (exit 4) is only
said of a space whose every configuration ran.
"""

from __future__ import annotations

import importlib
import json
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from models import InputError
from models.scenario import Scenario
from tinysim.cli import main
from tinysim.errors import NoConfigurationMeetsSlo, TinysimError
from tinysim.recommend import recommend

SCENARIO: dict[str, Any] = {
    "plan": {
        "name": "tt",
        "front_door": "alb",
        "container": {
            "launch_type": "fargate",
            "task": {"cpu_units": 512, "memory_mb": 1024},
            "scaling": {"policy": "target_tracking", "metric": "cpu", "target_value": 50},
        },
    },
    "traffic": {"kind": "constant", "rps": 5},
    "horizon_s": 3600,
    "fidelity": "fluid",
}
# the modules, not the functions of the same names that ``tinysim`` exports
recommend_module = importlib.import_module("tinysim.recommend")
sweep_module = importlib.import_module("tinysim.sweep")
TARGET = "plan.container.scaling.target_value"
SLO = {"p99_ms": 1000.0, "availability": 0.99}  # the default service time makes p99 about 300 ms


def _cli(tmp_path: Path, space: dict[str, Any]) -> subprocess.CompletedProcess[str]:
    (tmp_path / "s.json").write_text(json.dumps(SCENARIO))
    (tmp_path / "space.json").write_text(json.dumps(space))
    args = ["recommend", "s.json", "--space", "space.json", "--p99-ms", "300", "--availability", "0.99"]
    return subprocess.run(
        [sys.executable, "-m", "tinysim", *args, "--seeds", "1", "--out", "rec.json", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=tmp_path,
    )


def test_unsupported_cron_wildcard_in_the_space_is_bad_input_not_a_miss(tmp_path: Path) -> None:
    # EventBridge's L (last day) wildcard, which tinysim's schedule model refuses in the plan itself
    space = {"plan.container.scaling.scheduled": [[{"name": "a", "cron": "cron(0 8 ? * L *)", "min": 1, "max": 2}]]}
    out = _cli(tmp_path, space)
    assert out.returncode == 2, out
    assert out.stdout == "" and not (tmp_path / "rec.json").exists()
    assert out.stderr.splitlines() == [
        "tinysim: space.plan.container.scaling.scheduled[0].cron=\"cron(0 8 ? * L *)\": day-of-week 'L' uses "
        "the wildcard L (last), which tinysim does not support"
    ]


def test_one_bad_value_among_good_ones_is_named_not_dropped(tmp_path: Path) -> None:
    out = _cli(tmp_path, {TARGET: [40, 0, 70]})
    assert out.returncode == 2, out
    assert out.stderr.splitlines() == [f"tinysim: space.{TARGET}=0: must be > 0"] and out.stdout == ""


def test_each_bad_value_once_and_nothing_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_sweep(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("the space was swept before it was checked")

    monkeypatch.setattr(recommend_module, "sweep", no_sweep)
    space = {TARGET: [40, 0, 150], "plan.container.tasks.max": [2, 3]}  # 0 and 150 each in two configurations
    with pytest.raises(InputError) as caught:
        recommend(Scenario.model_validate(SCENARIO), SLO, space, seeds=(0,))
    assert len(caught.value.problems) == 2, caught.value.problems
    assert caught.value.problems[0] == f"space.{TARGET}=0: must be > 0"
    assert caught.value.problems[1] == f"space.{TARGET}=150.0: must be <= 100 (percent) for metric 'cpu'"


def _fail_at(target: float, monkeypatch: pytest.MonkeyPatch) -> None:
    """Make every fluid run of the configuration with this CPU target fail while running."""
    real = sweep_module.fluid_forecasts

    def flaky(scenarios: Sequence[Scenario], slo: float | None = None) -> Any:
        for s in scenarios:
            scaling = s.resolved_plan().container.scaling  # type: ignore[union-attr]
            if scaling.target_value == target:
                raise TinysimError(f"{TARGET}={target:g}: the run failed")
        return real(scenarios, slo)

    monkeypatch.setattr(sweep_module, "fluid_forecasts", flaky)


def test_a_configuration_failing_while_running_is_named_and_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    _fail_at(70, monkeypatch)
    rec = recommend(Scenario.model_validate(SCENARIO), SLO, {TARGET: [40, 70]}, seeds=(0, 1), confirm=False)
    assert rec.chosen.values == {TARGET: 40}
    assert rec.failed == (f"space configuration {TARGET}=70: {TARGET}=70: the run failed",)
    assert rec.as_json()["failed"] == list(rec.failed)
    assert list(rec.table["config"]) == [0]  # the failed configuration is not judged


def test_cli_exits_3_when_configurations_failed_even_if_none_of_the_rest_meets_the_slo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _fail_at(70, monkeypatch)
    (tmp_path / "s.json").write_text(json.dumps(SCENARIO))
    (tmp_path / "space.json").write_text(json.dumps({TARGET: [40, 70]}))
    base = ["recommend", str(tmp_path / "s.json"), "--space", str(tmp_path / "space.json"), "--seeds", "1"]
    assert main([*base, "--p99-ms", "1000", "--no-confirm", "--quiet"]) == 3
    out = capsys.readouterr()
    assert out.out.startswith("recommended: {'plan.container.scaling.target_value': 40}")
    assert out.err.splitlines() == [f"tinysim: space configuration {TARGET}=70: {TARGET}=70: the run failed"]
    # a p99 of 1 ms is below the ALB's own latency: nothing that ran meets it, but one did not run
    assert main([*base, "--p99-ms", "1", "--no-confirm", "--quiet"]) == 3
    out = capsys.readouterr()
    assert out.out.startswith("no configuration meets the SLO: ") and "1 of 2 configurations failed" in out.out
    assert out.err.splitlines() == [f"tinysim: space configuration {TARGET}=70: {TARGET}=70: the run failed"]
    with pytest.raises(NoConfigurationMeetsSlo) as caught:
        recommend(Scenario.model_validate(SCENARIO), {"p99_ms": 1}, {TARGET: [40, 70]}, seeds=(0,), confirm=False)
    assert len(caught.value.failed) == 1
