"""``calibrate(paths)``: measured traffic and a fitted workload from access logs or CloudWatch exports."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from models.scenario import MAX_SERVICE_MS, TraceTraffic, Workload
from tinysim.calibrate.fit import ServiceFit, fit_service_time
from tinysim.errors import TraceError
from tinysim.logs import read_logs
from tinysim.tracefiles import read_raw, regularize, sniff_format
from tinysim.tracefiles.series import utc_text

__all__ = ["Calibration", "calibrate"]

CLOUDWATCH_NOTE = (
    "a CloudWatch export gives traffic only: service time, payload sizes and connection reuse are left at "
    "their defaults (calibrate from ALB access logs to measure them)"
)
CLF_NOTE = (
    "Common/Combined Log Format gives traffic and response sizes only: service time, request sizes and "
    "connection reuse are left at their defaults"
)


@dataclass(frozen=True)
class Calibration:
    """What the data say: counts (and bytes) per interval, and the workload fitted to them."""

    format: str
    files: int
    lines: int
    malformed: int
    malformed_note: str
    interval_s: int
    start_epoch_s: float
    counts: np.ndarray
    request_bytes: np.ndarray | None
    response_bytes: np.ndarray | None
    workload: Workload
    service: ServiceFit | None
    requests_per_connection: float | None
    connection_s: float | None
    status: dict[str, int]
    notes: tuple[str, ...]

    @property
    def requests(self) -> int:
        return int(self.counts.sum())

    def status_shares(self) -> dict[str, float]:
        """Share of requests by status class ("2xx" ..., "-" for none) and by each code of 4xx and 5xx."""
        total = sum(self.status.values()) or 1
        out: dict[str, float] = {}
        for code, n in self.status.items():
            cls = f"{code[0]}xx" if code[:1].isdigit() else "-"
            out[cls] = out.get(cls, 0.0) + n / total
        for code, n in self.status.items():
            if code[:1] in ("4", "5"):
                out[code] = n / total
        return dict(sorted(out.items()))

    def as_json(self) -> dict[str, Any]:
        """The fit report as plain JSON types."""
        svc = self.service
        return {
            "format": self.format,
            "files": self.files,
            "lines": self.lines,
            "malformed_lines": self.malformed,
            "malformed": self.malformed_note,
            "requests": self.requests,
            "interval_s": self.interval_s,
            "intervals": int(self.counts.size),
            "start": utc_text(self.start_epoch_s),
            "service_time": None
            if svc is None
            else {
                "chosen": svc.chosen,
                "spec": svc.spec.model_dump(mode="json", exclude_none=True),
                "samples": svc.samples,
                "observed_mean_ms": svc.observed_mean_ms,
                "observed_p99_ms": svc.observed_p99_ms,
                "candidates": [
                    {"family": c.family, "params": list(c.params), "mean_ms": c.mean_ms, "p99_ms": c.p99_ms, "ks": c.ks}
                    for c in svc.candidates
                ],
                "qq": [{"p": p, "observed_ms": o, "fitted_ms": f} for p, o, f in svc.qq],
            },
            "request_kb": self.workload.request_kb if self.request_bytes is not None else None,
            "response_kb": self.workload.response_kb if self.response_bytes is not None else None,
            "requests_per_connection": self.requests_per_connection,
            "connection_s": self.connection_s,
            "status_shares": self.status_shares(),
            "workload": self.workload.model_dump(mode="json", exclude_none=True),
            "notes": list(self.notes),
        }


def _mean_bytes(per_interval: np.ndarray | None, requests: int) -> float | None:
    if per_interval is None or requests == 0:
        return None
    return float(per_interval.sum()) / requests


def _upper(field: str) -> float:
    """The largest value :class:`Workload` accepts for ``field`` (its ``le`` bound)."""
    return float(next(m.le for m in Workload.model_fields[field].metadata if getattr(m, "le", None) is not None))


def _bounded(wl: dict[str, Any], notes: list[str]) -> dict[str, Any]:
    """Fitted values clamped to what a scenario accepts, each clamp noted (no validation dump)."""
    units = {"request_kb": " KB", "response_kb": " KB", "requests_per_connection": "", "connection_s": " s"}
    for field, unit in units.items():
        top = _upper(field)
        if field in wl and wl[field] > top:
            notes.append(f"measured {field} {wl[field]:,g}{unit} is above the model's bound; {top:,g}{unit} used")
            wl[field] = top
    return wl


def _service_samples(service_s: np.ndarray, notes: list[str]) -> np.ndarray:
    top_s = MAX_SERVICE_MS / 1000
    over = int(np.count_nonzero(service_s > top_s))
    if over:
        notes.append(f"{over:,} service time(s) above {top_s:,g} s (the model's bound) counted as {top_s:,g} s")
    return np.asarray(np.minimum(service_s, top_s))


def _from_logs(
    paths: Sequence[str | Path], fmt: str, interval_s: int, progress: Callable[[int], None] | None
) -> Calibration:
    logs = read_logs(paths, "alb-log" if fmt == "alb-log" else "clf", interval_s, progress)
    fit = None
    notes: list[str] = [CLF_NOTE] if fmt == "clf" else []
    if logs.service_s is not None and logs.service_s.size >= 2:
        mean_s = None if logs.service_mean_s is None else min(logs.service_mean_s, MAX_SERVICE_MS / 1000)
        fit = fit_service_time(_service_samples(logs.service_s, notes), mean_s)
    elif fmt == "alb-log":
        notes.append(
            "fewer than two requests reached a target (target_processing_time -1): service time and "
            "connection time left at their defaults"
        )
    rx = _mean_bytes(logs.request_bytes, logs.requests)
    tx = _mean_bytes(logs.response_bytes, logs.requests)
    conn_s = None
    if logs.connection_span_s is not None and logs.service_mean_s is not None:
        conn_s = logs.connection_span_s + logs.service_mean_s  # first request to the last response
    wl: dict[str, Any] = {}
    if fit is not None:
        wl["service_time_ms"] = fit.spec
    if rx is not None:
        wl["request_kb"] = round(rx / 1000, 4)
    if tx is not None:
        wl["response_kb"] = round(tx / 1000, 4)
    if logs.requests_per_connection is not None:
        wl["requests_per_connection"] = round(max(1.0, logs.requests_per_connection), 4)
    if conn_s is not None:
        wl["connection_s"] = round(conn_s, 3)
    return Calibration(
        format=fmt,
        files=logs.files,
        lines=logs.lines,
        malformed=logs.malformed,
        malformed_note=logs.malformed_note(),
        interval_s=interval_s,
        start_epoch_s=logs.start_epoch_s,
        counts=logs.counts,
        request_bytes=logs.request_bytes,
        response_bytes=logs.response_bytes,
        workload=Workload.model_validate(_bounded(wl, notes)),
        service=fit,
        requests_per_connection=logs.requests_per_connection,
        connection_s=conn_s,
        status=logs.status,
        notes=tuple(notes),
    )


def _from_cloudwatch(path: str | Path, fmt: str, interval_s: int) -> Calibration:
    spec = TraceTraffic.model_validate(
        {"kind": "trace", "csv": str(path), "format": fmt, "missing": "zero", "interval_s": min(interval_s, 3600)}
    )
    _, raw, _ = read_raw(spec, f"calibrate: {str(path)!r}")
    trace = regularize(raw, spec.interval_s, "zero")  # CloudWatch writes no datapoint for a period without requests
    notes = [CLOUDWATCH_NOTE]
    if trace.filled:
        notes.append(f"{trace.filled} period(s) without a datapoint counted as 0 requests")
    return Calibration(
        format=fmt,
        files=1,
        lines=int(raw.values.size),
        malformed=0,
        malformed_note="",
        interval_s=trace.interval_s,
        start_epoch_s=trace.start_epoch_s or 0.0,
        counts=trace.counts,
        request_bytes=None,
        response_bytes=None,
        workload=Workload(),
        service=None,
        requests_per_connection=None,
        connection_s=None,
        status={},
        notes=tuple(notes),
    )


def calibrate(
    paths: Sequence[str | Path],
    fmt: str | None = None,
    interval_s: int = 60,
    progress: Callable[[int], None] | None = None,
) -> Calibration:
    """Measure traffic per ``interval_s`` (access logs are bucketed by the time each request was
    received) and fit the workload: service time from ``target_processing_time``, request and response
    sizes from ``received_bytes``/``sent_bytes``, requests per connection from ``client:port``.

    ``fmt`` is "alb-log", "clf", "cloudwatch-json" or "cloudwatch-csv" (sniffed from the first file
    when None). Raises :class:`~tinysim.errors.TinysimError` subclasses with one-line messages.
    """
    if not paths:
        raise TraceError("calibrate: give at least one log file or folder")
    if not 1 <= interval_s <= 3600:
        raise TraceError(f"--interval-s={interval_s}: must be between 1 and 3600 seconds")
    fmt = fmt or sniff_format(paths[0])
    if fmt in ("alb-log", "clf"):
        return _from_logs(paths, fmt, interval_s, progress)
    if fmt in ("cloudwatch-json", "cloudwatch-csv"):
        if len(paths) != 1:
            raise TraceError(f"--format {fmt}: give one export file, not {len(paths)}")
        return _from_cloudwatch(paths[0], fmt, interval_s)
    raise TraceError(
        f"{str(paths[0])!r}: a {fmt} table, not logs; calibrate reads alb-log, clf, cloudwatch-json or cloudwatch-csv"
    )
