"""Traffic: a request rate over time and the Poisson (or over-dispersed) arrivals around it.

Arrivals are drawn in fixed blocks (``BLOCK_S`` seconds, or ``LONG_BLOCK_S`` when the traffic never
exceeds ``LONG_BLOCK_MAX_RPS``), each from its own generator seeded by (seed, block): the same seed
gives the same requests however the run is cut into windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from models.scenario import (
    MONTH_S,
    ConstantTraffic,
    DiurnalTraffic,
    GrowthTraffic,
    SpikeTraffic,
    TraceTraffic,
    Traffic,
)
from tinysim.distributions import Distribution
from tinysim.errors import TraceError

__all__ = ["BLOCK_S", "LONG_BLOCK_S", "ArrivalSource", "Arrivals", "RateFunction", "load_trace", "rate_function"]

BLOCK_S = 60
LONG_BLOCK_S = 600  # quiet traffic: fewer, larger blocks cost less per request
LONG_BLOCK_MAX_RPS = 2000.0
DAY_S = 86_400
WEEK_S = 7 * DAY_S


def load_trace(spec: TraceTraffic) -> tuple[np.ndarray, np.ndarray | None]:
    """Counts per interval (and bytes per interval if asked) from a trace CSV, validated."""
    where = f"traffic.csv={spec.csv!r}"
    path = Path(spec.csv)
    if path.is_dir():
        raise TraceError(f"{where}: is a folder, expected a CSV file")
    if not path.is_file():
        raise TraceError(f"{where}: file not found")
    try:
        frame = pd.read_csv(path)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError, ValueError, OSError) as exc:
        raise TraceError(f"{where}: not a readable CSV ({str(exc).splitlines()[0]})") from None
    columns = [spec.column] + ([spec.bytes_column] if spec.bytes_column else [])
    out: list[np.ndarray] = []
    for col in columns:
        if col not in frame.columns:
            raise TraceError(f"{where}: no column {col!r}; columns are {list(map(str, frame.columns))}")
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(~np.isfinite(values) | (values < 0))
        if bad.size:
            row = int(bad[0])
            raw = frame[col].iloc[row]
            shown = raw.item() if isinstance(raw, np.generic) else raw
            raise TraceError(f"{where}: column {col!r} row {row + 2} is {shown!r}; counts must be numbers >= 0")
        out.append(values)
    if out[0].size == 0:
        raise TraceError(f"{where}: no rows")
    return out[0], (out[1] if len(out) > 1 else None)


def _sorted_within_seconds(rng: np.random.Generator, secs: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Arrival times given counts per second, uniform and sorted within each second, without a sort:
    k sorted uniforms are the first k partial sums of k+1 exponentials over their total."""
    total = int(counts.sum())
    if total == 0:
        return np.empty(0)
    seg = counts + 1
    e = rng.standard_exponential(total + secs.size)
    cs = np.cumsum(e)
    ends = np.cumsum(seg) - 1  # index of each second's last (k+1-th) exponential
    starts = ends - counts  # index of its first
    before = np.where(starts > 0, cs[np.maximum(starts - 1, 0)], 0.0)
    span = cs[ends] - before
    keep = np.ones(cs.size, dtype=bool)
    keep[ends] = False
    owner = np.repeat(np.arange(secs.size), counts)
    return np.asarray(secs[owner] + (cs[keep] - before[owner]) / span[owner])


