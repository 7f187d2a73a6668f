"""Ctrl-C while ``python -m tinysim`` (or ``python -m provision``) is still loading its libraries ends
like Ctrl-C later: one line, exit 130 (128 + SIGINT), no traceback.

The early delays land inside pydantic's schema building, which catches a KeyboardInterrupt and re-raises
it as a SchemaError: the case a clean CI run once hit at 0.15 s."""

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


@pytest.mark.parametrize("program", sorted(PROGRAMS))
@pytest.mark.parametrize("after_s", [0.05, 0.1, 0.15, 0.2])
def test_ctrl_c_during_imports_is_one_line(program: str, after_s: float) -> None:
    args, line = PROGRAMS[program]
    proc = subprocess.Popen(
        [sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    )
    time.sleep(after_s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip().splitlines() == [line], err

