"""Scheduled actions on a run's clock: every time a scheduled action's cron names within the run, as
seconds from the scenario's ``start`` (simulated time 0, UTC), with the MinCapacity/MaxCapacity it sets.

At each such time Application Auto Scaling sets the scalable target's bounds and moves the desired
count into them (docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scheduled-scaling.html);
:func:`bounded_desired` is that move, compiled so the fluid kernel can call it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import numba
import numpy as np

from models.blueprint import ScheduledActionSpec
from models.cron import parse_cron

__all__ = ["BoundsChange", "bounded_desired", "bounds_changes", "changes_as_arrays"]


@dataclass(frozen=True)
class BoundsChange:
    """At ``time_s`` (seconds from the start) the service's bounds become [``min``, ``max``]."""

    time_s: float
    name: str
    min: int
    max: int


def bounds_changes(
    actions: tuple[ScheduledActionSpec, ...], start: datetime, horizon_s: float
) -> tuple[BoundsChange, ...]:
    """Every firing of ``actions`` in [start, start + horizon_s), in time order (ties: plan order).

    ``start`` must be an aware UTC datetime. Raises :class:`models.cron.CronError` on a bad expression
    (the plan's validation has refused those already)."""
    if not actions:
        return ()
    end = start + timedelta(seconds=horizon_s)
    first_day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    out: list[tuple[float, int, BoundsChange]] = []
    for order, action in enumerate(actions):
        cron = parse_cron(action.schedule)
        day = first_day
        while day < end:
            if cron.matches_day(day):
                for hour in sorted(cron.hours):
                    for minute in sorted(cron.minutes):
                        at = day.replace(hour=hour, minute=minute)
                        if start <= at < end:
                            t = (at - start).total_seconds()
                            out.append((t, order, BoundsChange(t, action.name, action.min, action.max)))
            day += timedelta(days=1)
    return tuple(change for _, _, change in sorted(out, key=lambda x: (x[0], x[1])))


def changes_as_arrays(changes: tuple[BoundsChange, ...]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The changes as three arrays (time_s float64, min int64, max int64) for compiled code."""
    return (
        np.array([c.time_s for c in changes], dtype=np.float64),
        np.array([c.min for c in changes], dtype=np.int64),
        np.array([c.max for c in changes], dtype=np.int64),
    )


@numba.njit(cache=True, nogil=True)
def bounded_desired(desired: int, lo: int, hi: int) -> int:
    """The desired count moved into [lo, hi] (unchanged when already inside)."""
    return min(hi, max(lo, desired))
