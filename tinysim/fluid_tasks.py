"""Task and instance lifecycles in the fluid kernel: placing (EC2: until an instance has room), starting
(``start_steps``), serving; instances booting (``boot_steps``), ready, terminated. Counters live in a small
``int64`` array so the compiled helpers can change them in place."""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "EV_CLUSTER_DATAPOINT",
    "EV_LAUNCH",
    "EV_PLACED",
    "EV_READY",
    "EV_REPEAT",
    "EV_SCALE_IN",
    "EV_SCALE_OUT",
    "EV_SCHEDULED",
    "EV_SERVICE_DATAPOINT",
    "EV_SERVING",
    "EV_STOP",
    "EV_TERMINATE",
    "N_COUNTERS",
    "S_BOOTING",
    "S_INSTANCES",
    "S_NE",
    "S_PLACING",
    "S_SERVING",
    "S_STARTING",
    "active_tasks",
    "log",
    "place_and_start",
    "set_desired",
]

EV_SCALE_OUT, EV_SCALE_IN, EV_SERVING, EV_LAUNCH, EV_READY, EV_TERMINATE, EV_PLACED, EV_STOP, EV_SCHEDULED = range(9)
# CloudWatch datapoints, logged as rows (t, kind, value or NaN when missing, 1 when the scale-out alarm is in ALARM)
EV_SERVICE_DATAPOINT, EV_CLUSTER_DATAPOINT = 9, 10
# steady steps' datapoints, logged once: the ``b`` rows before it (one step's datapoints) again at the end of
# each of the ``a`` steps after the step that logged them (t: the first of those ends)
EV_REPEAT = 11
# counters: tasks serving, starting, waiting for room; instances ready, booting; events written
S_SERVING, S_STARTING, S_PLACING, S_INSTANCES, S_BOOTING, S_NE = range(6)
N_COUNTERS = 6


@numba.njit(cache=True, nogil=True, inline="always")
def log(events: np.ndarray, st: np.ndarray, t: float, kind: int, a: float = 0.0, b: float = 0.0) -> None:
    """Append an event row (t, kind, a, b); past the array's end the event is only counted (the caller
    runs again with room for the count)."""
    ne = st[S_NE]
    if ne < events.shape[0]:
        events[ne, 0] = t
        events[ne, 1] = kind
        events[ne, 2] = a
        events[ne, 3] = b
    st[S_NE] = ne + 1


@numba.njit(cache=True, nogil=True, inline="always")
def active_tasks(st: np.ndarray) -> int:
    """The service's desired count as ECS sees it: tasks serving, starting or waiting to be placed."""
    return int(st[S_SERVING] + st[S_STARTING] + st[S_PLACING])


@numba.njit(cache=True, nogil=True)
def _start(starting_ready: np.ndarray, st: np.ndarray, ready_step: int) -> None:
    for j in range(starting_ready.shape[0]):
        if starting_ready[j] < 0:
            starting_ready[j] = ready_step
            break
    st[S_STARTING] += 1


@numba.njit(cache=True, nogil=True)
def place_and_start(
    starting_ready: np.ndarray, st: np.ndarray, events: np.ndarray, i: int, now: float, start_steps: int, room: int
) -> None:
    """Place waiting tasks while ``room`` allows (EC2), each serving ``start_steps`` later."""
    while st[S_PLACING] > 0 and room > 0:
        _start(starting_ready, st, i + start_steps)
        st[S_PLACING] -= 1
        room -= 1
        log(events, st, now, EV_PLACED)


@numba.njit(cache=True, nogil=True)
def set_desired(
    starting_ready: np.ndarray, st: np.ndarray, events: np.ndarray, i: int, now: float, start_steps: int, ec2: bool,
    target: int,
) -> None:  # fmt: skip
    """Move the desired count to ``target`` at ``now`` (the end of step ``i - 1``): new tasks are placed
    (Fargate) or wait for room (EC2); a scale in stops tasks not yet serving first, then serving ones."""
    active = active_tasks(st)
    if target == active:
        return
    log(events, st, now, EV_SCALE_OUT if target > active else EV_SCALE_IN, active, target)
    for _ in range(target - active):
        if ec2:
            st[S_PLACING] += 1
        else:
            _start(starting_ready, st, i + start_steps)
            log(events, st, now, EV_PLACED)
    for _ in range(active - target):
        log(events, st, now, EV_STOP)
        if st[S_PLACING] > 0:
            st[S_PLACING] -= 1
            continue
        stopped = False
        for j in range(starting_ready.shape[0]):
            if starting_ready[j] >= 0:
                starting_ready[j] = -1
                st[S_STARTING] -= 1
                stopped = True
                break
        if not stopped:
            st[S_SERVING] -= 1
