"""The fluid kernel's event rows (t, kind, a, b) split in one compiled pass: the CloudWatch datapoints
before the horizon as columns, and the positions of the control events."""

from __future__ import annotations

import numba
import numpy as np

from tinysim.fluid_tasks import EV_CLUSTER_DATAPOINT, EV_REPEAT, EV_SERVICE_DATAPOINT

__all__ = ["row_counts", "split_rows"]


@numba.njit(cache=True, nogil=True)
def row_counts(rows: np.ndarray) -> tuple[int, int]:  # pragma: no cover - compiled
    """Datapoints (at most: some may fall at or after the horizon) and control events among ``rows``."""
    m = c = 0
    for i in range(rows.shape[0]):
        kind = rows[i, 1]
        if kind in (EV_SERVICE_DATAPOINT, EV_CLUSTER_DATAPOINT):
            m += 1
        elif kind == EV_REPEAT:
            m += int(rows[i, 2]) * int(rows[i, 3])
        else:
            c += 1
    return m, c


@numba.njit(cache=True, nogil=True)
def split_rows(
    rows: np.ndarray,
    horizon_s: float,
    dt: float,
    t_s: np.ndarray,
    value: np.ndarray,
    in_alarm: np.ndarray,
    cluster: np.ndarray,
    control: np.ndarray,
) -> tuple[int, int]:  # pragma: no cover - compiled
    """``rows`` (n, 4) in time order -> the datapoints logged before ``horizon_s`` (s; the request engine
    stops there, before the period ending at it is evaluated) as time (s), value (NaN when missing),
    whether the scale-out alarm was in ALARM and whether it is the cluster's, written to the first ``m``
    places of ``t_s``, ``value``, ``in_alarm`` and ``cluster``; and the row index of every control event
    to the first ``c`` places of ``control``. An ``EV_REPEAT`` row is expanded: its datapoint rows again at
    the end of each step it covers (steps of ``dt`` seconds). Each output has the room ``row_counts``
    gives. Returns (m, c)."""
    m = c = 0
    for i in range(rows.shape[0]):
        kind = rows[i, 1]
        if kind in (EV_SERVICE_DATAPOINT, EV_CLUSTER_DATAPOINT):
            if rows[i, 0] < horizon_s:
                t_s[m], value[m] = rows[i, 0], rows[i, 2]
                in_alarm[m], cluster[m] = rows[i, 3] > 0, kind == EV_CLUSTER_DATAPOINT
                m += 1
        elif kind == EV_REPEAT:
            step, per = round(rows[i, 0] / dt), int(rows[i, 3])  # the first repeat's end, in steps
            steps = int(rows[i, 2])
            while steps > 0 and not (step + steps - 1) * dt < horizon_s:  # a step's end, as the kernel writes it
                steps -= 1
            for k in range(per):  # column by column: row i - per + k at each step
                e = i - per + k
                v, alarm, of_cluster = rows[e, 2], rows[e, 3] > 0, rows[e, 1] == EV_CLUSTER_DATAPOINT
                for q in range(steps):
                    t_s[m + q * per + k] = (step + q) * dt
                    value[m + q * per + k] = v
                    in_alarm[m + q * per + k] = alarm
                    cluster[m + q * per + k] = of_cluster
            m += steps * per
        else:
            control[c] = i
            c += 1
    return m, c
