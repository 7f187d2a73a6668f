"""Every notebook runs top to bottom within two minutes, and the committed ones carry no outputs."""

from __future__ import annotations

import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).parents[2] / "notebooks"
NAMES = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
LIMIT_S = 120


def test_the_four_notebooks_exist() -> None:
    assert NAMES == [
        "calibrate_from_logs.ipynb",
        "capacity_planning.ipynb",
        "pricing_then_and_now.ipynb",
        "serverless_vs_containers.ipynb",
    ]


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name: str) -> None:
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: clear the outputs before committing"
    assert nb.cells[0].cell_type == "markdown" and "**Question:**" in nb.cells[0].source
    assert nb.cells[-2].cell_type == "markdown" and "Conclusion" in nb.cells[-2].source


@pytest.mark.notebook
@pytest.mark.parametrize("name", NAMES)
def test_runs_top_to_bottom(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TINYSIM_NOTEBOOK_OUT", str(tmp_path))
    nb = nbformat.read(NOTEBOOKS / name, as_version=4)
    started = time.perf_counter()
    NotebookClient(nb, timeout=LIMIT_S, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}).execute()
    elapsed = time.perf_counter() - started
    assert elapsed <= LIMIT_S, f"{name} took {elapsed:.0f} s"
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
    conclusion = nb.cells[-1].outputs
    assert any("text/markdown" in o.get("data", {}) for o in conclusion), "the conclusion is computed and shown"
    if name in ("capacity_planning.ipynb", "calibrate_from_logs.ipynb"):
        from models import load_plan

        assert load_plan(tmp_path / "recommended_plan.json").name  # the exported plan is a valid plan.json
