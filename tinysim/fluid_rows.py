"""The fluid kernel's event rows (t, kind, a, b) split in one compiled pass: the CloudWatch datapoints
before the horizon as columns, and the positions of the control events."""

from __future__ import annotations

import numba
import numpy as np

from tinysim.fluid_tasks import EV_CLUSTER_DATAPOINT, EV_SERVICE_DATAPOINT

__all__ = ["split_rows"]


@numba.njit(cache=True, nogil=True)
def split_rows(
    rows: np.ndarray, horizon_s: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """``rows`` (n, 4) in time order -> the datapoints logged before ``horizon_s`` (s; the request engine
    stops there, before the period ending at it is evaluated) as time (s), value (NaN when missing),
    whether the scale-out alarm was in ALARM and whether it is the cluster's (each shape (m,)); and the
    row index of every control event (every row that is not a datapoint, shape (c,))."""
    n = rows.shape[0]  # room for every row: one pass, the unused ends are never touched
    t_s, value = np.empty(n), np.empty(n)
    in_alarm, cluster = np.empty(n, dtype=np.bool_), np.empty(n, dtype=np.bool_)
    control = np.empty(n, dtype=np.int64)
    m = c = 0
    for i in range(n):
        kind = rows[i, 1]
        if kind in (EV_SERVICE_DATAPOINT, EV_CLUSTER_DATAPOINT):
            if rows[i, 0] < horizon_s:
                t_s[m], value[m] = rows[i, 0], rows[i, 2]
                in_alarm[m], cluster[m] = rows[i, 3] > 0, kind == EV_CLUSTER_DATAPOINT
                m += 1
        else:
            control[c] = i
            c += 1
    return t_s[:m], value[:m], in_alarm[:m], cluster[:m], control[:c]
