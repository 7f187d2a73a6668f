"""The data plane: every request of a window between two control events, computed at once.

Between control events the set of serving workers is fixed, so a window's requests are a pure
function of arrivals, service times and the workers' free times. An ECS window is one compiled
pass (``tinysim.compute.ecs_window``); a Lambda window runs the compiled environment pool
(``tinysim.compute.lambda_window``). Either writes at once what the control loop reads (busy
seconds, requests offered) and hands each request's outcome, latency and wait to the folder
(``tinysim.window_folder``), which folds them into the run's statistics on another core; nothing
per request outlives the fold of its window.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from tinysim.allocator import keep_freed_memory
from tinysim.arrival_prefetch import PrefetchingSource, use_background_threads
from tinysim.busy_seconds import BusySeconds
from tinysim.compute import lambda_window as lw
from tinysim.compute.ecs import EcsService
from tinysim.compute.ecs_window import kernel, window_params
from tinysim.compute.lambda_ import LambdaPool
from tinysim.compute.lambda_window import lambda_window
from tinysim.frontdoor import ApiGateway, FrontDoor
from tinysim.stats import LogHistogram
from tinysim.traffic import ArrivalSource
from tinysim.window_fold import (
    FAILED,
    H_RESPONSE_KB,
    IN_FLIGHT,
    SERVED,
    THROTTLED,
    TIMED_OUT,
)
from tinysim.window_folder import WindowFolder

__all__ = ["FAILED", "IN_FLIGHT", "MINUTE_FIELDS", "SERVED", "THROTTLED", "TIMED_OUT", "DataPlane", "Observer"]

#: Called once per window with arrival times, outcome codes, latencies and waits (seconds).
Observer = Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None]
#: FAILED: the backend answered but the answer could not be delivered (a payload over a limit: 502).
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
# the compiled Lambda window writes these rows by position
assert (MINUTE_FIELDS.index("cold_starts"), MINUTE_FIELDS.index("lambda_throttles")) == (
    lw.M_COLD_STARTS,
    lw.M_LAMBDA_THROTTLES,
)
assert [HOUR_FIELDS.index(f) for f in ("billed_ms", "init_ms", "prov_requests", "lambda_requests")] == [
    lw.H_BILLED_MS,
    lw.H_INIT_MS,
    lw.H_PROV_REQUESTS,
    lw.H_LAMBDA_REQUESTS,
]


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
    busy: BusySeconds = field(init=False)  # worker-seconds per second (ECS slots or Lambda envs)
    latency: LogHistogram = field(init=False)  # complete after flush()
    wait: LogHistogram = field(init=False)  # complete after flush()

    def __post_init__(self) -> None:
        keep_freed_memory()  # the run's arrays reuse freed pages rather than fault in fresh ones
        n_min = math.ceil(self.horizon_s / 60)
        n_hour = math.ceil(self.horizon_s / 3600)
        self._mins = np.zeros((len(MINUTE_FIELDS), n_min), dtype=np.int64)
        self._hrs = np.zeros((len(HOUR_FIELDS), n_hour))
        self.minutes = dict(zip(MINUTE_FIELDS, self._mins, strict=True))
        self.hours = dict(zip(HOUR_FIELDS, self._hrs, strict=True))
        self.busy = BusySeconds(math.ceil(self.horizon_s) + 1)
        trace = self.bytes_per_request is not None
        self._folder = WindowFolder(
            self._mins,
            self._hrs,
            self.request_kb,
            -1.0 if trace else self.response_kb,
            use_background_threads(self.source.mean_rps),
        )
        self.latency = LogHistogram(self._folder.hcounts[0])
        self.wait = LogHistogram(self._folder.hcounts[1])
        self._rest = np.empty((2, 0))
        self._rr_next = np.zeros(1, dtype=np.int64)
        self.source.uniforms = self.ecs is not None and self.ecs.dispatch == "random"
        self._arrivals = PrefetchingSource(self.source)
        self._failed: BaseException | None = None  # what a window raised (see advance_to)
        door = self.front if isinstance(self.front, ApiGateway) else None
        self._bucket = door.state if door is not None else np.empty(0)  # no bucket: no throttle
        self._kernel = kernel(*(("round_robin", 1) if self.ecs is None else (self.ecs.dispatch, self.ecs.slots)))
        self._prm = window_params(
            self.front.overhead_s,
            self.front.timeout_s,
            self.horizon_s,
            door.throttle_rps if door is not None else 0.0,
            door.burst if door is not None else 0.0,
            self.payload_error,
        )

    @property
    def pct(self) -> np.ndarray:
        """Per minute: latency p50, p95, p99 (ms; NaN for a minute that served nothing); complete
        after :meth:`flush`."""
        return self._folder.pct

    # -- windows ---------------------------------------------------------------------------------
    def advance_to(self, t_end: float) -> None:
        """Process every arrival in [t_done, t_end) with the workers as they are now.

        The stretch is cut at minute boundaries, so each window lies within one minute (and hour).
        Once a window has raised (an error, or an interrupt landing anywhere in it), every later call
        raises that again: the window may have left its state half-updated (a result of a background
        thread taken and not stored, a window not marked done), and SimPy, which takes a failing
        process's exception and raises it only at its next step, would otherwise let another process
        at the same instant go on from there (and wait for ever on the lost result).
        """
        if self._failed is not None:
            raise self._failed
        t_end = min(t_end, self.horizon_s)
        try:
            while self.t_done < t_end:
                stop = min(t_end, (math.floor(self.t_done / 60) + 1) * 60.0)
                self._window(self.t_done, stop)
                self.t_done = stop
        except BaseException as exc:
            self._failed = exc
            raise

    def _window(self, t0: float, t1: float) -> None:
        blk, lo, hi = self._arrivals.span(t0, t1)
        if self._arrivals.background and not self._folder.background:  # cores lent in mid-run
            self._folder.background = True
        n = hi - lo
        if n == 0:
            return
        minute, hour = int(t0 // 60), int(t0 // 3600)
        if self.ecs is not None:
            if self._rest.shape[1] < n:
                self._rest = np.empty((2, max(n, 2 * self._rest.shape[1])))
            codes, latency, wait = np.empty(n, dtype=np.int8), np.empty(n), np.empty(n)
            free, heaps, sizes = self.ecs.window_state()
            heaps, admitted = self._kernel(
                blk.t, blk.service_s, blk.u, lo, hi, minute, hour, self._prm, self._bucket, self._rr_next,
                free, heaps, sizes, *self.busy.arrays(), self._mins, self._hrs, self._rest, codes, latency, wait,
            )  # fmt: skip
            self.ecs.keep_heaps(heaps)
        elif self.pool is not None:
            codes, latency, wait, admitted = self._lambda_window(blk.t[lo:hi], blk.service_s[lo:hi], minute, hour)
        else:  # pragma: no cover - the engine always gives one backend
            raise AssertionError("no backend")
        self._folder.fold(codes, latency, wait, admitted, minute, hour)
        t = blk.t[lo:hi]
        if self.bytes_per_request is not None:
            trace_bytes = self.bytes_per_request(t[codes == SERVED])
            served = int(np.count_nonzero(codes == SERVED))
            self._hrs[H_RESPONSE_KB, hour] += (
                served * self.response_kb if trace_bytes is None else float(trace_bytes.sum()) / 1000
            )
        if self.observer is not None:
            self.observer(t, codes.copy(), latency.copy(), wait.copy())

    def _lambda_window(
        self, t: np.ndarray, service_s: np.ndarray, minute: int, hour: int
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
        pool = self.pool
        assert pool is not None
        ok = self.front.admit(t)
        return lambda_window(
            t, service_s, ok, self.lambda_timeout_s, self.front.overhead_s, self.front.timeout_s, self.horizon_s,
            self.payload_error, pool.prov_free, pool.busy_heap, pool.idle, pool.state, pool.limit, pool.init_s,
            pool.idle_ttl_s, pool.legacy_scaling, minute, hour, *self.busy.arrays(), self._mins, self._hrs,
        )  # fmt: skip

    def flush(self) -> None:
        """Fold every window still being folded, close the last minute (its latency percentiles,
        exact from its requests) and bring the run's histograms up to date."""
        self._arrivals.close()
        self._folder.finish()
        for hist, (n, total, top) in zip((self.latency, self.wait), self._folder.histogram_stats(), strict=True):
            hist.n, hist.total, hist.maximum = n, total, top

    def close(self) -> None:
        """Stop the background threads of a run given up (an error or an interrupt)."""
        self._arrivals.close()
        self._folder.stop()

    # -- metrics -----------------------------------------------------------------------------------
    def busy_between(self, t0: float, t1: float) -> float:
        """Worker-seconds spent in [t0, t1) (whole seconds)."""
        return self.busy.between(t0, t1)
