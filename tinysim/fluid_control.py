"""The control rules as the fluid kernel calls them: :mod:`tinysim.control`'s own functions (the request
engine's), compiled again from their Python source to be inlined into the kernel's loop, and a fresh alarm
memory made inside compiled code. Alarm and policy memories are the rules' own small arrays."""

from __future__ import annotations

import numba
import numpy as np

from tinysim.control import INSUFFICIENT_DATA, alarm_observe, step_decide, target_tracking_decide

__all__ = ["alarm_memory", "observe", "step_rule", "target_rule"]

# The rules' own Python source, compiled again to be inlined into the kernel's loop: a call per period
# and alarm (reference counting of each memory array) cost the month several times its other work.
observe = numba.njit(cache=True, nogil=True, inline="always")(alarm_observe.py_func)
step_rule = numba.njit(cache=True, nogil=True, inline="always")(step_decide.py_func)
target_rule = numba.njit(cache=True, nogil=True, inline="always")(target_tracking_decide.py_func)


@numba.njit(cache=True, nogil=True)
def alarm_memory(evaluation_periods: int) -> np.ndarray:  # pragma: no cover - compiled
    """A fresh alarm's memory, laid out as ``tinysim.control.new_alarm_state`` lays it out:
    [INSUFFICIENT_DATA, periods seen 0, every slot missing (-1)]."""
    mem = np.full(2 + max(1, evaluation_periods), -1, dtype=np.int64)
    mem[0] = INSUFFICIENT_DATA
    mem[1] = 0
    return mem
