"""The control plane in the fluid kernel: each period's datapoint goes through the blueprint's alarms and
policies with :mod:`tinysim.control`'s compiled rules (the request engine's), and through the
scheduled actions. Alarm and policy memories are the rules' own small arrays."""

from __future__ import annotations

import numba
import numpy as np

from tinysim.control import INSUFFICIENT_DATA, OK, alarm_observe, step_decide, target_tracking_decide
from tinysim.fluid_record import POLICY_STEP, Record

__all__ = ["alarm_memory", "cluster_decide", "service_decide"]

# The rules' own Python source, compiled again to be inlined into the kernel's loop: a call per period
# and alarm (reference counting of each memory array) cost the month several times its other work.
_observe = numba.njit(cache=True, nogil=True, inline="always")(alarm_observe.py_func)
_step = numba.njit(cache=True, nogil=True, inline="always")(step_decide.py_func)
_target = numba.njit(cache=True, nogil=True, inline="always")(target_tracking_decide.py_func)


@numba.njit(cache=True, nogil=True)
def alarm_memory(evaluation_periods: int) -> np.ndarray:  # pragma: no cover - compiled
    """A fresh alarm's memory, laid out as ``tinysim.control.new_alarm_state`` lays it out:
    [INSUFFICIENT_DATA, periods seen 0, every slot missing (-1)]."""
    mem = np.full(2 + max(1, evaluation_periods), -1, dtype=np.int64)
    mem[0] = INSUFFICIENT_DATA
    mem[1] = 0
    return mem


@numba.njit(cache=True, nogil=True, inline="always")
def service_decide(
    p: Record,
    hi: np.ndarray,
    lo: np.ndarray,
    out_policy: np.ndarray,
    in_policy: np.ndarray,
    now: float,
    metric: float,
    desired: int,
    t_min: int,
    t_max: int,
) -> int:  # pragma: no cover - compiled
    """The service's new desired count after the datapoint ``metric`` (NaN when missing) at ``now``: step
    scaling (scale out first, else scale in) or target tracking, within [t_min, t_max]."""
    hs = _observe(hi, metric, p.hi_threshold, p.hi_comparison, p.hi_datapoints, p.hi_missing)
    ls = OK
    if p.has_lo:
        ls = _observe(lo, metric, p.lo_threshold, p.lo_comparison, p.lo_datapoints, p.lo_missing)
    if p.policy == POLICY_STEP:
        new = _step(out_policy, now, hs, p.out_adjust, p.out_cooldown_s, desired, t_min, t_max)
        if new == desired and p.has_lo:
            new = _step(in_policy, now, ls, p.in_adjust, p.in_cooldown_s, desired, t_min, t_max)
        return new
    return _target(
        out_policy, now, hs, ls, metric, p.target_value, desired, t_min, t_max,
        p.out_cooldown_s, p.in_cooldown_s, p.disable_scale_in != 0,
    )  # fmt: skip


@numba.njit(cache=True, nogil=True, inline="always")
def cluster_decide(
    p: Record,
    hi: np.ndarray,
    lo: np.ndarray,
    out_policy: np.ndarray,
    in_policy: np.ndarray,
    now: float,
    cpu: float,
    alive: int,
    can_remove: bool,
) -> int:  # pragma: no cover - compiled
    """+1 to launch an instance, -1 to terminate an empty one, 0 otherwise (the cluster's step rule). A
    scale in that finds no empty instance removes nothing and starts no cooldown."""
    hs = _observe(hi, cpu, p.cl_hi_threshold, p.cl_hi_comparison, p.cl_hi_datapoints, p.cl_hi_missing)
    ls = _observe(lo, cpu, p.cl_lo_threshold, p.cl_lo_comparison, p.cl_lo_datapoints, p.cl_lo_missing)
    if _step(out_policy, now, hs, 1, p.cl_out_cooldown_s, alive, p.i_min, p.i_max) > alive:
        return 1
    last = in_policy[0]
    if _step(in_policy, now, ls, -1, p.cl_in_cooldown_s, alive, p.i_min, p.i_max) < alive:
        if can_remove:
            return -1
        in_policy[0] = last
    return 0
