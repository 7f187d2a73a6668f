"""The control rules as the fluid kernel calls them: :mod:`tinysim.control`'s own functions (the request
engine's), compiled again from their Python source to be inlined into the kernel's loop, and a fresh alarm
memory made inside compiled code. Alarm and policy memories are the rules' own small arrays."""

from __future__ import annotations

import numba
import numpy as np

from tinysim.control import alarm_observe, step_decide, target_tracking_decide
from tinysim.control.alarm_rule import fresh_alarm_state

__all__ = ["alarm_memory", "observe", "step_rule", "target_rule"]

# The rules' own Python source, compiled again to be inlined into the kernel's loop: a call per period
# and alarm (reference counting of each memory array) cost the month several times its other work.
observe = numba.njit(cache=True, nogil=True, inline="always")(alarm_observe.py_func)
step_rule = numba.njit(cache=True, nogil=True, inline="always")(step_decide.py_func)
target_rule = numba.njit(cache=True, nogil=True, inline="always")(target_tracking_decide.py_func)


@numba.njit(cache=True, nogil=True)
def alarm_memory(evaluation_periods: int) -> np.ndarray:  # pragma: no cover - compiled
    """A fresh alarm's memory, the request engine's own (``tinysim.control.new_alarm_state``), made
    inside compiled code (at least one evaluation period)."""
    return fresh_alarm_state(max(1, evaluation_periods))
