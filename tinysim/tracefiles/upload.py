"""An uploaded trace file: saved under a name that keeps its kind, its format sniffed, and the column
choices a person makes (count column, time column, what an empty interval means)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from tinysim.errors import TinysimError
from tinysim.tracefiles.series import MISSING_CHOICES
from tinysim.tracefiles.sniff import sniff_format
from tinysim.tracefiles.tables import TIME_NAMES

__all__ = ["NO_TIME", "UploadChoices", "save_upload", "upload_choices", "upload_traffic"]

#: The time-column choice meaning "rows are consecutive intervals".
NO_TIME = "(none: one row per interval)"
_SUFFIXES = (".gz", ".parquet", ".json", ".csv", ".log", ".txt")


@dataclass(frozen=True)
class UploadChoices:
    """What can be picked for an uploaded file: its format, the count column (first option is the
    default), the time column (first option the default; :data:`NO_TIME` for none), missing policies."""

    format: str
    count_options: tuple[str, ...]
    time_options: tuple[str, ...]
    missing_options: tuple[str, ...] = MISSING_CHOICES


def save_upload(data: bytes, name: str, folder: Path) -> Path:
    """Write the bytes to ``folder`` under a content-addressed name ending like ``name`` did."""
    suffix = next((s for s in _SUFFIXES if name.lower().endswith(s)), ".dat")
    path = folder / f"tinysim-upload-{hashlib.sha256(data).hexdigest()[:16]}{suffix}"
    if not path.exists():
        path.write_bytes(data)
    return path


def _columns(path: Path, fmt: str) -> tuple[list[str], list[str]]:
    """(columns, those holding times: named like one or reading as ISO 8601 times)."""
    if fmt == "cloudwatch-json":
        doc: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
        return [str(r.get("Label") or r.get("Id")) for r in doc.get("MetricDataResults", [])], []
    head = pd.read_parquet(path).head(5) if fmt == "parquet" else pd.read_csv(path, nrows=5, dtype=str)
    cols = [str(c) for c in head.columns]
    times = [c for c in cols if c.strip().lower() in TIME_NAMES]
    for c in cols:
        cells = head[c]
        if c in times or len(cells) == 0 or pd.to_numeric(cells, errors="coerce").notna().all():
            continue
        if pd.to_datetime(cells.astype(str), utc=True, errors="coerce", format="ISO8601").notna().all():
            times.append(c)
    return cols, times


#: CloudWatch publishes no datapoint for a period without requests (the ALB's RequestCount is reported
#: only when nonzero: docs.aws.amazon.com/elasticloadbalancing/latest/application/
#: load-balancer-cloudwatch-metrics.html, "Reporting criteria"), so an absent interval there means zero.
CLOUDWATCH_MISSING = ("zero", *(m for m in MISSING_CHOICES if m != "zero"))


def upload_choices(path: Path) -> UploadChoices:
    """The format and column options of an uploaded file. A file that cannot be read gets the default
    choices; reading it for the run then reports what is wrong in one line."""
    try:
        fmt = sniff_format(path)
    except TinysimError:
        return UploadChoices("csv", ("requests",), (NO_TIME,))
    if fmt in ("alb-log", "clf"):
        return UploadChoices(fmt, (), ())
    try:
        cols, times = _columns(path, fmt)
    except (ValueError, OSError, TypeError, AttributeError, pd.errors.ParserError, pd.errors.EmptyDataError):
        cols, times = [], []
    if fmt == "cloudwatch-json":
        return UploadChoices(fmt, tuple(cols) or ("requests",), (), CLOUDWATCH_MISSING)
    if fmt == "cloudwatch-csv" and not times and cols:
        times = [cols[0]]
    counts = [c for c in cols if c not in times]
    if "requests" in counts:
        counts.remove("requests")
    first = "requests" if "requests" in cols or fmt == "csv" or not counts else counts.pop(0)
    time_opts = (*times, NO_TIME, *(c for c in cols if c not in times))
    missing = CLOUDWATCH_MISSING if fmt == "cloudwatch-csv" else MISSING_CHOICES
    return UploadChoices(fmt, (first, *counts), time_opts, missing)


def upload_traffic(
    path: Path, choices: UploadChoices, column: str | None, time_column: str | None, missing: str
) -> dict[str, Any]:
    """The scenario's ``traffic`` for the upload and the picks made."""
    traffic: dict[str, Any] = {"kind": "trace", "csv": str(path), "format": choices.format, "interval_s": 60}
    traffic["missing"] = missing if missing in MISSING_CHOICES else "error"
    if column:
        traffic["column"] = column
    if time_column and time_column != NO_TIME:
        traffic["timestamp_column"] = time_column
    return traffic
