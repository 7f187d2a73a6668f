"""The serving tasks' backlogs in the fluid container stack: requests queued at each task, moved a step at
a time (in at the task's share of the admitted requests, out at its serving capacity), and the share of a
step's requests whose wait passes the front door's limit.

Shapes: ``backlogs`` float (at least the serving tasks), requests queued at each serving task, in task order.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["backlog_after", "equal_share", "fill_level", "grow_backlogs", "late_share", "serve_backlogs"]


@numba.njit(cache=True, nogil=True, inline="always")
def late_share(w0_s: float, w1_s: float, limit_s: float) -> float:  # pragma: no cover - compiled
    """Share of a step's arrivals (evenly spread) whose wait, linear from ``w0_s`` to ``w1_s`` across
    the step (below 0 once the backlog has emptied: the wait is 0 from there), exceeds ``limit_s``."""
    if limit_s < 0 or (w0_s > limit_s and w1_s > limit_s):
        return 1.0
    if w0_s <= limit_s and w1_s <= limit_s:
        return 0.0
    return (max(w0_s, w1_s) - limit_s) / abs(w1_s - w0_s)


@numba.njit(cache=True, nogil=True)
def fill_level(backlogs: np.ndarray, n_tasks: int, admitted: float) -> float:  # pragma: no cover - compiled
    """The level the ``admitted`` requests fill the ``n_tasks`` backlogs up to when each goes to the task
    with the least queued (least outstanding requests, or one queue in front of every slot): the
    shares are ``max(0, level - backlog)``."""
    b = np.sort(backlogs[:n_tasks])
    acc = 0.0
    for k in range(n_tasks):
        # fill the k + 1 lowest up to the next one's backlog (or the end)
        nxt = b[k + 1] if k + 1 < n_tasks else math.inf
        acc += b[k]
        level = (admitted + acc) / (k + 1)
        if level <= nxt:
            return float(level)
    return math.inf  # pragma: no cover - the last level is always below infinity


@numba.njit(cache=True, nogil=True, inline="always")
def serve_backlogs(
    backlogs: np.ndarray,
    n_tasks: int,
    admitted: float,
    cap_per_task: float,
    dt: float,
    limit_s: float,
    join_shortest: bool,
) -> tuple[float, float, float, bool, bool, bool]:  # pragma: no cover - compiled
    """One step of ``n_tasks`` serving tasks' backlogs (requests, updated in place), each taking an
    equal share of ``admitted`` (round robin, random) or joining the least queued (``join_shortest``:
    :func:`fill_level`), and serving ``cap_per_task`` requests/s.

    Returns (requests completed, requests late: their wait exceeds ``limit_s``, the served requests'
    mean wait (s): each task's at the step's end, at most ``limit_s``, whether any task had a backlog during
    the step, whether one has at its end, whether the step is saturated: with equal shares, every task's
    backlog ended at least as long as it began and every request was late, so the next step with the same
    admitted requests is late throughout again and writes the same numbers; only the backlogs move, by
    :func:`backlog_after` each step)."""
    share = equal_share(admitted, n_tasks)
    served = cap_per_task * dt  # a task's requests served in a step when it has enough
    level = fill_level(backlogs, n_tasks, admitted) if join_shortest else 0.0
    done = late = wait = served_w = 0.0
    queued = ends_queued = False
    saturated = not join_shortest
    for k in range(n_tasks):
        b0 = backlogs[k]
        if join_shortest:
            share = max(0.0, level - b0)
        left = b0 + share - served  # below 0: the backlog empties within the step
        done += min(b0 + share, served)
        backlogs[k] = backlog_after(b0, share, served)
        if backlogs[k] > 1e-9 or b0 > 1e-9:
            queued = True
            over = late_share(b0 / cap_per_task, left / cap_per_task, limit_s)
            late += share * over
            served_w += share * (1.0 - over)
            wait += share * (1.0 - over) * min(backlogs[k] / cap_per_task, max(limit_s, 0.0))
            ends_queued = ends_queued or backlogs[k] > 1e-9
            saturated = saturated and over == 1.0 and left >= b0
        else:
            served_w += share  # waits 0 here (Erlang C's wait is taken where no task has a backlog)
            saturated = False
    return done, late, wait / served_w if served_w > 0 else 0.0, queued, ends_queued, saturated


@numba.njit(cache=True, nogil=True, inline="always")
def equal_share(admitted: float, n_tasks: int) -> float:  # pragma: no cover - compiled
    """Each task's requests when ``admitted`` go to ``n_tasks`` in turn or at random."""
    return admitted / n_tasks


@numba.njit(cache=True, nogil=True, inline="always")
def backlog_after(b0: float, share: float, served: float) -> float:  # pragma: no cover - compiled
    """A task's backlog (requests) after a step that brings it ``share`` requests and can serve ``served``."""
    return max(0.0, b0 + share - served)


@numba.njit(cache=True, nogil=True)
def grow_backlogs(
    backlogs: np.ndarray, n_tasks: int, admitted: float, served: float, steps: int
) -> None:  # pragma: no cover
    """The serving tasks' backlogs after ``steps`` saturated steps of ``admitted`` requests each (as
    :func:`serve_backlogs` moves them, step by step: the same floats)."""
    share = equal_share(admitted, n_tasks)
    for k in range(n_tasks):
        b = backlogs[k]
        for _ in range(steps):
            b = backlog_after(b, share, served)
        backlogs[k] = b
