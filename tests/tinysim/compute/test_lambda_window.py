"""The compiled Lambda window gives, bit for bit, what the vectorised NumPy form of the same rules
gives (environments, billed and init milliseconds, throttles, timeouts, in-flight requests at the
horizon, busy seconds, the fold into minutes and hours), window after window."""

from __future__ import annotations

import numpy as np
import pytest

from tinysim.busy_seconds import BusySeconds
from tinysim.compute.lambda_ import LambdaPool
from tinysim.compute.lambda_window import lambda_window
from tinysim.log_bins import bin_table
from tinysim.minute_percentiles import BIN_DTYPE
from tinysim.stats import N_BINS
from tinysim.window_fold import FAILED, IN_FLIGHT, SERVED, THROTTLED, TIMED_OUT, fold_outcomes

OVERHEAD_S, DOOR_TIMEOUT_S, HORIZON_S, FUNCTION_TIMEOUT_S = 0.01, 1.5, 170.0, 1.0


class Run:
    """The pool and the accumulators of one run (as the data plane holds them)."""

    def __init__(self, legacy: bool) -> None:
        self.pool = LambdaPool(limit=40, provisioned=5, init_s=0.8, legacy_scaling=legacy)
        self.busy = BusySeconds(200)
        self.ist = np.array([-1, 0, 0, 0, 0], dtype=np.int64)
        self.mins, self.hrs = np.zeros((8, 3), dtype=np.int64), np.zeros((9, 1))
        self.pct, self.hcounts, self.hstat = (
            np.full((3, 3), np.nan),
            np.zeros((2, N_BINS), dtype=np.int64),
            np.zeros((2, 3)),
        )
        self.pend, self.pbin, self.scratch = np.empty(20_000), np.empty(20_000, dtype=BIN_DTYPE), np.empty(20_000)
        self.mcount = np.zeros(N_BINS, dtype=np.int64)


def vectorised(run: Run, t: np.ndarray, s: np.ndarray, ok: np.ndarray, minute: int, payload_error: bool):  # type: ignore[no-untyped-def]
    """The same window written with NumPy array operations."""
    n = t.size
    done = np.full(n, np.nan)
    run.mins[0, minute] += n  # offered
    run.hrs[0, 0] += int(np.count_nonzero(ok))
    wait = np.zeros(n)
    adm_t, adm_s = t[ok], s[ok]
    service = np.minimum(adm_s, FUNCTION_TIMEOUT_S)
    delay, kind, end = run.pool.run(adm_t, service)
    ran = kind > 0
    idx = np.flatnonzero(ok)
    ok[idx[~ran]] = False
    done[idx[ran]] = end[ran]
    wait[idx[ran]] = delay[ran]
    run.busy.add(adm_t[ran], end[ran])
    run.hrs[5, 0] += float(np.ceil(service[ran] * 1000 - 1e-9).sum())
    run.hrs[6, 0] += float(np.ceil(delay[ran] * 1000 - 1e-9).sum())
    run.hrs[7, 0] += int(np.count_nonzero(kind == 1))
    run.hrs[8, 0] += int(np.count_nonzero(ran))
    run.mins[6, minute] += int(np.count_nonzero(kind == 3))
    run.mins[7, minute] += int(np.count_nonzero(~ran))
    over = np.zeros(n, dtype=bool)
    over[idx[ran]] = adm_s[ran] > FUNCTION_TIMEOUT_S
    latency = done - t + OVERHEAD_S
    timed_out = (ok & (latency > DOOR_TIMEOUT_S)) | over
    outcome = np.full(n, THROTTLED, dtype=np.int8)
    outcome[ok] = SERVED
    outcome[timed_out] = TIMED_OUT
    finish = np.where(timed_out, t + np.minimum(latency, DOOR_TIMEOUT_S), t + latency)
    outcome[ok & (finish > HORIZON_S)] = IN_FLIGHT
    if payload_error:
        outcome[outcome == SERVED] = FAILED
    fold_outcomes(
        outcome, latency, wait, int(np.count_nonzero(ok)), minute, 0, 1.0, 4.0,
        run.ist, run.mins, run.hrs, run.pct, run.hcounts, run.hstat, run.pend, run.pbin, run.mcount, run.scratch,
        bin_table(),
    )  # fmt: skip
    return outcome, latency, wait


def compiled(run: Run, t: np.ndarray, s: np.ndarray, ok: np.ndarray, minute: int, payload_error: bool):  # type: ignore[no-untyped-def]
    """The compiled window, then the fold of its outcomes (as the data plane's folder does)."""
    p = run.pool
    outcome, latency, wait, admitted = lambda_window(
        t, s, ok, FUNCTION_TIMEOUT_S, OVERHEAD_S, DOOR_TIMEOUT_S, HORIZON_S, payload_error,
        p.prov_free, p.busy_heap, p.idle, p.state, p.limit, p.init_s, p.idle_ttl_s, p.legacy_scaling,
        minute, 0, *run.busy.arrays(), run.mins, run.hrs,
    )  # fmt: skip
    fold_outcomes(
        outcome, latency, wait, admitted, minute, 0, 1.0, 4.0,
        run.ist, run.mins, run.hrs, run.pct, run.hcounts, run.hstat, run.pend, run.pbin, run.mcount, run.scratch,
        bin_table(),
    )  # fmt: skip
    return outcome, latency, wait


@pytest.mark.parametrize(("legacy", "payload_error"), [(False, False), (True, False), (False, True)])
def test_compiled_window_equals_vectorised_form(legacy: bool, payload_error: bool) -> None:
    rng = np.random.default_rng(7)
    ref, got = Run(legacy), Run(legacy)
    seen = set()
    for minute, rps in enumerate((30.0, 400.0, 60.0)):  # quiet, a burst past the concurrency limit, quiet
        t = np.sort(rng.uniform(minute * 60, minute * 60 + 59.5, int(rps * 60)))
        s = rng.lognormal(np.log(0.08), 1.2, t.size)  # some run past the function's timeout
        ok = rng.random(t.size) > 0.02  # the front door's own throttle
        a = vectorised(ref, t, s, ok.copy(), minute, payload_error)
        b = compiled(got, t, s, ok.copy(), minute, payload_error)
        for x, y in zip(a, b, strict=True):
            np.testing.assert_array_equal(x, y)
        seen.update(a[0].tolist())
        ref.busy.between(0, 60 * minute)  # a read between windows settles part of the busy seconds
        got.busy.between(0, 60 * minute)
    for name in ("mins", "hrs", "pct", "hcounts", "hstat", "ist"):
        np.testing.assert_array_equal(getattr(got, name), getattr(ref, name))
    np.testing.assert_array_equal(got.busy.seconds(), ref.busy.seconds())
    np.testing.assert_array_equal(got.pool.state, ref.pool.state)
    # every outcome occurs: the comparison covers each path
    assert seen == {THROTTLED, FAILED if payload_error else SERVED, TIMED_OUT, IN_FLIGHT}
    assert got.mins[6].sum() > 0 and got.mins[7].sum() > 0  # cold starts and the function's own throttles
