"""A fluid run's output arrays are reused only once nothing holds them: a kept result never shares memory
with a later run's, and its values stay as they were."""

from __future__ import annotations

import gc
import itertools

import numpy as np

from models import Scenario
from tinysim.fluid_buffers import output_array
from tinysim.results import SimResult
from tinysim.simulate import simulate


def _arrays(result: SimResult) -> list[np.ndarray]:
    """The result's writable arrays (columns every run of a length has alike are shared read-only)."""
    frames = (result.timeline_data, result.datapoints_data, result.events_data, result.hourly_data)
    arrays = [np.asarray(v) for frame in frames for v in dict(frame).values() if np.asarray(v).dtype != object]
    return [a for a in arrays if a.flags.writeable]


def _scenario(rps: float) -> Scenario:
    return Scenario.model_validate(
        {
            "traffic": {"kind": "spike", "base_rps": rps, "spike_rps": 40 * rps, "start_s": 3600, "duration_s": 1800},
            "horizon_s": 6 * 3600,
            "fidelity": "fluid",
        }
    )


def test_a_kept_result_shares_no_memory_with_later_runs_and_keeps_its_values() -> None:
    first = simulate(_scenario(10.0))
    assert len(_arrays(first)) >= 15  # the timeline's series, the datapoints, the hourly usage
    served = first.timeline_data["served"].copy()
    values = first.datapoints_data["value"].copy()
    later = [simulate(_scenario(rps)) for rps in (10.0, 20.0, 10.0, 30.0)]  # each kept too
    for run in later:
        for a in _arrays(first):
            assert not any(np.shares_memory(a, b) for b in _arrays(run))
    for one, other in itertools.pairwise(later):
        for a in _arrays(one):
            assert not any(np.shares_memory(a, b) for b in _arrays(other))
    assert np.array_equal(first.timeline_data["served"], served)
    assert np.array_equal(first.datapoints_data["value"], values, equal_nan=True)
    # a run dropped gives its arrays back: the next equal run's results are the same values
    del later
    gc.collect()
    again = simulate(_scenario(10.0))
    assert np.array_equal(again.timeline_data["served"], served)
    assert again.bill == first.bill and again.summary == first.summary


def test_an_array_is_handed_out_again_only_when_no_one_holds_it() -> None:
    a = output_array((1000, 3), order="F")
    b = output_array((1000, 3), order="F")
    assert a is not b and a.flags.f_contiguous
    first, second = id(a), id(b)  # the pool keeps both alive: their ids stay theirs
    view = a[:10, 1]
    del a
    c = output_array((1000, 3), order="F")
    assert id(c) not in (first, second)  # a view still holds the first, a name the second
    del view, b
    d = output_array((1000, 3), order="F")
    assert id(d) in (first, second) and d is not c  # nothing holds the first two any longer
    assert output_array((1000, 3)).flags.c_contiguous and output_array((5,), np.bool_).dtype == np.bool_
