"""Ctrl-C while ``python -m tinysim`` is still loading its libraries ends like Ctrl-C later: one line,
exit 130 (128 + SIGINT), no traceback."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


@pytest.mark.parametrize("after_s", [0.15, 0.4])
def test_ctrl_c_during_imports_is_one_line(after_s: float) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tinysim", "run", str(ROOT / "examples" / "cloudwatch_replay.json"), "--quiet"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )
    time.sleep(after_s)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (proc.returncode, err)
    assert err.strip().splitlines() == ["tinysim: interrupted"], err
