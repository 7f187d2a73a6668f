"""``read_logs``: one streaming pass over access logs into a :class:`LogSummary`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import Literal

import numpy as np

from tinysim.errors import LogError
from tinysim.logs import alb, clf
from tinysim.logs.accumulate import Bins, Connections, Reservoir, status_counts
from tinysim.logs.files import line_chunks, log_files

__all__ = ["FIRST_LINES", "LogFormat", "LogSummary", "read_logs"]

LogFormat = Literal["alb-log", "clf"]
NAMES = {"alb-log": "an ALB access log", "clf": "a Common/Combined Log Format log"}
#: A file whose first this-many non-empty lines are all malformed is taken to be of another format.
FIRST_LINES = 100
#: How many malformed lines are named in the report.
SHOWN = 5


@dataclass(frozen=True)
class LogSummary:
    """What a pass over the logs measured. Arrays per interval start at ``start_epoch_s``; bytes are
    sums per interval. ``service_s`` is a uniform sample of ``target_processing_time`` (ALB only;
    requests that reached a target), with the exact mean over all of them in ``service_mean_s``."""

    format: LogFormat
    files: int
    lines: int
    requests: int
    malformed: int
    malformed_at: tuple[str, ...]  # "file:line" of the first few
    interval_s: int
    start_epoch_s: float
    counts: np.ndarray
    request_bytes: np.ndarray | None  # None for CLF (not logged)
    response_bytes: np.ndarray
    service_s: np.ndarray | None
    service_count: int
    service_mean_s: float | None
    status: dict[str, int]
    requests_per_connection: float | None
    connection_span_s: float | None

    def malformed_note(self) -> str:
        """One line on skipped lines ("" when none)."""
        if not self.malformed:
            return ""
        where = ", ".join(self.malformed_at) + (", ..." if self.malformed > len(self.malformed_at) else "")
        return f"{self.malformed} malformed line(s) skipped (at {where})"


@dataclass
class _Pass:
    fmt: LogFormat
    interval_s: int
    bins: Bins
    service: Reservoir
    conns: Connections
    status: Counter[str]
    lines: int = 0
    malformed: int = 0

    def chunk(self, lines: list[str], where: str) -> list[int]:
        self.lines += len(lines)
        if self.fmt == "alb-log":
            a = alb.parse_chunk(lines)
            self.bins.add(a.received_s, a.received_bytes, a.sent_bytes, where)
            self.service.add(a.target_s[a.target_s >= 0])
            self.conns.add(a.client, a.received_s)
            status_counts(a.status, self.status)
            return a.bad
        c = clf.parse_chunk(lines)
        self.bins.add(c.received_s, None, c.sent_bytes, where)
        status_counts(c.status, self.status)
        return c.bad


def read_logs(
    paths: Sequence[str | Path],
    fmt: LogFormat,
    interval_s: int = 60,
    progress: Callable[[int], None] | None = None,
) -> LogSummary:
    """Read every line of the files (plain or gzip; folders searched recursively) in one streaming
    pass. Malformed lines are counted and named in the summary, never dropped silently.

    ``progress`` is called with the number of lines read after each chunk.

    Raises :class:`LogError` for a missing path, an empty folder, a truncated or corrupt gzip, a file
    whose first lines are all malformed (another format), or logs without a single entry.
    """
    if fmt not in NAMES:
        raise LogError(f"format {fmt!r}: logs are 'alb-log' or 'clf'")
    if interval_s < 1:
        raise LogError(f"interval_s={interval_s!r}: must be >= 1 second")
    files = log_files(paths)
    p = _Pass(fmt, interval_s, Bins(interval_s), Reservoir(), Connections(), Counter())
    shown: list[str] = []
    for path in files:
        first = True
        for start, lines in line_chunks(path):
            bad = p.chunk(lines, f"{str(path)!r} line {start}")
            if first:
                _check_format(path, lines, bad, fmt)
                first = False
            p.malformed += len(bad)
            shown.extend(f"{path.name}:{start + k}" for k in bad[: SHOWN - len(shown)])
            if progress is not None:
                progress(p.lines)
    b = p.bins
    if b.lo is None:
        names = ", ".join(map(str, paths))
        raise LogError(f"{names}: not one entry of {NAMES[fmt]} in {len(files)} file(s)")
    per = p.conns.per_connection() if fmt == "alb-log" else None
    return LogSummary(
        format=fmt,
        files=len(files),
        lines=p.lines,
        requests=int(b.counts.sum()),
        malformed=p.malformed,
        malformed_at=tuple(shown),
        interval_s=interval_s,
        start_epoch_s=float(b.lo * interval_s),
        counts=b.counts,
        request_bytes=b.rx if fmt == "alb-log" else None,
        response_bytes=b.tx,
        service_s=p.service.values if p.service.n else None,
        service_count=p.service.n,
        service_mean_s=p.service.mean if p.service.n else None,
        status=dict(sorted(p.status.items())),
        requests_per_connection=None if per is None else per[0],
        connection_span_s=None if per is None else per[1],
    )


def _check_format(path: Path, lines: list[str], bad: list[int], fmt: LogFormat) -> None:
    """A file whose first non-empty lines are all malformed is of another format: say so, naming it."""
    nonblank = list(islice((k for k, line in enumerate(lines) if line.strip()), FIRST_LINES))
    if not nonblank:
        return
    bad_set = set(bad)
    if all(k in bad_set for k in nonblank):
        shown = lines[nonblank[0]][:60]
        other = "clf" if fmt == "alb-log" else "alb-log"
        raise LogError(
            f"{str(path)!r}: not {NAMES[fmt]} (line {nonblank[0] + 1} reads {shown!r}); "
            f"if it is {NAMES[other]}, use format {other!r}"
        )
