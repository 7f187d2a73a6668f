"""Background threads change nothing: every block of arrivals has its own generator, and windows are
folded in the order they ran. A run given up stops them."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from models import load_scenario
from tinysim.arrival_prefetch import BACKGROUND_MIN_RPS, no_prefetch
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


def test_a_run_given_up_leaves_no_background_thread() -> None:
    """An error in the middle of a run (here from an observer) stops the drawing and folding threads."""
    sc = load_scenario("examples/seed_hyperscale_alb.json").model_copy(update={"horizon_s": 1800})

    def observer(t: np.ndarray, codes: np.ndarray, latency: np.ndarray, wait: np.ndarray) -> None:
        if t[0] > 600:
            raise RuntimeError("stop here")

    with pytest.raises(RuntimeError, match="stop here"):
        simulate(sc, observer=observer)
    assert not _background_threads_after(5.0)


def _background_threads_after(seconds: float) -> list[str]:
    """The run's background threads still alive after waiting up to ``seconds`` for them to end
    (they finish the job they are running, if any, then stop)."""
    deadline = time.monotonic() + seconds
    while True:
        alive = [th.name for th in threading.enumerate() if th.name.startswith(("arrivals", "fold")) and th.is_alive()]
        if not alive or time.monotonic() > deadline:
            return alive
        time.sleep(0.01)


@pytest.mark.parametrize(("rps", "threads"), [(BACKGROUND_MIN_RPS / 2, False), (BACKGROUND_MIN_RPS * 2, True)])
def test_quiet_traffic_runs_on_one_thread(rps: float, threads: bool) -> None:
    """Below ``BACKGROUND_MIN_RPS`` a run draws and folds on its own thread (the threads' hand-overs
    would cost more than they save); above it, it works on background threads."""
    sc = load_scenario("examples/seed_hyperscale_alb.json").model_copy(update={"horizon_s": 3 * 3600})
    sc = sc.model_copy(update={"traffic": sc.traffic.model_copy(update={"rps": rps})})
    seen: list[str] = []

    def progress(now_s: float) -> None:
        if now_s >= 2 * 3600 and not seen:  # blocks drawn ahead by then, windows folded
            seen.extend(th.name for th in threading.enumerate() if th.name.startswith(("arrivals", "fold")))

    simulate(sc, progress=progress)
    assert bool(seen) == threads, seen


def test_cores_lent_in_mid_run_change_nothing() -> None:
    """A sweep's forecast runs on its own thread until the sweep lends it a core left free; it then
    draws ahead and folds on background threads for the rest of the run (one drawing thread), and
    its numbers are those of a run that never had them."""
    sc = load_scenario("examples/seed_hyperscale_alb.json").model_copy(update={"horizon_s": 3 * 3600})
    lent = threading.Event()
    seen: dict[str, list[str]] = {}

    def progress(now_s: float) -> None:
        names = sorted(th.name for th in threading.enumerate() if th.name.startswith(("arrivals", "fold")))
        if now_s >= 3600 and "before" not in seen:
            seen["before"] = names
            lent.set()  # from here on (at the next block of arrivals)
        elif now_s >= 2 * 3600 and "after" not in seen:
            seen["after"] = names

    with no_prefetch(until=lent):
        switched = simulate(sc, progress=progress)
    with no_prefetch():
        alone = simulate(sc)
    assert seen["before"] == [] and seen["after"] == ["arrivals_0", "fold_0"], seen
    assert switched.summary == alone.summary
    for col in alone.timeline.columns:
        assert np.array_equal(switched.timeline[col], alone.timeline[col], equal_nan=True), col
    assert switched.bill == alone.bill
