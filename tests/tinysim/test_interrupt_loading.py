"""Ctrl-C (or SIGTERM) while ``python -m tinysim`` (or ``python -m provision``) is still loading its libraries ends
like Ctrl-C later: one line, exit 130 (128 + SIGINT), no traceback.

The signal is sent once the child has started loading pydantic (its compiled core appears in the process's
memory map), plus a delay: these land inside pydantic's schema building, which catches a KeyboardInterrupt
and re-raises it as a SchemaError (the case a clean CI run once hit). Waiting for the map keeps the test
from sending Ctrl-C before Python has run any of our code, which no program can turn into one line."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PROGRAMS = {
    "tinysim": (
        ["-m", "tinysim", "run", str(ROOT / "examples" / "cloudwatch_replay.json"), "--quiet"],
        "tinysim: interrupted",
    ),
    "provision": (
        ["-m", "provision", "plan", str(ROOT / "examples" / "plans" / "seed_container_apigw.json")],
        "provision: interrupted before any AWS call",
    ),
}


def _wait_until_loading(proc: subprocess.Popen[str]) -> None:
    """Until pydantic's compiled core is mapped into the child (it is loaded under our handler)."""
    maps = Path(f"/proc/{proc.pid}/maps")
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            if "pydantic_core" in maps.read_text():
                return
        except OSError:
            pass
        time.sleep(0.002)
    raise AssertionError("the child never started loading pydantic")


@pytest.mark.parametrize("program", sorted(PROGRAMS))
@pytest.mark.parametrize("after_s", [0.0, 0.02, 0.05, 0.1])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_ctrl_c_during_imports_is_one_line(program: str, after_s: float, sig: signal.Signals) -> None:
    args, line = PROGRAMS[program]
    proc = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    _wait_until_loading(proc)
    time.sleep(after_s)
    proc.send_signal(sig)  # SIGTERM (`kill`) ends like Ctrl-C too, also while loading
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip().splitlines() == [line], err


def _long_run(tmp_path: Path, *options: str) -> subprocess.Popen[str]:
    """``tinysim run`` of a month at 400 requests/s (far longer than any test waits), into ``tmp_path/out``."""
    scenario = tmp_path / "long.json"
    scenario.write_text('{"traffic": {"kind": "constant", "rps": 400}, "horizon_s": 2592000}')
    return subprocess.Popen(
        [sys.executable, "-m", "tinysim", "run", str(scenario), *options, "--out", str(tmp_path / "out")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def _ended_by_interrupt(proc: subprocess.Popen[str], tmp_path: Path) -> None:
    """One line, exit 130, no traceback, and nothing written beside the scenario."""
    try:
        _, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()  # a hang fails the test without leaving the run behind
        proc.communicate()
        raise
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip().splitlines()[-1].startswith("tinysim: interrupted"), err
    assert "Traceback" not in err
    assert list(tmp_path.iterdir()) == [tmp_path / "long.json"]


def test_sigterm_during_a_run_is_one_line(tmp_path: Path) -> None:
    """``kill`` (SIGTERM) used to end a run by the signal, silently; it now ends like Ctrl-C, and the
    output folder is not half-written."""
    proc = _long_run(tmp_path, "--quiet")
    time.sleep(6)  # loaded and simulating
    proc.send_signal(signal.SIGTERM)
    _ended_by_interrupt(proc, tmp_path)


@pytest.mark.parametrize("after_s", [0.1, 0.4, 0.9, 1.7, 3.1])
def test_ctrl_c_in_a_run_with_background_threads_is_one_line(tmp_path: Path, after_s: float) -> None:
    """Ctrl-C at several moments of a long run (drawing and folding threads busy): exit 130 with one
    line, no hang, nothing written. The signal is sent once the run's progress is first reported."""
    proc = _long_run(tmp_path)
    assert proc.stderr is not None
    deadline = time.monotonic() + 120
    seen = ""
    while "%" not in seen and time.monotonic() < deadline and proc.poll() is None:  # the run has started
        seen += proc.stderr.read(1)
    time.sleep(after_s)
    proc.send_signal(signal.SIGINT)
    _ended_by_interrupt(proc, tmp_path)
