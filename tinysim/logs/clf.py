"""Common Log Format and Combined Log Format entries (Apache httpd ``%h %l %u %t "%r" %>s %b``, plus
``"%{Referer}i" "%{User-agent}i"`` for Combined; nginx's default ``combined`` is the same).

``%t`` is when the request was received, ``[10/Oct/2000:13:55:36 -0700]``; ``%b`` is the response size
without headers, ``-`` for none. These logs carry no service time and no request size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import lru_cache

import numpy as np

__all__ = ["ClfChunk", "clf_epoch_s", "match_line", "parse_chunk"]

_LINE = re.compile(
    r'^(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<request>[^"\\]*(?:\\.[^"\\]*)*)" '
    r"(?P<status>\d{3}|-) (?P<bytes>\d+|-)"
    r'(?: "(?P<referer>[^"\\]*(?:\\.[^"\\]*)*)" "(?P<agent>[^"\\]*(?:\\.[^"\\]*)*)")?(?: .*)?$'
)
_MONTHS = {
    m: i + 1 for i, m in enumerate(["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])
}


@lru_cache(maxsize=4096)
def clf_epoch_s(stamp: str) -> float:
    """Epoch seconds of ``dd/Mon/yyyy:HH:MM:SS +hhmm``; raises ValueError when it is not one."""
    if len(stamp) != 26 or stamp[2] != "/" or stamp[6] != "/" or stamp[11] != ":" or stamp[20] != " ":
        raise ValueError(stamp)
    sign = {"+": 1, "-": -1}[stamp[21]] if stamp[21] in "+-" else None
    if sign is None:
        raise ValueError(stamp)
    offset = timedelta(hours=int(stamp[22:24]), minutes=int(stamp[24:26])) * sign
    when = datetime(
        int(stamp[7:11]),
        _MONTHS[stamp[3:6]],
        int(stamp[0:2]),
        int(stamp[12:14]),
        int(stamp[15:17]),
        int(stamp[18:20]),
        tzinfo=timezone(offset),
    )
    return when.timestamp()


def match_line(line: str) -> bool:
    """Whether a line is a Common or Combined Log Format entry with a readable time."""
    m = _LINE.match(line)
    if m is None:
        return False
    try:
        clf_epoch_s(m.group("time"))
    except (ValueError, KeyError):
        return False
    return True


@dataclass(frozen=True)
class ClfChunk:
    """Received time, status and response bytes of a chunk's good lines."""

    received_s: np.ndarray
    status: np.ndarray
    sent_bytes: np.ndarray
    bad: list[int]


def parse_chunk(lines: list[str]) -> ClfChunk:
    """Parse lines; those that are not entries (or carry an unreadable time) are listed in ``bad``."""
    times: list[float] = []
    status: list[str] = []
    sent: list[int] = []
    bad: list[int] = []
    match = _LINE.match
    for k, line in enumerate(lines):
        m = match(line)
        if m is None:
            if line.strip():
                bad.append(k)
            continue
        stamp, code, size = m.group("time", "status", "bytes")
        try:
            t = clf_epoch_s(stamp)
        except (ValueError, KeyError):
            bad.append(k)
            continue
        times.append(t)
        status.append(code)
        sent.append(0 if size == "-" else int(size))
    return ClfChunk(
        np.asarray(times, dtype=float), np.asarray(status, dtype=object), np.asarray(sent, dtype=float), bad
    )
