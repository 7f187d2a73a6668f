"""Log files as S3 delivers them: a file, several files, or a folder tree of plain or gzipped files,
read line by line (nothing is held but the current chunk of lines)."""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import IO

from tinysim.errors import LogError

__all__ = ["CHUNK_LINES", "is_gzip", "line_chunks", "log_files", "open_text"]

#: Lines parsed at a time: large enough for numpy to pay off, small enough to keep memory flat.
CHUNK_LINES = 50_000
#: The object ELB writes when access logging is switched on (docs: enable-access-logging.html); not a log.
TEST_FILE = "ELBAccessLogTestFile"


def log_files(paths: Sequence[str | Path]) -> list[Path]:
    """The files to read, in name order: each path is a file or a folder (searched recursively;
    hidden files and ELB's test file are left out).

    Raises :class:`LogError` naming a path that does not exist or a folder without files.
    """
    if not paths:
        raise LogError("no log path given")
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p
                for p in path.rglob("*")
                if p.is_file()
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
                and p.name != TEST_FILE
            )
            if not found:
                raise LogError(f"{str(path)!r}: the folder holds no log files")
            out.extend(found)
        elif path.is_file():
            out.append(path)
        else:
            raise LogError(f"{str(path)!r}: no such file or folder")
    return out


def is_gzip(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"\x1f\x8b"


def open_text(path: Path) -> IO[str]:
    """A text stream of the file, gunzipped when it is gzip (by content, not by name); bytes that are
    not UTF-8 become U+FFFD, so a binary file reads as malformed lines instead of failing."""
    if is_gzip(path):
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open(encoding="utf-8", errors="replace")


def line_chunks(path: Path, size: int = CHUNK_LINES) -> Iterator[tuple[int, list[str]]]:
    """(number of the chunk's first line, its lines without the line end), chunk by chunk.

    Raises :class:`LogError` when a gzip file is truncated or corrupt, naming the file and the last
    line read."""
    done = 0
    lines: list[str] = []
    try:
        with open_text(path) as fh:
            while True:
                lines = []
                lines.extend(islice(fh, size))  # kept as read: a stream cut mid-chunk still counts its lines
                if not lines:
                    return
                yield done + 1, [line.rstrip("\r\n") for line in lines]
                done += len(lines)
                lines = []
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        what = "truncated" if isinstance(exc, EOFError) else "corrupt"
        raise LogError(
            f"{str(path)!r}: the gzip stream is {what} after {done + len(lines):,} complete line(s) ({exc}); "
            "re-download the file"
        ) from None
    except OSError as exc:
        raise LogError(f"{str(path)!r}: cannot be read ({exc.strerror or exc})") from None
