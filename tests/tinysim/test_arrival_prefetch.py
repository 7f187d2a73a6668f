"""Background threads change nothing: every block of arrivals has its own generator, and windows are
folded in the order they ran. A run given up stops them."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from models import load_scenario
from tinysim.arrival_prefetch import no_prefetch
from tinysim.simulate import simulate

ROOT = Path(__file__).parents[2]


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


@pytest.mark.parametrize("after_s", [0.1, 0.4, 0.9, 1.7, 3.1])
def test_ctrl_c_in_a_run_with_background_threads_is_one_line(tmp_path: Path, after_s: float) -> None:
    """Ctrl-C at several moments of a long run (drawing and folding threads busy): exit 130 with one
    line, no hang, nothing written. The signal is sent once the run's first minute is reported."""
    scenario = tmp_path / "long.json"
    scenario.write_text('{"traffic": {"kind": "constant", "rps": 400}, "horizon_s": 2592000}')
    out = tmp_path / "out"
    proc = subprocess.Popen(
        [sys.executable, "-m", "tinysim", "run", str(scenario), "--out", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    seen = ""
    while "%" not in seen and time.monotonic() < deadline:  # the progress bar: the run has started
        seen += proc.stderr.read(1)
    time.sleep(after_s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip().splitlines()[-1].startswith("tinysim: interrupted"), err
    assert "Traceback" not in err
    assert not out.exists()
