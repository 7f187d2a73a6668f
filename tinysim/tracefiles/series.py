"""From what a file holds (values per row, perhaps with times, perhaps with holes) to a regular
trace: one count per interval, with the ``missing`` policy applied and the gaps it cut recorded."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

import numpy as np

from tinysim.errors import TraceError

__all__ = ["MISSING_CHOICES", "RawSeries", "Trace", "regularize", "utc_text"]

Missing = Literal["error", "zero", "skip", "hold"]
MISSING_CHOICES = ("error", "zero", "skip", "hold")


@dataclass(frozen=True)
class RawSeries:
    """Values as read, one per row. ``values`` is NaN where a cell was empty; ``times_s`` (epoch
    seconds) is given when the file has a time column; ``rows`` names each value's row in messages."""

    where: str  # e.g. "traffic.csv='day.csv'"
    column: str
    values: np.ndarray
    bytes: np.ndarray | None
    times_s: np.ndarray | None
    rows: np.ndarray
    row_word: str = "row"


@dataclass(frozen=True)
class Trace:
    """Counts (and bytes) per interval of ``interval_s`` seconds, no holes left.

    ``skipped`` holds the original interval positions cut out by ``missing: "skip"``; ``filled`` how
    many intervals ``"zero"`` or ``"hold"`` filled in.
    """

    counts: np.ndarray
    bytes: np.ndarray | None
    interval_s: int
    start_epoch_s: float | None
    skipped: np.ndarray
    filled: int
    notes: tuple[str, ...] = ()  # e.g. malformed log lines that were skipped

    @property
    def duration_s(self) -> int:
        return int(self.counts.size * self.interval_s)

    def skipped_s_within(self, horizon_s: float) -> int:
        """Seconds of skipped intervals that began before ``horizon_s`` on the original timeline."""
        return int(np.count_nonzero(self.skipped * self.interval_s < horizon_s) * self.interval_s)


def utc_text(epoch_s: float) -> str:
    return datetime.fromtimestamp(epoch_s, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _slots(raw: RawSeries, default_interval_s: int) -> tuple[np.ndarray, int, float | None]:
    """Position of each row on a regular grid, the interval, and the first time (None without times)."""
    if raw.times_s is None:
        return np.arange(raw.values.size), default_interval_s, None
    t = raw.times_s
    d = np.diff(t)
    bad = np.flatnonzero(d <= 0)
    if bad.size:
        k = int(bad[0]) + 1
        what = "repeats" if d[k - 1] == 0 else "is earlier than"
        raise TraceError(
            f"{raw.where}: {raw.row_word} {raw.rows[k]} ({utc_text(t[k])}) {what} {raw.row_word} "
            f"{raw.rows[k - 1]} ({utc_text(t[k - 1])}); timestamps must increase"
        )
    if d.size == 0:
        return np.zeros(1, dtype=np.int64), default_interval_s, float(t[0])
    values, counts = np.unique(np.round(d, 6), return_counts=True)
    interval = float(values[np.argmax(counts)])  # the most common step
    if interval < 1 or abs(interval - round(interval)) > 1e-6:
        raise TraceError(f"{raw.where}: rows are {interval:g} s apart; intervals must be whole seconds >= 1")
    steps = d / interval
    off = np.flatnonzero(np.abs(steps - np.round(steps)) > 1e-6)
    if off.size:
        k = int(off[0]) + 1
        raise TraceError(
            f"{raw.where}: {raw.row_word} {raw.rows[k]} ({utc_text(t[k])}) is not a whole number of "
            f"{interval:g}-s intervals after {raw.row_word} {raw.rows[k - 1]}"
        )
    pos = np.concatenate([[0], np.cumsum(np.round(steps).astype(np.int64))])
    return pos, round(interval), float(t[0])


def _first_missing(raw: RawSeries, grid: np.ndarray, owner: np.ndarray, slot: int, step: int, t0: float | None) -> str:
    row = owner[slot]
    if row >= 0:
        return f"{raw.row_word} {raw.rows[row]} of column {raw.column!r} is empty"
    assert t0 is not None
    before = int(owner[:slot][owner[:slot] >= 0][-1])
    return (
        f"no {raw.row_word} for {utc_text(t0 + slot * step)} (a gap in time between {raw.row_word}s "
        f"{raw.rows[before]} and {raw.rows[before + 1]})"
    )


def regularize(raw: RawSeries, default_interval_s: int, missing: Missing) -> Trace:
    """One value per interval: rows placed by their times (a gap in time is missing intervals), then
    empty and absent intervals handled by ``missing``.

    Raises :class:`TraceError` for times that do not increase (naming the row), rows off the
    interval grid, and with ``missing="error"`` the first missing interval (with the other choices).
    """
    pos, step, t0 = _slots(raw, default_interval_s)
    n = int(pos[-1]) + 1
    grid = np.full(n, np.nan)
    grid[pos] = raw.values
    owner = np.full(n, -1, dtype=np.int64)
    owner[pos] = np.arange(pos.size)
    nbytes = None
    if raw.bytes is not None:
        nbytes = np.full(n, np.nan)
        nbytes[pos] = raw.bytes
    hole = np.isnan(grid) | (np.isnan(nbytes) if nbytes is not None else False)
    skipped = np.empty(0, dtype=np.int64)
    filled = 0
    if hole.any():
        first = int(np.flatnonzero(hole)[0])
        if missing == "error":
            others = ", ".join(f'"{m}"' for m in MISSING_CHOICES[1:])
            raise TraceError(
                f"{raw.where}: {_first_missing(raw, grid, owner, first, step, t0)}; {int(hole.sum())} interval(s) "
                f"are missing; set traffic.missing to {others}"
            )
        if missing == "skip":
            skipped = np.flatnonzero(hole)
            grid, nbytes = grid[~hole], (nbytes[~hole] if nbytes is not None else None)
            if grid.size == 0:
                raise TraceError(f"{raw.where}: every interval is missing; nothing to replay")
        elif missing == "zero":
            filled = int(hole.sum())
            grid = np.nan_to_num(grid, nan=0.0)
            nbytes = None if nbytes is None else np.nan_to_num(nbytes, nan=0.0)
        else:  # hold: repeat the last value; a leading hole takes the first value
            filled = int(hole.sum())
            grid, nbytes = _hold(grid), (None if nbytes is None else _hold(nbytes))
    return Trace(grid, nbytes, step, t0, skipped, filled)


def _hold(a: np.ndarray) -> np.ndarray:
    ok = ~np.isnan(a)
    if not ok.any():
        return np.zeros_like(a)
    idx = np.where(ok, np.arange(a.size), 0)
    np.maximum.accumulate(idx, out=idx)
    out = a[idx]
    first = int(np.flatnonzero(ok)[0])
    out[:first] = a[first]
    return out