@dataclass(frozen=True)
class RateFunction:
    """Requests per second at given times (seconds from the start, a Monday 00:00)."""

    spec: Traffic
    trace_rps: np.ndarray | None = None
    trace_bps: np.ndarray | None = None
    daily: np.ndarray | None = None  # per-day factors of a traffic future (daily_sigma > 0)

    def __call__(self, t: np.ndarray) -> np.ndarray:
        s = self.spec
        if isinstance(s, ConstantTraffic):
            rate = np.full(t.shape, s.rps)
        elif isinstance(s, DiurnalTraffic):
            rate = s.mean_rps + (s.peak_rps - s.mean_rps) * np.cos(2 * math.pi * (t / 3600 - s.peak_hour) / 24)
        elif isinstance(s, SpikeTraffic):
            inside = (t >= s.start_s) & (t < s.start_s + s.duration_s)
            rate = np.where(inside, s.spike_rps, s.base_rps)
        elif isinstance(s, GrowthTraffic):
            g = s.monthly_growth_pct / 100
            months = t / MONTH_S
            rate = s.start_rps * ((1 + g) ** months if s.shape == "exponential" else np.maximum(0, 1 + g * months))
        else:
            assert self.trace_rps is not None
            idx = (t // s.interval_s).astype(np.int64) % self.trace_rps.size  # a short trace repeats
            rate = self.trace_rps[idx]
        if s.weekly is not None:
            rate = rate * np.asarray(s.weekly)[((t % WEEK_S) // DAY_S).astype(np.int64)]
        if self.daily is not None:
            rate = rate * self.daily[(t // DAY_S).astype(np.int64) % self.daily.size]
        return np.asarray(rate, dtype=float)

    def bytes_per_request(self, t: np.ndarray) -> np.ndarray | None:
        """Trace bytes per request at ``t`` where the trace has a bytes column."""
        if self.trace_bps is None or self.trace_rps is None or not isinstance(self.spec, TraceTraffic):
            return None
        idx = (t // self.spec.interval_s).astype(np.int64) % self.trace_rps.size
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(self.trace_rps[idx] > 0, self.trace_bps[idx] / self.trace_rps[idx], 0.0)
        return np.asarray(per)


#: Days of traffic-future factors drawn (a longer run repeats them).
FUTURE_DAYS = 400


def rate_function(spec: Traffic, seed: int = 0) -> RateFunction:
    """The rate function of a scenario's traffic (reads and checks a trace file); with
    ``daily_sigma`` the seed also picks the traffic future, one lognormal factor per day."""
    daily = None
    if spec.daily_sigma > 0:
        rng = np.random.default_rng([seed, 0x7F])  # a stream of its own, apart from the arrival blocks
        daily = rng.lognormal(0.0, spec.daily_sigma, FUTURE_DAYS)
    if isinstance(spec, TraceTraffic):
        counts, byte_counts = load_trace(spec)
        rps = counts * spec.scale / spec.interval_s
        bps = None if byte_counts is None else byte_counts * spec.scale / spec.interval_s
        return RateFunction(spec, rps, bps, daily)
    return RateFunction(spec, daily=daily)


@dataclass(frozen=True)
class Arrivals:
    """Requests of a stretch of time: arrival times, service times and a uniform for dispatch."""

    t: np.ndarray
    service_s: np.ndarray
    u: np.ndarray

    def __len__(self) -> int:
        return int(self.t.size)

    def take(self, mask: np.ndarray | slice) -> Arrivals:
        return Arrivals(self.t[mask], self.service_s[mask], self.u[mask])

    @staticmethod
    def concat(parts: list[Arrivals]) -> Arrivals:
        if len(parts) == 1:
            return parts[0]
        return Arrivals(*(np.concatenate([getattr(p, f) for p in parts]) for f in ("t", "service_s", "u")))


@dataclass
class ArrivalSource:
    """Hands out the arrivals of any time range, drawing each block once."""

    rate: RateFunction
    service: Distribution
    seed: int
    horizon_s: float
    arrivals: str = "poisson"
    dispersion: float = 1.0
    _cache: dict[int, Arrivals] = field(default_factory=dict)
    block_s: int = field(init=False)

    def __post_init__(self) -> None:
        # the block length depends only on the scenario, so a seed always gives the same requests
        probe = self.rate(np.arange(0.0, max(self.horizon_s, 1.0), 60.0) + 30.0)
        self.block_s = LONG_BLOCK_S if float(probe.max(initial=0.0)) <= LONG_BLOCK_MAX_RPS else BLOCK_S

    def block(self, b: int) -> Arrivals:
        hit = self._cache.get(b)
        if hit is not None:
            return hit
        rng = np.random.default_rng([self.seed, b])
        secs = np.arange(b * self.block_s, min((b + 1) * self.block_s, math.ceil(self.horizon_s)), dtype=float)
        lam = self.rate(secs + 0.5)
        if self.arrivals == "overdispersed" and self.dispersion > 1:
            # negative binomial with mean lam and variance dispersion x lam
            n = np.maximum(lam / (self.dispersion - 1), 1e-12)
            counts = rng.negative_binomial(n, 1 / self.dispersion)
        else:
            counts = rng.poisson(lam)
        t = _sorted_within_seconds(rng, secs, counts)
        t = t[t < self.horizon_s]
        out = Arrivals(t, self.service.sample(rng, t.size), rng.random(t.size))
        self._cache = {b: out}  # blocks are asked for in order; keep only the latest
        return out

    def between(self, t0: float, t1: float) -> Arrivals:
        """Arrivals with ``t0 <= t < t1``."""
        if t1 <= t0:
            return Arrivals(np.empty(0), np.empty(0), np.empty(0))
        parts = []
        for b in range(int(t0 // self.block_s), math.ceil(t1 / self.block_s)):
            blk = self.block(b)
            lo, hi = np.searchsorted(blk.t, [t0, t1])
            parts.append(blk.take(slice(int(lo), int(hi))))
        return Arrivals.concat(parts)
