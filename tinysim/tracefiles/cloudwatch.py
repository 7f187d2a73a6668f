"""CloudWatch exports as JSON: the output of ``aws cloudwatch get-metric-data`` (``MetricDataResults``,
each with ``Id``, ``Label``, ``Timestamps`` and ``Values``; newest first by default) and of
``aws cloudwatch get-metric-statistics`` (``Datapoints`` with ``Timestamp`` and ``Sum``).

CloudWatch writes no datapoint for a period without requests (``RequestCount``, ``Invocations``), so
such periods arrive as gaps in time: choose ``missing: "zero"`` for them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from models.errors import InputError
from models.validation import parse_json
from tinysim.errors import TraceError
from tinysim.tracefiles.series import MAX_COUNT_PER_INTERVAL, RawSeries, count_text
from tinysim.tracefiles.tables import parse_times

#: The count column a scenario reads when it names none.
DEFAULT_COLUMN = "requests"

__all__ = ["read_cloudwatch_json"]


def _name(r: object) -> str | None:
    if not isinstance(r, dict):
        return None
    label, ident = r.get("Label"), r.get("Id")
    return str(label) if label else (str(ident) if ident else None)


def _pick(results: list[Any], column: str, where: str) -> tuple[int, dict[str, Any]]:
    """The one result labelled ``column`` (or with that Id); the only result when no column was named."""
    for i, r in enumerate(results):
        if not isinstance(r, dict):
            raise TraceError(f"{where}: MetricDataResults[{i}] is {type(r).__name__}; each result is an object")
    names = [_name(r) for r in results]
    by_label = [i for i, r in enumerate(results) if r.get("Label") == column]
    pick = by_label or [i for i, r in enumerate(results) if r.get("Id") == column]
    if not pick and len(results) == 1 and column == DEFAULT_COLUMN and names[0]:
        pick = [0]  # no column named: the export's only metric
    if len(pick) > 1:
        raise TraceError(
            f"{where}: {len(pick)} results are labelled {column!r} (MetricDataResults {pick}); "
            f"keep one in the export; labels present: {names}"
        )
    if not pick:
        raise TraceError(
            f"{where}: no result labelled {column!r}; labels present: {names}; name the count metric with "
            "traffic.column (a result needs a Label or Id)"
        )
    return pick[0], results[pick[0]]


def _series(doc: dict[str, Any], column: str, where: str) -> tuple[list[Any], list[Any], str]:
    if "MetricDataResults" in doc:
        results = doc["MetricDataResults"]
        if not isinstance(results, list) or not results:
            raise TraceError(f"{where}: MetricDataResults is empty")
        i, r = _pick(results, column, where)
        if r.get("StatusCode", "Complete") != "Complete":
            raise TraceError(
                f"{where}: result {_name(r)!r} has StatusCode {r.get('StatusCode')!r}; "
                "fetch every page (NextToken) before replaying"
            )
        for key in ("Timestamps", "Values"):
            if not isinstance(r.get(key, []), list):
                raise TraceError(
                    f"{where}: MetricDataResults[{i}].{key} must be a list, not {type(r[key]).__name__} {r[key]!r}"
                )
        return list(r.get("Timestamps", [])), list(r.get("Values", [])), str(_name(r))
    if "Datapoints" in doc:
        points = doc["Datapoints"]
        if not isinstance(points, list):
            raise TraceError(f"{where}: Datapoints must be a list, not {type(points).__name__}")
        if not all(isinstance(p, dict) and "Sum" in p and "Timestamp" in p for p in points):
            raise TraceError(f"{where}: every datapoint needs Timestamp and Sum (ask for --statistics Sum)")
        return [p["Timestamp"] for p in points], [p["Sum"] for p in points], str(doc.get("Label", "Sum"))
    raise TraceError(f"{where}: not a CloudWatch export (no MetricDataResults or Datapoints)")


def read_cloudwatch_json(path: Path, column: str, where: str) -> RawSeries:
    """Timestamps and values of one metric, oldest first (CloudWatch's order is undone, not refused);
    a repeated timestamp is an error naming it."""
    try:
        doc = parse_json(path.read_text(encoding="utf-8"), where)  # nesting limited, a BOM accepted
    except UnicodeDecodeError as exc:
        raise TraceError(f"{where}: not valid JSON ({str(exc).splitlines()[0]})") from None
    except OSError as exc:
        raise TraceError(f"{where}: cannot be read ({exc.strerror or exc})") from None
    except InputError as exc:
        raise TraceError(f"{where}: not valid JSON ({exc.problems[0].removeprefix(where + ': ')})") from None
    if not isinstance(doc, dict):
        raise TraceError(f"{where}: not a CloudWatch export (expected a JSON object)")
    stamps, values, label = _series(doc, column, where)
    if len(stamps) != len(values):
        raise TraceError(f"{where}: {len(stamps)} Timestamps but {len(values)} Values")
    if not stamps:
        raise TraceError(f"{where}: the metric {label!r} has no datapoints")
    times = parse_times(pd.Series(stamps, dtype=object), where, "Timestamps", 0)
    numbers = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    bad = np.flatnonzero(~np.isfinite(numbers) | (numbers < 0) | (numbers > MAX_COUNT_PER_INTERVAL))
    if bad.size:
        raise TraceError(
            f"{where}: Values item {int(bad[0])} is {count_text(values[int(bad[0])])}; "
            f"counts must be numbers from 0 to {MAX_COUNT_PER_INTERVAL:,} per interval"
        )
    order = np.argsort(times, kind="stable")
    return RawSeries(where, label, numbers[order], None, times[order], order, row_word="datapoint")
