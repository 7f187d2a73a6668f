"""A calibration written out: a scenario that replays the measured traffic (its trace CSV beside it)
with the fitted workload, and the fit report as text."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from models.errors import InputError
from models.scenario import DAY_S, Scenario
from models.validation import validate
from tinysim.calibrate.measure import Calibration
from tinysim.errors import TraceError
from tinysim.outputs import check_file, write_file
from tinysim.tracefiles.series import utc_text

__all__ = ["check_outputs", "report_text", "scenario_data", "write_scenario"]


def _trace_csv(cal: Calibration) -> str:
    start = cal.start_epoch_s
    stamps = np.datetime_as_string(
        (start + cal.interval_s * np.arange(cal.counts.size)).astype(np.int64).astype("datetime64[s]"), unit="s"
    )
    cols = ["timestamp", "requests"]
    data: list[np.ndarray] = [cal.counts.astype(np.int64)]
    for name, arr in (("request_bytes", cal.request_bytes), ("response_bytes", cal.response_bytes)):
        if arr is not None:
            cols.append(name)
            data.append(np.round(arr).astype(np.int64))
    table = np.column_stack(data)
    rows = [",".join(cols)]
    rows += [f"{s}Z," + ",".join(map(str, vals)) for s, vals in zip(stamps.tolist(), table.tolist(), strict=True)]
    return "\n".join(rows) + "\n"


def scenario_data(cal: Calibration, trace_name: str, plan_file: str | None = None) -> dict[str, Any]:
    """The scenario as JSON data (validated): replay ``trace_name`` exactly, the fitted workload."""
    traffic: dict[str, Any] = {
        "kind": "trace",
        "csv": trace_name,
        "format": "csv",
        "column": "requests",
        "timestamp_column": "timestamp",
        "missing": "zero",
        "counts": "exact",
    }
    if cal.interval_s <= 3600:
        traffic["interval_s"] = cal.interval_s
    if cal.response_bytes is not None:
        traffic["bytes_column"] = "response_bytes"
    horizon = int(cal.counts.size * cal.interval_s)
    if horizon > 400 * DAY_S:
        raise TraceError(f"the data span {horizon / DAY_S:.0f} days; a scenario covers at most 400")
    data: dict[str, Any] = {
        "traffic": traffic,
        "workload": cal.workload.model_dump(mode="json", exclude_none=True, exclude_defaults=True),
        "horizon_s": horizon,
    }
    if plan_file is not None:
        data["plan_file"] = plan_file
    validate(Scenario, data)
    return data


def check_outputs(out: str | Path, inputs: Sequence[str | Path] = ()) -> tuple[Path, Path]:
    """The scenario and trace paths ``out`` names, checked before any work: a ``.json`` file in an
    existing writable folder, neither path a folder nor one of ``inputs``. Raises :class:`TraceError`."""
    out = Path(out)
    if out.suffix != ".json":
        raise TraceError(f"--out={str(out)!r}: the scenario is a .json file")
    check_file(out)  # a folder, or a folder that is missing or not writable: refused by name
    trace = out.with_name(out.stem + ".trace.csv")
    sources = {Path(p).resolve() for p in inputs}
    for path in (out, trace):
        try:
            check_file(path)
        except InputError as exc:
            raise TraceError(f"--out={str(out)!r}: {str(path)!r} {exc.problems[0].split(': ', 1)[-1]}") from None
        if path.resolve() in sources:
            raise TraceError(f"--out={str(out)!r}: would overwrite the input {str(path)!r}; write elsewhere")
    return out, trace


def write_scenario(cal: Calibration, out: str | Path, plan_file: str | None = None) -> tuple[Path, Path]:
    """Write ``out`` (the scenario) and ``<out stem>.trace.csv`` beside it, each through a temporary
    file renamed into place (mode as the umask makes it); on failure no temporary file is left."""
    out, trace = check_outputs(out)
    data = scenario_data(cal, trace.name, plan_file)

    def scenario_then_trace(tmp: Path) -> None:
        tmp.write_text(json.dumps(data, indent=2) + "\n")
        write_file(trace, lambda t: t.write_text(_trace_csv(cal)))

    write_file(out, scenario_then_trace)
    return out, trace


def report_text(cal: Calibration) -> str:
    """The fit report for people: traffic, service time (KS and Q-Q), sizes, connections, status."""
    kind = {"alb-log": "ALB access log", "clf": "Common Log Format", "cloudwatch-json": "CloudWatch JSON"}
    lines = [
        f"{cal.requests:,} requests in {cal.counts.size:,} intervals of {cal.interval_s} s from "
        f"{utc_text(cal.start_epoch_s)} ({cal.files} {kind.get(cal.format, cal.format)} file(s), {cal.lines:,} "
        f"{'datapoints' if cal.format.startswith('cloudwatch') else 'lines'})"
    ]
    if cal.malformed:
        lines.append(cal.malformed_note)
    s = cal.service
    if s is not None:
        spec = s.spec
        shape = f", sigma {spec.sigma:.3f}" if spec.sigma is not None else ""
        chosen = next((c for c in s.candidates if c.family == s.chosen), None)
        fit = f"KS distance {chosen.ks:.4f}" if chosen else "no family within the KS limit: empirical quantiles kept"
        lines.append(f"service time: {s.chosen}, mean {spec.mean:.1f} ms{shape} ({fit}; {s.samples:,} samples)")
        lines.append("  candidates: " + ", ".join(f"{c.family} KS {c.ks:.4f}" for c in s.candidates))
        lines.append("  Q-Q, observed vs fitted ms: " + ", ".join(f"p{p * 100:g} {o:.1f}/{f:.1f}" for p, o, f in s.qq))
    wl = cal.workload
    if cal.request_bytes is not None or cal.response_bytes is not None:
        parts = [f"request {wl.request_kb:.3f} KB" if cal.request_bytes is not None else ""]
        parts.append(f"response {wl.response_kb:.3f} KB" if cal.response_bytes is not None else "")
        lines.append("payload means: " + ", ".join(p for p in parts if p))
    if cal.requests_per_connection is not None:
        held = "" if cal.connection_s is None else f", open {cal.connection_s:.1f} s on average"
        lines.append(f"connections: {cal.requests_per_connection:.2f} requests each{held}")
    if cal.status:
        lines.append("status: " + ", ".join(f"{k} {v * 100:.2f}%" for k, v in cal.status_shares().items()))
    lines.extend(f"note: {n}" for n in cal.notes)
    return "\n".join(lines)
