"""Traffic: a request rate over time and the Poisson (or over-dispersed) arrivals around it.

Arrivals are drawn in fixed blocks (``BLOCK_S`` seconds, or ``LONG_BLOCK_S`` when the traffic never
exceeds ``LONG_BLOCK_MAX_RPS``), each from its own generator seeded by (seed, block): the same seed
gives the same requests however the run is cut into windows.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np

from models.scenario import (
    MONTH_S,
    ConstantTraffic,
    DiurnalTraffic,
    GrowthTraffic,
    Scenario,
    SpikeTraffic,
    TraceTraffic,
    Traffic,
)
from tinysim.block_draws import Arrivals, Seconds, draw_block
from tinysim.distributions import Distribution
from tinysim.tracefiles import load_trace

__all__ = [
    "BLOCK_S",
    "LONG_BLOCK_S",
    "ArrivalSource",
    "Arrivals",
    "RateFunction",
    "load_trace",
    "rate_function",
    "start_week_offset_s",
    "with_replay_horizon",
]

BLOCK_S = 60
LONG_BLOCK_S = 600  # quiet traffic: fewer, larger blocks cost less per request
LONG_BLOCK_MAX_RPS = 2000.0
DAY_S = 86_400
WEEK_S = 7 * DAY_S


@dataclass(frozen=True)
class RateFunction:
    """Requests per second at given times (seconds from the scenario's ``start``).

    ``week_offset_s`` is how far into its week (Monday 00:00 UTC) the start falls: the weekly
    multipliers (Monday first), the days of a traffic future and a diurnal shape's ``peak_hour`` (UTC)
    follow the calendar from there. The default start, a Monday 00:00, has offset 0."""

    spec: Traffic
    trace_rps: np.ndarray | None = None
    trace_bps: np.ndarray | None = None
    daily: np.ndarray | None = None  # per-day factors of a traffic future (daily_sigma > 0)
    interval_s: int = 60  # a trace's seconds per count (its timestamps may decide it)
    week_offset_s: float = 0.0

    @property
    def exact(self) -> bool:
        """Whether arrivals replay each interval's count exactly (a trace with ``counts: "exact"``)."""
        return isinstance(self.spec, TraceTraffic) and self.spec.counts == "exact" and self.trace_rps is not None

    def _factors(self, t: np.ndarray) -> np.ndarray:
        f = np.ones(t.shape)
        clock = t + self.week_offset_s if self.week_offset_s else t
        if self.spec.weekly is not None:
            f = f * np.asarray(self.spec.weekly)[((clock % WEEK_S) // DAY_S).astype(np.int64)]
        if self.daily is not None:  # calendar days from the start's own day
            day = (clock // DAY_S - self.week_offset_s // DAY_S).astype(np.int64)
            f = f * self.daily[day % self.daily.size]
        return f

    def interval_counts(self, first: int, last: int) -> np.ndarray:
        """Expected requests of trace intervals ``first .. last-1`` (a short trace repeats)."""
        assert self.trace_rps is not None
        i = np.arange(first, last)
        mid = (i + 0.5) * self.interval_s
        return np.asarray(self.trace_rps[i % self.trace_rps.size] * self.interval_s * self._factors(mid))

    def step_rates(self, dt: float, n: int) -> np.ndarray:
        """Mean rate over each of ``n`` steps of ``dt`` seconds: the exact integral of the rate over the
        step (weekly and daily factors included) over ``dt``, so requests are conserved whatever the step."""
        return np.asarray(self.expected_between(np.arange(n + 1) * dt) / dt)

    def expected_between(self, edges: np.ndarray) -> np.ndarray:
        """Expected requests offered in each ``[edges[k], edges[k + 1])`` (seconds, increasing): the
        exact integral of the rate. The weekly and daily factors are constant within a day, so the
        integral is cut at day boundaries and each piece multiplied by its day's factor."""
        edges = np.asarray(edges, dtype=float)
        if edges.size < 2:
            return np.zeros(0)
        if self.spec.weekly is None and self.daily is None:
            return np.diff(self._base_integral(edges))
        offset = self.week_offset_s  # the calendar day starts at (t + offset) % DAY_S == 0
        first, last = math.floor((edges[0] + offset) / DAY_S) + 1, math.ceil((edges[-1] + offset) / DAY_S)
        cuts = np.arange(first, last, dtype=float) * DAY_S - offset
        points = np.union1d(edges, cuts)
        pieces = np.diff(self._base_integral(points)) * self._factors((points[:-1] + points[1:]) / 2)
        cum = np.concatenate([[0.0], np.cumsum(pieces)])
        return np.asarray(np.diff(cum[np.searchsorted(points, edges)]))

    def _base_integral(self, t: np.ndarray) -> np.ndarray:
        """Requests offered in [0, t) before the weekly and daily factors (closed forms of ``__call__``)."""
        s = self.spec
        if isinstance(s, ConstantTraffic):
            return np.asarray(s.rps * t)
        if isinstance(s, DiurnalTraffic):
            w = 2 * math.pi / DAY_S
            phase0 = w * self.week_offset_s - 2 * math.pi * s.peak_hour / 24
            return np.asarray(
                s.mean_rps * t + (s.peak_rps - s.mean_rps) / w * (np.sin(w * t + phase0) - math.sin(phase0))
            )
        if isinstance(s, SpikeTraffic):
            inside = np.clip(t - s.start_s, 0.0, s.duration_s)
            return np.asarray(s.base_rps * t + (s.spike_rps - s.base_rps) * inside)
        if isinstance(s, GrowthTraffic):
            g = s.monthly_growth_pct / 100
            if s.shape == "linear":
                until = t if g >= 0 else np.minimum(t, MONTH_S / -g)  # the rate stays at 0 once it reaches it
                return np.asarray(s.start_rps * (until + g * until**2 / (2 * MONTH_S)))
            if g == 0:
                return np.asarray(s.start_rps * t)
            if g <= -1:
                return np.zeros(t.shape)
            k = math.log1p(g) / MONTH_S
            return np.asarray(s.start_rps * np.expm1(k * t) / k)
        return self._cumulative(t)

    def _cumulative(self, t: np.ndarray) -> np.ndarray:
        """Trace requests offered in [0, t) before weekly and daily factors."""
        assert self.trace_rps is not None
        per = self.trace_rps * self.interval_s
        cum = np.concatenate([[0.0], np.cumsum(per)])
        span = self.trace_rps.size * self.interval_s
        laps, within = np.divmod(t, span)
        k = np.minimum((within // self.interval_s).astype(np.int64), self.trace_rps.size - 1)
        return np.asarray(laps * cum[-1] + cum[k] + (within - k * self.interval_s) * self.trace_rps[k])

    def __call__(self, t: np.ndarray) -> np.ndarray:
        s = self.spec
        if isinstance(s, ConstantTraffic):
            rate = np.full(t.shape, s.rps)
        elif isinstance(s, DiurnalTraffic):
            hour = (t + self.week_offset_s) / 3600
            rate = s.mean_rps + (s.peak_rps - s.mean_rps) * np.cos(2 * math.pi * (hour - s.peak_hour) / 24)
        elif isinstance(s, SpikeTraffic):
            inside = (t >= s.start_s) & (t < s.start_s + s.duration_s)
            rate = np.where(inside, s.spike_rps, s.base_rps)
        elif isinstance(s, GrowthTraffic):
            g = s.monthly_growth_pct / 100
            months = t / MONTH_S
            rate = s.start_rps * ((1 + g) ** months if s.shape == "exponential" else np.maximum(0, 1 + g * months))
        else:
            assert self.trace_rps is not None
            idx = (t // self.interval_s).astype(np.int64) % self.trace_rps.size  # a short trace repeats
            rate = self.trace_rps[idx]
        return np.asarray(rate * self._factors(t), dtype=float)

    def bytes_per_request(self, t: np.ndarray) -> np.ndarray | None:
        """Trace bytes per request at ``t`` where the trace has a bytes column."""
        if self.trace_bps is None or self.trace_rps is None or not isinstance(self.spec, TraceTraffic):
            return None
        idx = (t // self.interval_s).astype(np.int64) % self.trace_rps.size
        with np.errstate(divide="ignore", invalid="ignore"):
            per = np.where(self.trace_rps[idx] > 0, self.trace_bps[idx] / self.trace_rps[idx], 0.0)
        return np.asarray(per)


#: Days of traffic-future factors drawn (a longer run repeats them).
FUTURE_DAYS = 400


def start_week_offset_s(start: datetime) -> float:
    """Seconds from the Monday 00:00 UTC before ``start`` (an aware datetime) to ``start``."""
    return float(start.weekday() * DAY_S + start.hour * 3600 + start.minute * 60 + start.second)


def rate_function(spec: Traffic, seed: int = 0, start: datetime | None = None) -> RateFunction:
    """The rate function of a scenario's traffic (reads and checks a trace file); with
    ``daily_sigma`` the seed also picks the traffic future, one lognormal factor per day. ``start``
    (the scenario's, UTC) anchors the calendar; ``None`` is a Monday 00:00."""
    offset = 0.0 if start is None else start_week_offset_s(start)
    daily = None
    if spec.daily_sigma > 0:
        rng = np.random.default_rng([seed, 0x7F])  # a stream of its own, apart from the arrival blocks
        daily = rng.lognormal(0.0, spec.daily_sigma, FUTURE_DAYS)
    if isinstance(spec, TraceTraffic):
        trace = load_trace(spec)
        rps = trace.counts * spec.scale / trace.interval_s
        bps = None if trace.bytes is None else trace.bytes * spec.scale / trace.interval_s
        return RateFunction(spec, rps, bps, daily, trace.interval_s, offset)
    return RateFunction(spec, daily=daily, week_offset_s=offset)


def with_replay_horizon(scenario: Scenario) -> Scenario:
    """The scenario with its horizon shortened by the trace intervals that ``missing: "skip"`` cut
    out of it (unchanged for every other traffic)."""
    spec = scenario.traffic
    if not isinstance(spec, TraceTraffic) or spec.missing != "skip":
        return scenario
    cut = load_trace(spec).skipped_s_within(scenario.horizon_s)
    if cut == 0:
        return scenario
    return scenario.model_copy(update={"horizon_s": max(1, scenario.horizon_s - cut)})


@dataclass
class ArrivalSource:
    """Hands out the arrivals of any time range, drawing each block once."""

    rate: RateFunction
    service: Distribution
    seed: int
    horizon_s: float
    arrivals: str = "poisson"
    dispersion: float = 1.0
    uniforms: bool = True  # draw the dispatch uniforms (only random dispatch reads them)
    _cache: dict[int, Arrivals] = field(default_factory=dict)
    _intervals: dict[int, np.ndarray] = field(default_factory=dict)  # exact replay: times per interval
    block_s: int = field(init=False)
    mean_rps: float = field(init=False)  # the offered rate's mean over the horizon (sampled each minute)

    def __post_init__(self) -> None:
        # the block length depends only on the scenario, so a seed always gives the same requests
        probe = self.rate(np.arange(0.0, max(self.horizon_s, 1.0), 60.0) + 30.0)
        self.block_s = LONG_BLOCK_S if float(probe.max(initial=0.0)) <= LONG_BLOCK_MAX_RPS else BLOCK_S
        self.mean_rps = float(probe.mean())  # the probe has at least one minute

    def block(self, b: int) -> Arrivals:
        hit = self.cached(b)
        if hit is not None:
            return hit
        out = self.draw(b)
        self.keep(b, out)
        return out

    def cached(self, b: int) -> Arrivals | None:
        """Block ``b`` if it is the one kept."""
        return self._cache.get(b)

    def keep(self, b: int, blk: Arrivals) -> None:
        """Keep block ``b`` (blocks are asked for in order; only the latest is kept)."""
        self._cache = {b: blk}

    def draw(self, b: int) -> Arrivals:
        """Draw block ``b`` from its own generator (safe to call from another thread)."""
        rng = np.random.default_rng([self.seed, b])
        t0, t1 = b * self.block_s, min((b + 1) * self.block_s, math.ceil(self.horizon_s))
        if self.rate.exact:
            arrivals: Seconds | np.ndarray = self._exact_between(t0, t1)
        else:
            secs = np.arange(t0, t1, dtype=float)
            lam = self.rate(secs + 0.5)
            if self.arrivals == "overdispersed" and self.dispersion > 1:
                # negative binomial with mean lam and variance dispersion x lam
                n = np.maximum(lam / (self.dispersion - 1), 1e-12)
                counts = rng.negative_binomial(n, 1 / self.dispersion)
            else:
                counts = rng.poisson(lam)
            arrivals = Seconds(secs, np.asarray(counts, dtype=np.int64))
        return draw_block(rng, arrivals, self.service, self.horizon_s, self.uniforms)

    def _exact_between(self, t0: float, t1: float) -> np.ndarray:
        """Arrival times in [t0, t1) when each trace interval holds exactly its count: a Poisson
        process conditioned on its count is that many uniform times in the interval. Each interval
        draws from its own generator (seed, interval), so blocks cut it the same way every time; a
        fractional count (scale, weekly factors) rounds up with probability equal to its fraction."""
        iv = self.rate.interval_s
        first, last = int(t0 // iv), math.ceil(t1 / iv)
        expected = self.rate.interval_counts(first, last)
        parts = []
        for i, mean in zip(range(first, last), expected.tolist(), strict=True):
            times = self._intervals.get(i)
            if times is None:
                rng = np.random.default_rng([self.seed, 0x7ACE, i])
                n = math.floor(mean)
                n += int(rng.random() < mean - n)
                times = i * iv + np.sort(rng.random(n)) * iv
                self._intervals = {k: v for k, v in self._intervals.items() if k >= first}
                self._intervals[i] = times
            lo, hi = np.searchsorted(times, [t0, t1])
            parts.append(times[lo:hi])
        return np.concatenate(parts) if parts else np.empty(0)

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
