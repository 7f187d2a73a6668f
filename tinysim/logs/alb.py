"""Application Load Balancer access log entries.

Each entry is one line of space-separated fields, some in double quotes, in this order (AWS, "Access
logs for your Application Load Balancer", section "Access log entries"): the fields up to
``request_creation_time`` have been written since 2018; ``actions_executed`` ..., ``classification``,
``classification_reason``, ``conn_trace_id`` and the host/URL-rewrite fields came later. AWS asks
parsers to ignore fields at the end that they do not know, so anything after the last known field is
accepted and ignored, and the later fields are optional.

Times: ``request_creation_time`` is when the load balancer received the request (we bucket by it);
``time`` is when it sent the response. ``target_processing_time`` is -1 when the request never reached
a target.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["FIELDS", "AlbChunk", "match_line", "parse_chunk", "parse_line"]


#: Every documented field, in order, with whether it is quoted; ``None`` marks where optional ones begin.
FIELDS: tuple[tuple[str, bool], ...] = (
    ("type", False),
    ("time", False),
    ("elb", False),
    ("client_port", False),
    ("target_port", False),
    ("request_processing_time", False),
    ("target_processing_time", False),
    ("response_processing_time", False),
    ("elb_status_code", False),
    ("target_status_code", False),
    ("received_bytes", False),
    ("sent_bytes", False),
    ("request", True),
    ("user_agent", True),
    ("ssl_cipher", False),
    ("ssl_protocol", False),
    ("target_group_arn", False),
    ("trace_id", True),
    ("domain_name", True),
    ("chosen_cert_arn", True),
    ("matched_rule_priority", False),
    ("request_creation_time", False),
    # optional from here: later additions to the format
    ("actions_executed", True),
    ("redirect_url", True),
    ("error_reason", True),
    ("target_port_list", True),
    ("target_status_code_list", True),
    ("classification", True),
    ("classification_reason", True),
    ("conn_trace_id", False),
    ("transformed_host", True),
    ("transformed_uri", True),
    ("request_transform_status", True),
)
REQUIRED = 22  # type .. request_creation_time

_TYPES = r"(?:http|https|h2|grpcs|ws|wss)"
_ISO = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z"


def _pattern() -> re.Pattern[str]:
    parts = []
    for name, quoted in FIELDS:
        if quoted:
            parts.append(rf'"(?P<{name}>[^"\\]*(?:\\.[^"\\]*)*)"')
        elif name == "type":
            parts.append(rf"(?P<type>{_TYPES})")
        elif name in ("time", "request_creation_time"):
            parts.append(rf"(?P<{name}>{_ISO})")
        else:
            parts.append(rf"(?P<{name}>\S+)")
    head = " ".join(parts[:REQUIRED])
    tail = "".join(f"(?: {p}" for p in parts[REQUIRED:]) + ")?" * (len(parts) - REQUIRED)
    return re.compile(rf"^{head}{tail}(?: .*)?$")


_LINE = _pattern()
_NEEDED = (
    "request_creation_time",
    "client_port",
    "target_processing_time",
    "elb_status_code",
    "received_bytes",
    "sent_bytes",
)
_IDX = tuple(_LINE.groupindex[n] for n in _NEEDED)
#: The common case, four times faster: no escaped quote inside a quoted field; only the needed fields.
_FAST = re.compile(
    rf"^{_TYPES} [^ ]+ [^ ]+ ([^ ]+) [^ ]+ [^ ]+ ([^ ]+) [^ ]+ ([^ ]+) [^ ]+ ([^ ]+) ([^ ]+) "
    r'"[^"\\]*" "[^"\\]*" [^ ]+ [^ ]+ [^ ]+ "[^"\\]*" "[^"\\]*" "[^"\\]*" [^ ]+ '
    rf"({_ISO})(?: |$)"
)
_FAST_ORDER = (5, 0, 1, 2, 3, 4)  # _FAST's groups in _NEEDED's order
_TYPE_NAMES = frozenset(("http", "https", "h2", "grpcs", "ws", "wss"))


def _split(line: str) -> tuple[str, ...] | None:
    """The needed fields by splitting at quotes and spaces (str.split runs in C: several times faster
    than the regex), or None when the line is not plainly an entry (then the regex decides)."""
    seg = line.split('"', 10)
    if len(seg) != 11 or seg[2] != " " or seg[6] != " " or seg[8] != " ":
        return None
    head = seg[0].split(" ")  # "type time elb client target t1 t2 t3 s1 s2 rx tx " -> 12 fields and ""
    tail = seg[10].split(" ", 3)  # " priority creation_time ..." -> "", priority, time, rest
    if len(head) != 13 or head[12] or head[0] not in _TYPE_NAMES or len(tail) < 3 or tail[0]:
        return None
    created = tail[2]
    if len(seg[4].split(" ")) != 5 or len(created) < 20 or created[-1] != "Z" or created[10] != "T":
        return None
    return created, head[3], head[6], head[8], head[10], head[11]


def match_line(line: str) -> bool:
    """Whether a line is an ALB access log entry."""
    return _LINE.match(line) is not None


def parse_line(line: str) -> dict[str, str | None] | None:
    """Every field of one entry by its documented name (quoted fields without their quotes; optional
    fields absent from the line are ``None``), or ``None`` when the line is not an entry."""
    m = _LINE.match(line)
    return None if m is None else m.groupdict()


@dataclass(frozen=True)
class AlbChunk:
    """The fields calibration needs from a chunk of good lines (arrays of one length)."""

    received_s: np.ndarray  # request_creation_time, epoch seconds
    client: list[str]  # client:port, one TCP connection while it lasts
    target_s: np.ndarray  # target_processing_time, -1 when not dispatched
    status: np.ndarray  # elb_status_code as text ("-" when none)
    received_bytes: np.ndarray
    sent_bytes: np.ndarray
    bad: list[int]  # offsets (within the chunk) of malformed lines


def _numbers(values: list[str], bad: set[int], rows: list[int]) -> np.ndarray:
    """Floats of ``values``; an entry that is not a number marks its row bad (NaN)."""
    try:
        return np.array(values, dtype=float)
    except ValueError:
        out = np.empty(len(values))
        for k, v in enumerate(values):
            try:
                out[k] = float(v)
            except ValueError:
                out[k] = np.nan
                bad.add(rows[k])
        return out


def epoch_seconds(iso: list[str], bad: set[int], rows: list[int]) -> np.ndarray:
    """Epoch seconds of ISO 8601 UTC times ending in Z; one that does not parse marks its row bad."""
    try:
        stamps = np.array([s[:-1] for s in iso], dtype="datetime64[us]")
    except ValueError:
        stamps = np.empty(len(iso), dtype="datetime64[us]")
        for k, s in enumerate(iso):
            try:
                stamps[k] = np.datetime64(s[:-1], "us")
            except ValueError:
                stamps[k] = np.datetime64("NaT")
                bad.add(rows[k])
    return np.asarray(stamps.astype(np.int64) / 1e6)


def parse_chunk(lines: list[str]) -> AlbChunk:
    """Parse lines; those that are not entries (or carry a bad number or time) are listed in ``bad``."""
    rows: list[tuple[str, ...]] = []
    good: list[int] = []
    bad: set[int] = set()
    fast, full = _FAST.match, _LINE.match
    a, b, c, d, e, f = (g + 1 for g in _FAST_ORDER)
    split = list(map(_split, lines))
    if all(split):  # the common case: every line plainly an entry
        rows = split  # type: ignore[assignment]
        good = list(range(len(lines)))
    else:
        for k, (line, got) in enumerate(zip(lines, split, strict=True)):
            m = fast(line) if got is None else None
            if got is not None:
                rows.append(got)
            elif m is not None:
                rows.append(m.group(a, b, c, d, e, f))
            else:
                m = full(line)
                if m is None:
                    if line.strip():
                        bad.add(k)
                    continue
                rows.append(m.group(*_IDX))
            good.append(k)
    cols = list(zip(*rows, strict=True)) if rows else [()] * len(_NEEDED)
    received = epoch_seconds(list(cols[0]), bad, good)
    target = _numbers(list(cols[2]), bad, good)
    rx = _numbers(list(cols[4]), bad, good)
    tx = _numbers(list(cols[5]), bad, good)
    keep = np.array([g not in bad for g in good], dtype=bool) if bad else np.ones(len(good), dtype=bool)
    clients = [c for c, k in zip(cols[1], keep, strict=True) if k] if bad else list(cols[1])
    return AlbChunk(
        received[keep],
        clients,
        target[keep],
        np.asarray(cols[3], dtype=object)[keep] if rows else np.empty(0, dtype=object),
        rx[keep],
        tx[keep],
        sorted(bad),
    )
