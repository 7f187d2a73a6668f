"""Which format a trace file is in, from its first bytes (a folder: from its first file)."""

from __future__ import annotations

import zlib
from pathlib import Path

from tinysim.errors import LogError, TraceError
from tinysim.logs import alb, clf
from tinysim.logs.files import log_files
from tinysim.tracefiles.tables import TIME_NAMES

__all__ = ["FORMATS", "sniff_format"]

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


def sniff_format(path: str | Path, column: str = "requests") -> str:
    """One of :data:`FORMATS`. A table whose header lacks ``column`` but starts with a time column is
    taken for the CloudWatch console's CSV; anything else that is text is a CSV."""
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
    text = head.decode("utf-8", errors="replace")
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
    if column.lower() not in header and header[0] in TIME_NAMES and len(header) >= 2:
        return "cloudwatch-csv"
    return "csv"
