"""What a run returns: DataFrames built once at the end from the engine's records, the bill, and the
typed summary (``tinysim.summary``) whose JSON form ``tinysim run --json`` prints."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.scenario import Scenario
from tinysim.costs import Bill
from tinysim.stats import LogHistogram
from tinysim.summary import (
    Failures,
    LambdaStats,
    LatencyStats,
    RequestCounts,
    RunSummary,
    Scaling,
    ServedLatency,
    latency_over_all,
)

__all__ = ["Rows", "SimResult", "stats_ms", "step_series", "summary_of"]


@dataclass(frozen=True)
class Rows:
    """A frame's rows as the run recorded them (tuples in ``columns`` order), made a frame on first use."""

    rows: Sequence[tuple[Any, ...]]
    columns: tuple[str, ...]


ColumnData = pd.DataFrame | Mapping[str, np.ndarray]
FrameData = ColumnData | Rows


@dataclass(frozen=True)
class SimResult:
    """A forecast: per-minute timeline, control events, hourly usage, the month's bill, a summary.

    The frames are built from the run's arrays on first use, so a sweep that reads only the bill
    and the summary never pays for them.
    """

    scenario: Scenario
    timeline_data: ColumnData
    events_data: FrameData
    datapoints_data: FrameData
    hourly_data: ColumnData
    bill: Bill
    summary: RunSummary

    @cached_property
    def events(self) -> pd.DataFrame:
        """Control events: time, kind (scale_out, task_serving, instance_launch, ...) and details."""
        return _frame(self.events_data)

    @cached_property
    def datapoints(self) -> pd.DataFrame:
        """CloudWatch datapoints: time, metric, value and whether its alarm was in ALARM."""
        return _frame(self.datapoints_data)

    @cached_property
    def timeline(self) -> pd.DataFrame:
        """One row per minute (state at the end of the minute; counts of requests that arrived in it)."""
        return _frame(self.timeline_data)

    @cached_property
    def hourly_usage(self) -> pd.DataFrame:
        """One row per simulated hour: requests, bytes, compute hours, ALB LCU dimensions."""
        return _frame(self.hourly_data)

    def alb_lcus(self) -> pd.DataFrame:
        """LCUs per hour on each of the ALB's four dimensions (the hour bills the largest), with ``hour``."""
        from models.prices import load_price_book
        from tinysim.costs.alb import DIMENSIONS
        from tinysim.usage import lcus_by_dimension

        hourly = self.hourly_usage
        cols = {c: hourly[c].to_numpy(dtype=float) for c in hourly.columns}
        lambda_target = self.scenario.resolved_plan().architecture == "serverless"
        dims = lcus_by_dimension(cols, load_price_book(self.scenario.price_book), lambda_target)
        frame = pd.DataFrame(dict(zip(DIMENSIONS, dims, strict=True)))
        frame.insert(0, "hour", np.arange(len(frame)))
        return frame

    def write(self, out_dir: str | Path, fmt: str = "csv") -> list[Path]:
        """Write the frames (CSV or Parquet) and ``summary.json`` into ``out_dir``."""
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        written = []
        for name in ("timeline", "events", "datapoints", "hourly_usage"):
            frame: pd.DataFrame = getattr(self, name)
            if name == "events":
                frame = frame.assign(detail=frame["detail"].map(json.dumps))
            path = out / f"{name}.{fmt}"
            if fmt == "parquet":
                frame.to_parquet(path, index=False)
            else:
                frame.to_csv(path, index=False)
            written.append(path)
        bill_path = out / "bill.json"
        bill_path.write_text(json.dumps(self.bill.as_json(), indent=2) + "\n")
        summary = out / "summary.json"
        summary.write_text(json.dumps(self.summary.as_json(), indent=2) + "\n")
        return [*written, bill_path, summary]


def _frame(data: FrameData) -> pd.DataFrame:
    if isinstance(data, pd.DataFrame):
        return data
    if isinstance(data, Rows):
        return pd.DataFrame(list(data.rows), columns=list(data.columns))
    return pd.DataFrame(dict(data))


def step_series(changes: list[tuple[float, int]], horizon_s: float, step_s: float) -> np.ndarray:
    """Time-average of a step function over consecutive buckets of ``step_s`` seconds."""
    n = math.ceil(horizon_s / step_s)
    edges = np.minimum(np.arange(n + 1) * step_s, horizon_s)
    if not changes:
        return np.zeros(n)
    times = np.array([t for t, _ in changes] + [horizon_s])
    values = np.array([v for _, v in changes], dtype=float)
    # cumulative integral at each change point, then interpolate at bucket edges
    cum = np.concatenate(([0.0], np.cumsum(values * np.diff(times))))
    at_edges = np.interp(edges, times, cum)
    widths = np.diff(edges)
    return np.asarray(np.diff(at_edges) / np.where(widths > 0, widths, 1))


def stats_ms(h: LogHistogram) -> LatencyStats:
    """Mean, p50, p95, p99 and maximum of a histogram of seconds, in ms (``None`` when empty)."""
    if not h.n:
        return LatencyStats(None, None, None, None, None)
    return LatencyStats(
        h.mean * 1000, h.quantile(0.5) * 1000, h.quantile(0.95) * 1000, h.quantile(0.99) * 1000, h.maximum * 1000
    )


def summary_of(
    scenario: Scenario,
    requests: RequestCounts,
    latency_ms: LatencyStats,
    wait_ms: LatencyStats,
    bill: Bill,
    scaling: Scaling,
    lam: LambdaStats,
    month_factor: float,
    served: ServedLatency,
    with_bill: bool = True,
) -> RunSummary:
    """The run's summary, with failures by cause and the latency over all requests derived here once."""
    failures = Failures(
        max(0, requests.throttled - lam.throttles), lam.throttles, requests.timed_out, payload=requests.failed
    )
    return RunSummary(
        fidelity=scenario.fidelity,
        seed=scenario.seed,
        horizon_s=scenario.horizon_s,
        requests=requests,
        failures=failures,
        latency_ms=latency_ms,
        latency_all_ms=latency_over_all(served, latency_ms, requests.served, failures.total),
        wait_ms=wait_ms,
        scaling=scaling,
        lambda_=lam,
        bill=bill,
        month_factor=month_factor,
        itemised=with_bill,
        served=served,
    )
