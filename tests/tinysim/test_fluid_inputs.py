"""A fluid run's scenario-only inputs are kept for an equal scenario, never for one read from a file."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from models import Scenario
from tinysim.fluid_inputs import run_inputs
from tinysim.simulate import simulate


def _scenario(rps: float) -> Scenario:
    return Scenario.model_validate(
        {"traffic": {"kind": "constant", "rps": rps}, "horizon_s": 7200, "fidelity": "fluid", "seed": 5}
    )


def test_an_equal_scenario_reuses_its_inputs_and_its_results_stay_equal() -> None:
    first, again = run_inputs(_scenario(12.0)), run_inputs(_scenario(12.0))
    assert again is first
    other = run_inputs(_scenario(13.0))
    assert other is not first
    # 13 requests/s over each 60 s step: the exact integral of the traffic, over the step
    assert np.all(other.rates == 13.0) and np.all(first.rates == 12.0)
    a, b = simulate(_scenario(12.0)), simulate(_scenario(12.0))
    assert a.bill.total_exact_usd == b.bill.total_exact_usd
    assert np.array_equal(a.timeline["served"], b.timeline["served"])


def test_a_trace_is_read_again_each_run(tmp_path: Path) -> None:
    path = tmp_path / "trace.csv"
    path.write_text("requests\n600\n600\n")
    sc = Scenario.model_validate(
        {
            "traffic": {"kind": "trace", "csv": str(path), "interval_s": 60},
            "horizon_s": 120,
            "fidelity": "fluid",
        }
    )
    assert np.all(run_inputs(sc).rates == 10.0)
    path.write_text("requests\n1200\n1200\n")  # the file changed: the next run reads the new counts
    assert np.all(run_inputs(sc).rates == 20.0)
