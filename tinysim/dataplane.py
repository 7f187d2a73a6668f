"""The data plane: every request of a window between two control events, computed at once.

Between control events the set of serving workers is fixed, so a window's requests are a pure
function of arrivals, service times and the workers' free times. Results are folded straight into
per-minute and per-hour accumulators; nothing per request outlives its window.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tinysim.compute.ecs import EcsService
from tinysim.compute.lambda_ import LambdaPool
from tinysim.frontdoor import FrontDoor
from tinysim.stats import BusySeconds, LogHistogram
from tinysim.traffic import ArrivalSource

__all__ = ["FAILED", "IN_FLIGHT", "MINUTE_FIELDS", "SERVED", "THROTTLED", "TIMED_OUT", "DataPlane", "Observer"]

#: FAILED: the backend answered but the answer could not be delivered (a payload over a limit: 502).
THROTTLED, SERVED, TIMED_OUT, IN_FLIGHT, FAILED = range(5)
#: Called once per window with arrival times, outcome codes, latencies and waits (seconds).
Observer = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
MINUTE_FIELDS = (
    "offered",
    "served",
    "throttled",
    "timed_out",
    "in_flight",
    "failed",
    "cold_starts",
    "lambda_throttles",
)
HOUR_FIELDS = (
    "received",
    "admitted",
    "served",
    "request_kb",
    "response_kb",
    "billed_ms",
    "init_ms",
    "prov_requests",
    "lambda_requests",
)


PCT = np.array([0.50, 0.95, 0.99])


def _percentiles(x: np.ndarray) -> np.ndarray:
    """p50, p95, p99 with linear interpolation between order statistics (numpy's default method),
    without np.percentile's per-call overhead (it runs once a minute)."""
    s = np.sort(x)
    pos = PCT * (s.size - 1)
    lo = pos.astype(np.int64)
    hi = np.minimum(lo + 1, s.size - 1)
    return np.asarray(s[lo] + (s[hi] - s[lo]) * (pos - lo))


@dataclass
class DataPlane:
    """Processes arrivals window by window for one compute backend (ECS service or Lambda pool)."""

    source: ArrivalSource
    front: FrontDoor
    horizon_s: float
    request_kb: float
    response_kb: float
    ecs: EcsService | None = None
    pool: LambdaPool | None = None
    lambda_timeout_s: float = math.inf
    bytes_per_request: Callable[[np.ndarray], np.ndarray | None] | None = None
    observer: Observer | None = None
    payload_error: bool = False  # every answer exceeds a payload limit (see tinysim.payload_limits)
    t_done: float = 0.0
    minutes: dict[str, np.ndarray] = field(init=False)
    hours: dict[str, np.ndarray] = field(init=False)
    pct: np.ndarray = field(init=False)  # per minute: latency p50, p95, p99 (ms)
    busy: BusySeconds = field(init=False)  # worker-seconds per second (ECS slots or Lambda envs)
    latency: LogHistogram = field(default_factory=LogHistogram)
    wait: LogHistogram = field(default_factory=LogHistogram)
    _pending_minute: int = -1
    _pending: list[np.ndarray] = field(default_factory=list)

    def __post_init__(self) -> None:
        n_min = math.ceil(self.horizon_s / 60)
        n_hour = math.ceil(self.horizon_s / 3600)
        self.minutes = {f: np.zeros(n_min, dtype=np.int64) for f in MINUTE_FIELDS}
        self.hours = {f: np.zeros(n_hour) for f in HOUR_FIELDS}
        self.pct = np.full((n_min, 3), np.nan)
        self.busy = BusySeconds(math.ceil(self.horizon_s) + 1)

    # -- windows ---------------------------------------------------------------------------------
    def advance_to(self, t_end: float) -> None:
        """Process every arrival in [t_done, t_end) with the workers as they are now.

        The stretch is cut at minute boundaries, so each window lies within one minute (and hour).
        """
        t_end = min(t_end, self.horizon_s)
        while self.t_done < t_end:
            stop = min(t_end, (math.floor(self.t_done / 60) + 1) * 60.0)
            self._window(self.t_done, stop)
            self.t_done = stop

    def _window(self, t0: float, t1: float) -> None:
        arr = self.source.between(t0, t1)
        n = len(arr)
        if n == 0:
            return
        minute, hour = int(t0 // 60), int(t0 // 3600)
        outcome = np.full(n, THROTTLED, dtype=np.int8)
        done = np.full(n, np.nan)  # when the backend finishes (admitted requests)
        ok = self.front.admit(arr.t)
        self.hours["received"][hour] += int(np.count_nonzero(ok))  # past the front door's own throttle: billed
        wait = np.zeros(n)
        over: np.ndarray | None = None
        if self.ecs is not None:
            adm = arr.take(ok)
            start = self.ecs.route(adm)
            if start is None:  # no task serving: the front door answers 503
                ok[:] = False
            else:
                done[ok] = start + adm.service_s
                wait[ok] = start - adm.t
                self.busy.add(start, start + adm.service_s)
        elif self.pool is not None:
            adm = arr.take(ok)
            service = np.minimum(adm.service_s, self.lambda_timeout_s)
            delay, kind, end = self.pool.run(adm.t, service)
            ran = kind > 0
            idx = np.flatnonzero(ok)
            ok[idx[~ran]] = False
            done[idx[ran]] = end[ran]
            wait[idx[ran]] = delay[ran]
            self.busy.add(adm.t[ran], end[ran])
            h = self.hours
            h["billed_ms"][hour] += float(np.ceil(service[ran] * 1000 - 1e-9).sum())
            h["init_ms"][hour] += float(np.ceil(delay[ran] * 1000 - 1e-9).sum())
            h["prov_requests"][hour] += int(np.count_nonzero(kind == 1))
            h["lambda_requests"][hour] += int(np.count_nonzero(ran))
            self.minutes["cold_starts"][minute] += int(np.count_nonzero(kind == 3))
            self.minutes["lambda_throttles"][minute] += int(np.count_nonzero(~ran))
            over = np.zeros(n, dtype=bool)  # a function that runs into its own timeout fails the request
            over[idx[ran]] = adm.service_s[ran] > self.lambda_timeout_s
        else:  # pragma: no cover - the engine always gives one backend
            raise AssertionError("no backend")
        latency = done - arr.t + self.front.overhead_s
        timed_out = ok & (latency > self.front.timeout_s)
        if over is not None:
            timed_out |= over
        outcome[ok] = SERVED
        outcome[timed_out] = TIMED_OUT
        finish = np.where(timed_out, arr.t + np.minimum(latency, self.front.timeout_s), arr.t + latency)
        outcome[ok & (finish > self.horizon_s)] = IN_FLIGHT
        if self.payload_error:
            outcome[outcome == SERVED] = FAILED
        self._fold(minute, hour, arr.t, outcome, latency, wait, ok)
        if self.observer is not None:
            self.observer(arr.t, outcome, latency, wait)

    def _fold(
        self,
        minute: int,
        hour: int,
        t: np.ndarray,
        outcome: np.ndarray,
        latency: np.ndarray,
        wait: np.ndarray,
        admitted: np.ndarray,
    ) -> None:
        counts = np.bincount(outcome, minlength=5)
        m = self.minutes
        m["offered"][minute] += t.size
        m["throttled"][minute] += counts[THROTTLED]
        m["served"][minute] += counts[SERVED]
        m["timed_out"][minute] += counts[TIMED_OUT]
        m["in_flight"][minute] += counts[IN_FLIGHT]
        m["failed"][minute] += counts[FAILED]
        n_admitted = int(np.count_nonzero(admitted))
        served = outcome == SERVED
        h = self.hours
        h["admitted"][hour] += n_admitted
        h["served"][hour] += counts[SERVED]
        h["request_kb"][hour] += n_admitted * self.request_kb
        trace_bytes = self.bytes_per_request(t[served]) if self.bytes_per_request is not None else None
        if trace_bytes is None:
            h["response_kb"][hour] += counts[SERVED] * self.response_kb
        else:
            h["response_kb"][hour] += float(trace_bytes.sum()) / 1000
        lat_ok = latency[served]
        if lat_ok.size:
            self.latency.add(lat_ok)
            self.wait.add(wait[served])
            if minute != self._pending_minute:
                self.flush()
                self._pending_minute = minute
            self._pending.append(lat_ok)

    def flush(self) -> None:
        """Close the minute being collected: its latency percentiles, exact from its requests."""
        if self._pending_minute >= 0 and self._pending:
            lat = np.concatenate(self._pending) if len(self._pending) > 1 else self._pending[0]
            self.pct[self._pending_minute] = _percentiles(lat) * 1000
        self._pending = []
        self._pending_minute = -1

    # -- metrics -----------------------------------------------------------------------------------
    def busy_between(self, t0: float, t1: float) -> float:
        """Worker-seconds spent in [t0, t1) (whole seconds)."""
        return self.busy.between(t0, t1)
