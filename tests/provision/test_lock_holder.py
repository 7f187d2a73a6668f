"""Who holds the stack lock: a holder of this host whose process has ended is dead, even before its
parent reaps it (a process killed with SIGKILL stays a zombie until then; proc(5): state Z)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

from provision.lock import Holder


def _holder(pid: int) -> Holder:
    return Holder("someone", socket.gethostname(), pid, "now")


def test_a_running_holder_is_alive_and_an_unreaped_one_is_dead() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        assert not _holder(child.pid).is_dead_here()
        child.kill()
        deadline = time.time() + 10
        while time.time() < deadline:  # not waited for: a zombie, which still answers signal 0
            with open(f"/proc/{child.pid}/stat") as f:
                if f.read().rpartition(")")[2].split()[0] == "Z":
                    break
            time.sleep(0.02)
        os.kill(child.pid, 0)  # the process table still has it
        assert _holder(child.pid).is_dead_here()
    finally:
        child.kill()
        child.wait()
    assert _holder(child.pid).is_dead_here()  # reaped: gone


def test_a_holder_of_another_host_is_never_taken_for_dead() -> None:
    assert not Holder("someone", "elsewhere.example", 999_999_999, "now").is_dead_here()
