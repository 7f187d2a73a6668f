"""A fluid run's inputs that depend on the scenario alone (its kernel record, step rates, service points
and trace bytes), kept for the runs of an equal scenario that follow: a dashboard or a notebook reruns
the same configuration, and only the kernel's run depends on nothing but these.

Inputs read from a file are not kept (a trace or a plan file may change between runs); everything else is
pure in the scenario, compared by its JSON.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from models.kept import Kept
from models.scenario import Scenario, TraceTraffic
from tinysim.fluid_setup import FluidSetup, setup

__all__ = ["RunInputs", "run_inputs"]

_KEPT = 32  # scenarios kept; the oldest go first


@dataclass(frozen=True)
class RunInputs:
    """``setup(scenario)`` with its arrays: ``rates`` (n,) requests/s per step, ``svc`` (3, N_POINTS) the
    service points (``FluidSetup.svc``), ``bytes_per_request`` (n,) (NaN without a trace byte column).
    The kernels read them and never write them."""

    fs: FluidSetup
    rates: np.ndarray
    svc: np.ndarray
    bytes_per_request: np.ndarray


_KEPT_INPUTS: Kept[RunInputs] = Kept(_KEPT)
# the last scenario object looked up and its inputs: a scenario is frozen, so the same object rerun needs
# no JSON to be recognised
_LAST: list[tuple[Scenario, RunInputs]] = []


def run_inputs(scenario: Scenario) -> RunInputs:
    """The inputs of a fluid run of ``scenario`` (see :class:`RunInputs`); raises what ``setup`` raises."""
    from_file = isinstance(scenario.traffic, TraceTraffic) or (scenario.plan is None and scenario.plan_file is not None)
    last = _LAST[0] if _LAST and not from_file else None
    if last is not None and last[0] is scenario:
        return last[1]
    key = None if from_file else scenario.model_dump_json()
    kept = _KEPT_INPUTS.get(key) if key is not None else None
    if kept is None:
        fs = setup(scenario)
        kept = RunInputs(fs, fs.rates(), fs.svc, fs.bytes_per_request())
    if key is not None:
        _KEPT_INPUTS.keep(key, kept)
        _LAST[:] = [(scenario, kept)]
    return kept
