"""Drawing blocks ahead on a thread changes nothing: every block has its own generator."""

from __future__ import annotations

import numpy as np

from models import load_scenario
from tinysim.arrival_prefetch import no_prefetch
from tinysim.simulate import simulate


def test_same_results_with_and_without_drawing_ahead() -> None:
    base = load_scenario("examples/seed_hyperscale_alb.json")
    for scale in (1.0, 20.0):  # long (600 s) and short (60 s) blocks
        sc = base.model_copy(update={"horizon_s": 1200})
        sc = sc.model_copy(update={"traffic": sc.traffic.model_copy(update={"rps": sc.traffic.rps * scale})})
        ahead = simulate(sc)
        with no_prefetch():
            inline = simulate(sc)
        assert ahead.summary == inline.summary
        for col in ahead.timeline.columns:
            assert np.array_equal(ahead.timeline[col], inline.timeline[col], equal_nan=True), col
