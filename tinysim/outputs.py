"""Output files and folders written whole or not at all.

``check_folder`` / ``check_file`` run before any work, so a run never computes for minutes and then
finds it cannot write. ``write_folder`` builds the folder under a temporary name beside it and moves
it into place in one rename; ``write_file`` does the same for one file. A failed write leaves the
previous output as it was (or nothing).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from models.errors import InputError

__all__ = ["OUTPUT_SUFFIXES", "check_file", "check_folder", "write_file", "write_folder"]

#: What a results folder holds; a folder with anything else in it is not replaced.
OUTPUT_SUFFIXES = (".csv", ".parquet", ".json")


def _writable_dir(folder: Path, where: str) -> None:
    """Refuse unless ``folder`` exists and a file can be created in it (tried, not guessed)."""
    if not folder.exists():
        raise InputError([f"{where}: folder {str(folder)!r} does not exist"])
    if not folder.is_dir():
        raise InputError([f"{where}: {str(folder)!r} is a file, not a folder"])
    try:
        fd, probe = tempfile.mkstemp(prefix=".tinysim-probe-", dir=folder)
    except OSError as exc:
        raise InputError([f"{where}: cannot write in {str(folder)!r} ({exc.strerror or exc})"]) from None
    os.close(fd)
    os.unlink(probe)


def _nearest_existing(path: Path) -> Path:
    p = path.absolute()
    while not p.exists() and p != p.parent:
        p = p.parent
    return p


def check_folder(out: str | Path, option: str = "--out") -> None:
    """Raise ``InputError`` unless a results folder can be written (created) at ``out``."""
    path = Path(out)
    where = f"{option}={str(out)!r}"
    if path.exists():
        if not path.is_dir():
            raise InputError([f"{where}: is a file; give a folder for the results"])
        foreign = sorted(p.name for p in path.iterdir() if not (p.is_file() and p.suffix in OUTPUT_SUFFIXES))
        if foreign:
            raise InputError(
                [f"{where}: the folder holds {foreign[0]!r}, not a results file; give a new or results-only folder"]
            )
    _writable_dir(_nearest_existing(path.absolute().parent), where)


def check_file(out: str | Path, option: str = "--out") -> None:
    """Raise ``InputError`` unless a file can be written at ``out``."""
    path = Path(out)
    where = f"{option}={str(out)!r}"
    if path.is_dir():
        raise InputError([f"{where}: is a folder; give a file name"])
    _writable_dir(path.absolute().parent, where)


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_folder(out: str | Path, fill: Callable[[Path], list[Path]]) -> list[Path]:
    """Call ``fill(tmp)`` to write the results into a fresh folder, then put it at ``out`` whole.

    Returns the written paths as they are under ``out``. An existing ``out`` is replaced only once
    the new folder is complete; if anything fails, ``out`` is left as it was.
    """
    final = Path(out).absolute()
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    old: Path | None = None
    try:
        tmp.chmod(0o777 & ~_umask())  # as mkdir would have made it, not mkdtemp's private 0700
        written = fill(tmp)
        if final.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{final.name}.old.", dir=final.parent))
            os.rmdir(old)
            os.rename(final, old)
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        if old is not None and not final.exists():
            os.rename(old, final)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
    return [Path(out) / p.relative_to(tmp) for p in written]


def write_file(out: str | Path, write: Callable[[Path], object]) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``out``, then rename it to ``out`` (atomic)."""
    final = Path(out)
    fd, name = tempfile.mkstemp(prefix=f".{final.name}.", dir=final.absolute().parent)
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        tmp.chmod(0o666 & ~_umask())  # as open() would have made it, not mkstemp's private 0600
        os.replace(tmp, final)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return final
