"""Steady stretches of the container kernel: steps that repeat the one before exactly, written at once.

A step repeats the previous one when nothing it reads has changed: the same offered rate, no scheduled
action due, no task or instance starting (tasks waiting for room on full instances stay waiting), the
same API Gateway bucket and CPU credits, every alarm's memory full of one classification (the next
identical datapoint leaves its counts and state as they are), no scaling rule whose answer could change
with the time alone (a cooldown running out), and either no backlog or a saturated one: equal shares,
every request late and every task's backlog growing (``tinysim.fluid_backlogs.serve_backlogs``), so the
next step is late throughout again. Then every following step with the same rate writes the same row and
the same datapoints (at its own time): :func:`repeat_steps` copies them, :func:`advance_alarm` moves each
alarm's ring by the steps skipped and a saturated backlog is grown step by step
(``tinysim.fluid_backlogs.grow_backlogs``, the same floats). The result is bit-identical to running the
steps one by one (``tests/tinysim/test_fluid_steady.py`` compares both on scaling runs, overloads and
tasks left waiting).
"""

from __future__ import annotations

import numba
import numpy as np

from tinysim.control import ALARM
from tinysim.fluid_record import POLICY_STEP, Record
from tinysim.fluid_tasks import EV_REPEAT, S_NE, log

__all__ = ["COPIED", "advance_alarm", "clamp", "repeat_steps", "settled", "steady_end", "time_free"]

#: Output columns a copied row is given (``repeat_steps``): those read on every row (offered, served,
#: throttled, timed out, CPU, tasks serving and pending, instances, CPU credits: the timeline's). The
#: latency quantiles (4-6) are written after the run (``tinysim.fluid_quantiles.step_quantiles``); the
#: others (mean latency, task- and instance-hours, Lambda concurrency, the wait) are read only on rows
#: the kernel computed, as every reader skips the rows marked in ``same``.
COPIED = (0, 1, 2, 3, 8, 9, 10, 11, 15)

# an alarm memory's header (tinysim.control.alarm_rule): state, periods seen, breaching and missing counts
_SEEN, _BAD, _ABSENT, _HEADER = 1, 2, 3, 4


@numba.njit(cache=True, nogil=True, inline="always")
def clamp(capacity: int, lo: int, hi: int) -> int:  # pragma: no cover - compiled
    """``capacity`` within [``lo``, ``hi``], as the scaling rules clamp it."""
    return min(hi, max(lo, capacity))


@numba.njit(cache=True, nogil=True, inline="always")
def settled(memory: np.ndarray) -> bool:  # pragma: no cover - compiled
    """Whether an alarm's memory has its whole evaluation range seen and of one classification
    (all breaching, all missing or all within): the same datapoint again changes nothing in it."""
    n = memory.shape[0] - _HEADER
    if memory[_SEEN] < n:
        return False
    bad, absent = memory[_BAD], memory[_ABSENT]
    return bool((bad == 0 and absent == 0) or bad == n or absent == n)


@numba.njit(cache=True, nogil=True, inline="always")
def advance_alarm(memory: np.ndarray, steps: int) -> None:  # pragma: no cover - compiled
    """Move a settled alarm's ring position by ``steps`` datapoints (its contents stay as they are)."""
    n = memory.shape[0] - _HEADER
    memory[_SEEN] = n + (memory[_SEEN] - n + steps) % n


@numba.njit(cache=True, nogil=True)
def time_free(
    p: Record,
    hi_state: int,
    lo_state: int,
    metric: float,
    active: int,
    t_min: int,
    t_max: int,
    cl_hi_state: int,
    cl_lo_state: int,
    alive: int,
    empty: bool,
) -> bool:  # pragma: no cover - compiled
    """Whether the service's and the cluster's scaling rules, given these alarm states, give the same
    answer (no change) whatever the time: an alarm in ALARM either has nothing to move (the capacity is
    at its bound) or its move is otherwise refused, so no cooldown running out can start one."""
    if p.policy == POLICY_STEP:
        if hi_state == ALARM and clamp(active + p.out_adjust, t_min, t_max) != active:
            return False
        if p.has_lo and lo_state == ALARM and clamp(active + p.in_adjust, t_min, t_max) != active:
            return False
    elif not np.isnan(metric):
        if hi_state == ALARM:
            if active < t_max:
                return False
        elif lo_state == ALARM and p.disable_scale_in == 0 and active > t_min:
            return False
    if p.ec2:
        if cl_hi_state == ALARM and clamp(alive + 1, p.i_min, p.i_max) != alive:
            return False
        if cl_lo_state == ALARM:
            down = clamp(alive - 1, p.i_min, p.i_max)
            if down > alive or (down < alive and empty):
                return False
    return True


@numba.njit(cache=True, nogil=True)
def steady_end(lam: np.ndarray, i: int, sched: np.ndarray, k_sched: int, dt: float) -> int:  # pragma: no cover
    """The first step from ``i`` whose offered rate differs from step ``i - 1``'s or at which a scheduled
    action is due (``sched`` rows from ``k_sched`` on; time_s first), else the run's end."""
    rate = lam[i - 1]
    due = sched[k_sched, 0] if k_sched < sched.shape[0] else np.inf
    j = i
    while j < lam.shape[0] and lam[j] == rate and not due <= j * dt:
        j += 1
    return j


@numba.njit(cache=True, nogil=True)
def repeat_steps(
    out: np.ndarray, same: np.ndarray, events: np.ndarray, st: np.ndarray, i: int, j: int, first: int, dt: float
) -> None:  # pragma: no cover - compiled
    """Steps ``i`` to ``j - 1`` as copies of step ``i - 1``: its output row (the ``COPIED`` columns; the
    others are left as they are, uninitialised when ``out`` came so; ``same[i:j]`` set, so that readers can
    skip them), and its events (rows ``first`` up to the count ``st[S_NE]``: its datapoints) again at each
    step's end, as one ``EV_REPEAT`` row (``tinysim.fluid_rows`` expands it; logged as
    ``tinysim.fluid_tasks.log`` logs, only counted past the array's end)."""
    same[i:j] = True
    for col in COPIED:
        out[i:j, col] = out[i - 1, col]
    log(events, st, (i + 1) * dt, EV_REPEAT, j - i, st[S_NE] - first)
