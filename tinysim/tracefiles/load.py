"""``load_trace(spec)``: a scenario's trace, whatever file it is in, as a regular :class:`Trace`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from models.scenario import TraceTraffic
from tinysim.errors import LogError, TraceError
from tinysim.logs import log_files, read_logs
from tinysim.tracefiles.cloudwatch import read_cloudwatch_json
from tinysim.tracefiles.series import RawSeries, Trace, regularize
from tinysim.tracefiles.sniff import refuse_binary, sniff_format
from tinysim.tracefiles.tables import read_table

__all__ = ["load_trace", "read_raw", "trace_notes"]


def read_raw(spec: TraceTraffic, where: str | None = None) -> tuple[str, RawSeries, tuple[str, ...]]:
    """(format, values as read, notes) of the spec's file, before the missing policy; messages start
    with ``where`` (default: the scenario field, ``traffic.csv='day.csv'``)."""
    where = where or f"traffic.csv={spec.csv!r}"
    path = Path(spec.csv)
    if not path.exists():
        raise TraceError(f"{where}: file not found")
    if path.is_dir():
        try:
            log_files([path])
        except LogError:
            raise TraceError(
                f"{where}: is a folder, and the folder holds no log files (folders are read as access logs)"
            ) from None
    try:
        fmt = spec.format or sniff_format(path)
    except TraceError as exc:  # the reader names the file; the line names the field too
        raise TraceError(f"{where}: {exc}") from None
    if spec.format and spec.format != "parquet" and path.is_file():
        refuse_binary(path, where)  # named as such, not as a table or JSON that fails to parse
    if path.is_dir() and fmt not in ("alb-log", "clf"):
        raise TraceError(f"{where}: is a folder; only access logs (alb-log, clf) are read from folders")
    if fmt == "cloudwatch-json":
        return fmt, _whole(read_cloudwatch_json(path, spec.column, where), spec), ()
    if fmt in ("alb-log", "clf"):
        try:
            logs = read_logs([path], "alb-log" if fmt == "alb-log" else "clf", spec.interval_s)
        except LogError as exc:
            raise TraceError(f"{where}: {exc}") from None
        n = logs.counts.size
        times = logs.start_epoch_s + logs.interval_s * np.arange(n, dtype=float)
        raw = RawSeries(
            where,
            "requests",
            logs.counts.astype(float),  # an interval without entries had no requests: 0, not missing
            logs.response_bytes if spec.bytes_column else None,
            times,
            np.arange(1, n + 1),
            row_word="interval",
        )
        return fmt, raw, ((logs.malformed_note(),) if logs.malformed else ())
    raw = _whole(read_table(path, fmt, spec.column, spec.bytes_column, spec.timestamp_column, where), spec)
    notes: tuple[str, ...] = ()
    if fmt in ("csv", "parquet") and spec.timestamp_column is None and raw.times_s is not None:
        notes = ("rows placed by their time column (set traffic.timestamp_column to name another)",)
    return fmt, raw, notes


def _whole(raw: RawSeries, spec: TraceTraffic) -> RawSeries:
    """``counts: "exact"`` replays each count as that many requests: a fraction is refused, not truncated."""
    if spec.counts == "exact":
        frac = np.flatnonzero(np.isfinite(raw.values) & (raw.values != np.round(raw.values)))
        if frac.size:
            k = int(frac[0])
            raise TraceError(
                f"{raw.where}: {raw.row_word} {raw.rows[k]} of column {raw.column!r} is {raw.values[k]:g}; "
                'with traffic.counts "exact" counts are whole numbers of requests (use "poisson" for rates)'
            )
    return raw


_READING = {"kind", "csv", "column", "interval_s", "bytes_column", "timestamp_column", "missing", "format", "counts"}


@lru_cache(maxsize=16)
def _cached(spec_json: str, stamp: tuple[float, int]) -> Trace:
    spec = TraceTraffic.model_validate_json(spec_json)
    _, raw, notes = read_raw(spec)
    trace = regularize(raw, spec.interval_s, spec.missing)
    for a in (trace.counts, trace.bytes, trace.skipped):
        if a is not None:
            a.setflags(write=False)
    return Trace(trace.counts, trace.bytes, trace.interval_s, trace.start_epoch_s, trace.skipped, trace.filled, notes)


def load_trace(spec: TraceTraffic) -> Trace:
    """The trace a scenario replays (read once per file version, then shared read-only).

    Raises :class:`~tinysim.errors.TraceError` with one line naming the file, the row or column and
    the rule (missing file, unreadable table, bad count, times out of order, a missing interval when
    ``missing`` is ``"error"``, malformed logs).
    """
    path = Path(spec.csv)
    try:
        st = path.stat()
        stamp = (st.st_mtime, st.st_size)
    except OSError:
        raise TraceError(f"traffic.csv={spec.csv!r}: file not found") from None
    # only what reading depends on: a sweep over scale or weekly factors reads the file once
    reading = spec.model_dump_json(include=_READING)
    return _cached(reading, stamp)


def trace_notes(traffic: object, horizon_s: float | None = None) -> tuple[str, ...]:
    """What a replay should tell its user about its trace (malformed log lines skipped, intervals
    filled or cut, the trace repeated because ``horizon_s`` is longer), one line each; nothing for
    other traffic."""
    if not isinstance(traffic, TraceTraffic):
        return ()
    trace = load_trace(traffic)
    notes = [f"traffic.csv={traffic.csv!r}: {n}" for n in trace.notes]
    if trace.filled:
        notes.append(f"traffic.csv={traffic.csv!r}: {trace.filled} missing interval(s) filled ({traffic.missing})")
    if trace.skipped.size:
        notes.append(f"traffic.csv={traffic.csv!r}: {trace.skipped.size} missing interval(s) cut out (skip)")
    span_s = (trace.counts.size + trace.skipped.size) * trace.interval_s  # on the file's own timeline
    if horizon_s is not None and horizon_s > span_s:
        notes.append(f"traffic.csv={traffic.csv!r}: trace is {span_s:,} s; repeated to fill {horizon_s:,.0f} s")
    return tuple(notes)
