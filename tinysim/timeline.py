"""A run's per-minute timeline at a coarser step, for drawing: a month has 43,200 minutes but a chart
is a thousand pixels wide. Only what is drawn is coarsened; the run's own figures are untouched."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

__all__ = ["PEAK_COLUMNS", "coarsen"]

#: Columns where a bucket shows its worst minute (latency percentiles, fleet sizes); the others
#: show the bucket's mean per minute (request counts, CPU, concurrency).
PEAK_COLUMNS = (
    "latency_p50_ms",
    "latency_p95_ms",
    "latency_p99_ms",
    "tasks_running",
    "tasks_pending",
    "instances",
    "lambda_concurrency",
)


def coarsen(timeline: pd.DataFrame, max_points: int = 720) -> pd.DataFrame:
    """At most ``max_points`` rows: buckets of whole minutes, ``t_h`` their start in hours.

    Counts become the bucket's mean per minute, so the y axis keeps its unit (per minute).
    """
    n = len(timeline)
    step = max(1, math.ceil(n / max_points))
    bucket = np.arange(n) // step
    numeric = timeline.drop(columns=[c for c in ("minute",) if c in timeline.columns])
    peak = [c for c in numeric.columns if c in PEAK_COLUMNS]
    rest = [c for c in numeric.columns if c not in PEAK_COLUMNS and c != "t_s"]
    grouped = numeric.groupby(bucket)
    out = pd.concat([grouped[rest].mean(), grouped[peak].max(), grouped["t_s"].min()], axis=1)
    out["t_h"] = out["t_s"] / 3600
    out.attrs["minutes_per_point"] = step
    return out.reset_index(drop=True)
