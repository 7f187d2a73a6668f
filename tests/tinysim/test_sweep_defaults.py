"""What a sweep does unless told: the executor chosen by the fidelity, refused grid keys that change
nothing, and the note when every seed gives the same result."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from models.errors import InputError
from tinysim.cli import main

sweep_module = importlib.import_module("tinysim.sweep")  # the package exports the function under this name


def _scenario(tmp_path: Path, plan: dict[str, Any], traffic: dict[str, Any] | None = None) -> str:
    data = {
        "plan": plan,
        "traffic": traffic or {"kind": "constant", "rps": 5},
        "workload": {"service_time_ms": {"dist": "lognormal", "mean": 40, "p99": 250}},
        "horizon_s": 3600,
    }
    path = tmp_path / "scenario.json"
    path.write_text(json.dumps(data))
    return str(path)


def _grid(tmp_path: Path, grid: dict[str, list[Any]]) -> str:
    path = tmp_path / "grid.json"
    path.write_text(json.dumps(grid))
    return str(path)


@pytest.mark.parametrize(("fidelity", "expected"), [("fluid", "inprocess"), ("request", "processes")])
def test_default_executor_follows_the_fidelity(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fidelity: str, expected: str
) -> None:
    # fluid points run batched in-process (a sweep of 72 fluid runs took 86 s on worker processes
    # against 16 s in-process); request-level points run one per worker process
    chosen: list[Any] = []
    real = sweep_module._executor

    def spy(kind: Any, workers: int | None) -> Any:
        chosen.append(kind)
        return real("inprocess", workers)  # run in this process either way: the test checks the choice

    monkeypatch.setattr(sweep_module, "_executor", spy)
    scenario = _scenario(tmp_path, {"container": {"tasks": {"max": 2}}})
    grid = _grid(tmp_path, {"plan.container.tasks.max": [2, 3]})
    assert main(["sweep", scenario, "--grid", grid, "--fidelity", fidelity, "--quiet", "--json"]) == 0
    assert chosen == [expected]
    chosen.clear()
    assert main(["sweep", scenario, "--grid", grid, "--fidelity", fidelity, "--executor", "threads", "--quiet"]) == 0
    assert chosen == ["threads"]


def test_help_documents_the_default_executor(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["sweep", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert "default: inprocess for --fidelity fluid" in text
    assert "processes for request" in text


@pytest.mark.parametrize(
    ("plan", "key", "values", "why"),
    [
        (
            {"container": {"launch_type": "fargate", "task": {"cpu_units": 512, "memory_mb": 1024}}},
            "plan.container.instance_type",
            ["t3.small", "m5.large"],
            "container.launch_type 'fargate'",
        ),
        (
            {"container": {"launch_type": "fargate", "task": {"cpu_units": 512, "memory_mb": 1024}}},
            "plan.container.instances.max",
            [2, 4],
            "container.launch_type 'fargate'",
        ),
        ({"architecture": "serverless"}, "plan.container.tasks.max", [2, 4], "architecture 'serverless'"),
        ({}, "plan.serverless.memory_mb", [512, 1024], "architecture 'container'"),
    ],
)
def test_grid_key_the_plan_ignores_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], plan: dict[str, Any], key: str, values: list[Any], why: str
) -> None:
    scenario = _scenario(tmp_path, plan)
    code = main(["sweep", scenario, "--grid", _grid(tmp_path, {key: values}), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.splitlines()) == 1, err
    assert err.startswith(f"tinysim: grid.{key}={json.dumps(values[0])}: has no effect with {why}"), err


def test_spot_strategy_on_ec2_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from models import Scenario
    from tinysim.grid_effect import ignored_because

    plan = Scenario.model_validate({"traffic": {"kind": "constant", "rps": 1}}).resolved_plan()
    assert ignored_because(plan, "plan.container.spot_strategy.spot_weight") == (
        "container.launch_type 'ec2' (Fargate Spot is a Fargate capacity provider)"
    )
    assert ignored_because(plan, "plan.container.instance_type") is None


def test_a_key_some_configuration_reads_is_kept(tmp_path: Path) -> None:
    # instance_type matters for the EC2 configurations of this grid, so it is not refused
    plan = {"container": {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}}}
    scenario = _scenario(tmp_path, plan)
    grid = {"plan.container.launch_type": ["fargate", "ec2"], "plan.container.instance_type": ["t3.medium", "t3.large"]}
    assert main(["sweep", scenario, "--grid", _grid(tmp_path, grid), "--fidelity", "fluid", "--quiet"]) == 0


def test_readme_grid_changes_the_trace_replay_rows() -> None:
    # the README's example grid, on the scenario it names, refuses nothing
    readme = (Path(__file__).parents[2] / "README.md").read_text()
    text = readme[readme.index("A grid (or search space) maps") :]
    grid = json.loads(text[text.index("`{") + 1 : text.index("}`") + 1].replace("\n", " "))
    from models import load_scenario
    from tinysim.grid_effect import refuse_ignored_keys
    from tinysim.sweep import expand_grid

    example = Path(__file__).parents[2] / "examples" / "trace_replay.json"
    points = expand_grid(load_scenario(example), grid)
    assert len(points) == 24 and all(err == "" for _, _, err in points)
    refuse_ignored_keys(grid, [sc.resolved_plan() for _, sc, _ in points if sc is not None])  # raises nothing
    # the grid it replaced varied the instance type of this Fargate stack: refused
    with pytest.raises(InputError, match=r"container\.instance_type.*container\.launch_type 'fargate'"):
        refuse_ignored_keys({"plan.container.instance_type": ["t3.small"]}, [points[0][1].resolved_plan()])


def test_same_result_for_every_seed_is_said_once(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # constant traffic in the fluid fidelity has nothing random: every seed gives the same row
    scenario = _scenario(tmp_path, {})
    grid = _grid(tmp_path, {"plan.container.tasks.max": [2, 3]})
    argv = ["sweep", scenario, "--grid", grid, "--fidelity", "fluid", "--seeds", "3", "--bands", "--quiet"]
    assert main(argv) == 0
    err = capsys.readouterr().err
    assert err.count("note: every seed gave the same result") == 1
    assert "so P10 = P50 = P90" in err
    # with random arrivals (the request fidelity) seeds differ and nothing is said
    argv = ["sweep", scenario, "--grid", grid, "--fidelity", "request", "--seeds", "2", "--executor", "inprocess"]
    assert main([*argv, "--quiet"]) == 0
    assert "every seed gave the same result" not in capsys.readouterr().err


def test_sweep_text_money_has_thousands_separators(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # five 4 vCPU / 30 GB Fargate tasks all month: 5 x 730 h x (4 x $0.04048 + 30 x $0.004445) = $1,077.77
    # of tasks alone; the text table shows the month with a separator, the JSON keeps a plain number
    plan = {
        "container": {
            "launch_type": "fargate",
            "task": {"cpu_units": 4096, "memory_mb": 30720},
            "tasks": {"min": 5, "desired": 5, "max": 5},
        }
    }
    scenario = _scenario(tmp_path, plan)
    grid = _grid(tmp_path, {"plan.container.tasks.max": [5, 6]})
    assert main(["sweep", scenario, "--grid", grid, "--fidelity", "fluid", "--quiet", "--bands"]) == 0
    text = capsys.readouterr().out
    assert re.search(r"\$1,\d{3}\.\d\d", text), text
    assert main(["sweep", scenario, "--grid", grid, "--fidelity", "fluid", "--quiet", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert float(rows[0]["monthly_usd"]) > 1077.77
