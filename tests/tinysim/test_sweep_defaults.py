"""What a sweep does unless told: the executor chosen by the fidelity, refused grid keys that change
nothing, and the note when every seed gives the same result."""

from __future__ import annotations

import importlib
import json
from pathlib import Path
from typing import Any

import pytest

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
