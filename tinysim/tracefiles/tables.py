"""Tables of counts per interval: CSV, Parquet, and the CloudWatch console's CSV download (a time
column, then one column per metric)."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pandas as pd

from tinysim.errors import TraceError
from tinysim.logs.files import open_text
from tinysim.tracefiles.series import MAX_COUNT_PER_INTERVAL, RawSeries, count_text

__all__ = ["TIME_NAMES", "parse_times", "read_frame", "read_table"]

#: Header names taken for the time column of a CloudWatch CSV when none is named.
TIME_NAMES = ("timestamp", "time", "date", "datetime", "timestamps")


def read_frame(path: Path, fmt: str, where: str) -> pd.DataFrame:
    """The table as text cells ("" where empty) for CSV, native types for Parquet."""
    try:
        if fmt == "parquet":
            return pd.read_parquet(path)
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True, skip_blank_lines=False)
    except ImportError:
        raise TraceError(f"{where}: reading Parquet needs pyarrow (pip install 'tinysim[parquet]')") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, OSError) as exc:
        kind = "Parquet file" if fmt == "parquet" else "CSV"
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise TraceError(f"{where}: not a readable {kind} ({first})") from None
    if not isinstance(frame.index, pd.RangeIndex):  # pandas took the surplus leading cells for an index
        _refuse_ragged(path, where)
    # a blank line is a row with an empty cell (a one-column file has nothing else); trailing ones are not rows
    frame = frame.fillna("")
    blank = (frame.apply(lambda col: col.astype(str).str.strip()) == "").all(axis=1).to_numpy()
    end = len(frame) - int(np.argmin(blank[::-1])) if not blank.all() else 0
    return frame.iloc[:end]


def _refuse_ragged(path: Path, where: str) -> None:
    """Name the first row with more fields than the header (rows are lines of the file)."""
    with open_text(path) as fh:  # plain or gzip, as pandas read it
        rows = csv.reader(fh, skipinitialspace=True)
        width = len(next(rows, []))
        for line, cells in enumerate(rows, start=2):
            if len(cells) > width:
                raise TraceError(f"{where}: row {line} has {len(cells)} fields, the header {width}")
    raise TraceError(f"{where}: rows have more fields than the header ({width})")


def _numbers(frame: pd.DataFrame, col: str, where: str, header_rows: int, kind: str = "counts") -> np.ndarray:
    """Counts of a column: NaN where a cell is empty; anything else that is not a number >= 0 is an error."""
    raw = frame[col]
    text = raw.dtype == object or pd.api.types.is_string_dtype(raw)
    empty = (raw.isna() | (raw.astype(str).str.strip() == "")) if text else raw.isna()
    values = np.array(pd.to_numeric(raw.where(~empty, None), errors="coerce"), dtype=float)
    out_of_range = (
        ~np.isfinite(values) | (values < 0) | ((values > MAX_COUNT_PER_INTERVAL) if kind == "counts" else False)
    )
    bad = np.flatnonzero((~empty.to_numpy()) & out_of_range)
    if bad.size:
        row = int(bad[0])
        cell = raw.iloc[row]
        shown = count_text(cell.item() if isinstance(cell, np.generic) else cell)
        bound = f"from 0 to {MAX_COUNT_PER_INTERVAL:,} per interval" if kind == "counts" else ">= 0"
        raise TraceError(f"{where}: column {col!r} row {row + header_rows} is {shown}; {kind} must be numbers {bound}")
    values[empty.to_numpy()] = np.nan
    return values


#: Epoch seconds of 1980-01-01T00:00:00Z: a "time" before it is a row or minute index, not a time.
EARLIEST_EPOCH_S = 315_532_800


def _epoch_s(values: np.ndarray, cells: pd.Series, where: str, col: str, header_rows: int) -> np.ndarray:
    early = np.flatnonzero(values < EARLIEST_EPOCH_S)
    if early.size:
        row = int(early[0])
        raise TraceError(
            f"{where}: column {col!r} row {row + header_rows} is {cells.iloc[row]!r}, as epoch seconds a time "
            "before 1980; a minute or row index is not a time: drop timestamp_column and set interval_s"
        )
    return values


def parse_times(cells: pd.Series, where: str, col: str, header_rows: int) -> np.ndarray:
    """Epoch seconds of ISO 8601 times (naive ones are UTC) or of epoch seconds; names a bad row."""
    if pd.api.types.is_datetime64_any_dtype(cells):
        stamps = pd.to_datetime(cells, utc=True)
    else:
        text = cells.astype(str).str.strip()
        numeric = pd.to_numeric(text, errors="coerce")
        if numeric.notna().all():
            return _epoch_s(numeric.to_numpy(dtype=float), cells, where, col, header_rows)
        stamps = pd.to_datetime(text, utc=True, errors="coerce", format="ISO8601")
        if numeric.notna().any() and stamps.notna().any():
            num, iso = int(np.argmax(numeric.notna().to_numpy())), int(np.argmax(stamps.notna().to_numpy()))
            raise TraceError(
                f"{where}: column {col!r} mixes formats: row {num + header_rows} is epoch seconds "
                f"({cells.iloc[num]!r}), row {iso + header_rows} ISO 8601 ({cells.iloc[iso]!r}); use one format"
            )
    bad = np.flatnonzero(stamps.isna().to_numpy())
    if bad.size:
        row = int(bad[0])
        raise TraceError(
            f"{where}: column {col!r} row {row + header_rows} is {cells.iloc[row]!r}; "
            "timestamps are ISO 8601 (2024-05-01T13:00:00Z) or epoch seconds"
        )
    return np.asarray((stamps - pd.Timestamp(0, tz="UTC")) / pd.Timedelta(seconds=1), dtype=float)


def _cloudwatch_columns(frame: pd.DataFrame, column: str, time_col: str | None, where: str) -> tuple[str, str]:
    cols = [str(c) for c in frame.columns]
    if time_col is None:
        named = [c for c in cols if c.strip().lower() in TIME_NAMES]
        time_col = named[0] if named else cols[0]
    if column not in cols:
        metrics = [c for c in cols if c != time_col]
        if len(metrics) != 1:
            raise TraceError(f"{where}: no column {column!r}; pick the metric with traffic.column, one of {metrics}")
        column = metrics[0]
    return column, time_col


def read_table(
    path: Path,
    fmt: str,
    column: str,
    bytes_column: str | None,
    timestamp_column: str | None,
    where: str,
) -> RawSeries:
    """The count column (and bytes and time columns) of a table; see :func:`read_frame`."""
    frame = read_frame(path, fmt, where)
    header_rows = 1 if fmt == "parquet" else 2  # CSV rows are named by their line in the file
    if fmt == "cloudwatch-csv":
        column, timestamp_column = _cloudwatch_columns(frame, column, timestamp_column, where)
    elif timestamp_column is None:  # a recognisable time column is used (the caller notes it), never ignored
        timestamp_column = next((str(c) for c in frame.columns if str(c).strip().lower() in TIME_NAMES), None)
    for col in [column, bytes_column, timestamp_column]:
        if col is not None and col not in frame.columns:
            raise TraceError(f"{where}: no column {col!r}; columns are {list(map(str, frame.columns))}")
    if len(frame) == 0:
        raise TraceError(f"{where}: no rows")
    values = _numbers(frame, column, where, header_rows)
    nbytes = _numbers(frame, bytes_column, where, header_rows, "bytes") if bytes_column else None
    times = parse_times(frame[timestamp_column], where, timestamp_column, header_rows) if timestamp_column else None
    rows = np.arange(len(frame)) + header_rows
    if fmt == "cloudwatch-csv" and times is not None and times.size > 1 and bool(np.all(np.diff(times) < 0)):
        # the console lists newest first; undone like the JSON export's order
        rev = slice(None, None, -1)
        return RawSeries(where, column, values[rev], None if nbytes is None else nbytes[rev], times[rev], rows[rev])
    return RawSeries(where, column, values, nbytes, times, rows)
