"""Which format a trace file is in, from its first bytes (a folder: from its first file)."""

from __future__ import annotations

import zlib
from pathlib import Path

from tinysim.errors import LogError, TraceError
from tinysim.logs import alb, clf
from tinysim.logs.files import log_files
from tinysim.tracefiles.tables import TIME_NAMES

__all__ = ["FORMATS", "refuse_binary", "sniff_format"]

FORMATS = ("csv", "parquet", "cloudwatch-json", "cloudwatch-csv", "alb-log", "clf")
HEAD_BYTES = 65_536


def _head(path: Path) -> bytes:
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if head[:2] == b"\x1f\x8b":
        try:
            return zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, HEAD_BYTES)
        except zlib.error:
            raise TraceError(f"{str(path)!r}: a corrupt gzip file") from None
    return head


def _binary(head: bytes) -> bool:
    """NUL bytes, or many bytes that are neither text nor UTF-8: no log, table or JSON looks like that."""
    if b"\x00" in head:
        return True
    sample = head[:4096]
    if not sample:
        return False
    bad = sample.decode("utf-8", errors="replace").count("\ufffd")
    return bad > max(8, len(sample) // 50)


def refuse_binary(path: Path, where: str) -> None:
    """Raise :class:`TraceError` for a file (not Parquet) whose first bytes are no text."""
    head = _head(path)
    if head[:4] != b"PAR1" and _binary(head):
        raise TraceError(f"{where}: binary content, not a log or table")


def sniff_format(path: str | Path) -> str:
    """One of :data:`FORMATS`: the one sniffing the scenario path, calibration and the dashboard share.
    A table whose header starts with a time column (see :data:`TIME_NAMES`) and has no ``requests``
    column (whatever column a scenario names) is taken for the CloudWatch console's CSV; anything else
    that is text is a CSV (whose time column is used too, see :func:`read_table`). Binary
    content that is no Parquet or gzip file is refused."""
    p = Path(path)
    if p.is_dir():
        try:
            p = log_files([p])[0]
        except LogError as exc:
            raise TraceError(str(exc)) from None
    if not p.is_file():
        raise TraceError(f"{str(path)!r}: file not found")
    head = _head(p)
    if head[:4] == b"PAR1":
        return "parquet"
    if _binary(head):
        raise TraceError(f"{str(path)!r}: binary content, not a log or table")
    text = head.decode("utf-8-sig", errors="replace")  # a BOM (Excel, the console) is no part of the header
    if text.lstrip().startswith(("{", "[")):
        return "cloudwatch-json"
    lines = [line for line in text.splitlines()[:-1] or text.splitlines() if line.strip()]
    if not lines:
        return "csv"
    first = lines[0]
    if alb.match_line(first):
        return "alb-log"
    if clf.match_line(first):
        return "clf"
    header = [c.strip().strip('"').lower() for c in first.split(",")]
    if "requests" not in header and header[0] in TIME_NAMES and len(header) >= 2:
        return "cloudwatch-csv"
    return "csv"
