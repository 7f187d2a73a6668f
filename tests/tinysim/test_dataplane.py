"""The data plane after a window raised: nothing goes on from the state it left."""

from __future__ import annotations

import numpy as np
import pytest

from models import load_scenario
from tinysim.simulate import simulate


def test_after_a_window_raises_no_window_runs_again() -> None:
    """The seed's hyperscale stack has two control processes (the service's scaling and the
    cluster's) that both advance the data plane, at the same instants. SimPy takes the exception of
    a failing process and raises it only at its next step, so the other process used to go on at
    that instant from the state the failed window left: here it ran that very window again (not yet
    marked done); a Ctrl-C or SIGTERM landing between a background thread's result being taken and
    stored left it waiting for ever for that result. Now the exception ends the run at once."""
    sc = load_scenario("examples/seed_hyperscale_alb.json").model_copy(update={"horizon_s": 3 * 3600})
    starts: list[float] = []

    def observer(t: np.ndarray, codes: np.ndarray, latency: np.ndarray, wait: np.ndarray) -> None:
        starts.append(float(t[0]))
        if t[0] >= 3600:
            raise KeyboardInterrupt  # as the SIGTERM handler raises it, anywhere in a window

    with pytest.raises(KeyboardInterrupt):
        simulate(sc, observer=observer)
    assert starts[-1] >= 3600 and len(starts) == len(set(starts)), starts[-3:]
