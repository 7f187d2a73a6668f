"""Streaming accumulators with bounded memory: counts and bytes per interval, a uniform sample of
service times, requests per client connection (a hash-based distinct sample), status codes."""

from __future__ import annotations

import zlib
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from tinysim.errors import LogError

__all__ = ["MAX_SPAN_S", "Bins", "Connections", "Reservoir", "status_counts"]

#: The longest stretch of time a log may cover (a scenario's horizon is at most 400 days).
MAX_SPAN_S = 400 * 86_400


@dataclass
class Bins:
    """Sums per interval ``floor(epoch_s / interval_s)``, growing to whatever range the times cover."""

    interval_s: int
    lo: int | None = None
    counts: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    rx: np.ndarray = field(default_factory=lambda: np.zeros(0))
    tx: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def add(self, epoch_s: np.ndarray, rx: np.ndarray | None, tx: np.ndarray, where: str) -> None:
        if epoch_s.size == 0:
            return
        idx = np.floor(epoch_s / self.interval_s).astype(np.int64)
        lo, hi = int(idx.min()), int(idx.max())
        if self.lo is None:
            self.lo = lo
        new_lo = min(self.lo, lo)
        new_hi = max(self.lo + self.counts.size - 1, hi)
        if (new_hi - new_lo + 1) * self.interval_s > MAX_SPAN_S:
            raise LogError(f"{where}: the times span more than 400 days (a time out of place?)")
        if new_lo < self.lo or new_hi >= self.lo + self.counts.size:
            n = new_hi - new_lo + 1
            pad = self.lo - new_lo
            self.counts = _grow(self.counts, pad, n)
            self.rx = _grow(self.rx, pad, n)
            self.tx = _grow(self.tx, pad, n)
            self.lo = new_lo
        at = idx - self.lo
        n = self.counts.size
        self.counts += np.bincount(at, minlength=n)
        if rx is not None:
            self.rx += np.bincount(at, weights=rx, minlength=n)
        self.tx += np.bincount(at, weights=tx, minlength=n)


def _grow(a: np.ndarray, pad: int, n: int) -> np.ndarray:
    out = np.zeros(n, dtype=a.dtype)
    out[pad : pad + a.size] = a
    return out


@dataclass
class Reservoir:
    """A uniform random sample of at most ``size`` values from a stream (reservoir sampling,
    Vitter's algorithm R, applied a chunk at a time), plus the exact count, sum and sum of squares."""

    size: int = 200_000
    seed: int = 0
    n: int = 0
    total: float = 0.0
    total_sq: float = 0.0
    values: np.ndarray = field(default_factory=lambda: np.zeros(0))
    rng: np.random.Generator = field(init=False)

    def __post_init__(self) -> None:
        self.rng = np.random.default_rng(self.seed)

    def add(self, x: np.ndarray) -> None:
        if x.size == 0:
            return
        self.total += float(x.sum())
        self.total_sq += float((x * x).sum())
        room = max(0, self.size - self.values.size)
        if room:
            self.values = np.concatenate([self.values, x[:room]])
        rest = x[room:]
        start = self.n + room
        self.n += x.size
        if rest.size == 0:
            return
        k = start + np.arange(1, rest.size + 1)  # 1-based position of each value in the stream
        slot = (self.rng.random(rest.size) * k).astype(np.int64)
        take = slot < self.size
        self.values[slot[take]] = rest[take]

    @property
    def mean(self) -> float:
        return self.total / self.n if self.n else float("nan")


@dataclass
class Connections:
    """Requests per client connection (``client:port``) from a distinct sample: a connection is kept
    when the low ``level`` bits of its CRC-32 are zero, so each is in or out with all its requests;
    when more than ``cap`` are kept, the level rises and half are dropped (memory stays bounded)."""

    cap: int = 50_000
    level: int = 0
    seen: dict[str, list[float]] = field(default_factory=dict)  # key -> [requests, first_s, last_s]

    def add(self, clients: list[str], epoch_s: np.ndarray) -> None:
        mask = (1 << self.level) - 1
        seen = self.seen
        crc = zlib.crc32
        for key, t in zip(clients, epoch_s.tolist(), strict=True):
            entry = seen.get(key)
            if entry is not None:
                entry[0] += 1
                entry[1] = min(entry[1], t)
                entry[2] = max(entry[2], t)
            elif crc(key.encode()) & mask == 0:
                seen[key] = [1.0, t, t]
                if len(seen) > self.cap:
                    self.level += 1
                    mask = (1 << self.level) - 1
                    self.seen = seen = {k: v for k, v in seen.items() if crc(k.encode()) & mask == 0}

    def per_connection(self) -> tuple[float, float] | None:
        """(mean requests per connection, mean seconds from a connection's first request to its last)."""
        if not self.seen:
            return None
        arr = np.array(list(self.seen.values()))
        return float(arr[:, 0].mean()), float((arr[:, 2] - arr[:, 1]).mean())


def status_counts(codes: np.ndarray, into: Counter[str]) -> None:
    values, counts = np.unique(codes.astype(str), return_counts=True)
    for v, c in zip(values.tolist(), counts.tolist(), strict=True):
        into[v] += c
