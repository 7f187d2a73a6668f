"""The simulator's work is bounded by the horizon and the request count, never by how large a value
is: a request busy for days, or an idle TTL of a day, costs what a short one does."""

from __future__ import annotations

import math
import time

import numpy as np

from models import Scenario
from tests.tinysim.helpers import busy_truth
from tinysim.busy_seconds import BusySeconds
from tinysim.fluid import N_COLUMNS
from tinysim.fluid_lambda import lambda_kernel
from tinysim.fluid_record import FLUID_RECORD
from tinysim.simulate import simulate


def test_busy_seconds_exact_and_reads_in_between() -> None:
    rng = np.random.default_rng(3)
    n = 400
    busy = BusySeconds(n)
    starts, ends = [], []
    t = 0.0
    for _ in range(25):
        s = np.sort(rng.uniform(t, t + 15, 30))
        e = s + rng.exponential(rng.choice([0.2, 4.0, 90.0]), s.size)
        busy.add(s, e)
        starts.append(s)
        ends.append(e)
        x = rng.uniform(0, t + 15)  # a CloudWatch read may come before later intervals are added
        truth = busy_truth(n, np.concatenate(starts), np.concatenate(ends))
        assert math.isclose(busy.between(0, x), truth[: int(x)].sum(), rel_tol=1e-9, abs_tol=1e-9)
        t += 15
    assert np.allclose(busy.seconds(), busy_truth(n, np.concatenate(starts), np.concatenate(ends)))


def test_busy_seconds_of_a_huge_interval_is_immediate() -> None:
    busy = BusySeconds(86_401)
    began = time.perf_counter()
    busy.add(np.array([5.5]), np.array([1e12]))  # stepped one second at a time before: never ended
    assert busy.between(0, 100) == 94.5
    assert busy.seconds()[-1] == 1.0
    assert time.perf_counter() - began < 1.0


def _lambda_reference(lam: np.ndarray, mean_s: float, ttl_steps: int, provisioned: int, new: float) -> np.ndarray:
    """Concurrency per step (Little's law), the idle-TTL maximum taken over the whole window each step."""
    alive, recent, conc = float(provisioned), np.zeros(lam.size), np.zeros(lam.size)
    for i, rate in enumerate(lam):
        need = rate * mean_s
        alive = min(alive, max([float(provisioned), *recent[max(0, i - ttl_steps) : i]]))
        alive += min(max(0.0, need - alive), new)
        recent[i] = alive
        conc[i] = min(need, alive)
    return conc


def test_fluid_lambda_window_maximum_matches_its_definition() -> None:
    rng = np.random.default_rng(5)
    lam = rng.choice([0.0, 5.0, 50.0, 400.0], 3000) * rng.uniform(0.5, 1.5, 3000)
    for ttl_steps in (1, 7, 60, 5000):
        out = np.zeros((lam.size, N_COLUMNS))
        rec = np.zeros(1, dtype=FLUID_RECORD)  # 0.3-s steps: 1,000 new environments per 10 s is 30 a step
        rec["dt"], rec["mean_s"], rec["init_s"], rec["limit"], rec["provisioned"] = 0.3, 0.1, 0.2, 100_000, 2
        rec["ttl_steps"], rec["timeout_s"], rec["throttle_rps"], rec["throttle_burst"] = ttl_steps, 30.0, math.inf, 0
        lambda_kernel(rec[0], lam, out)
        assert np.allclose(out[:, 14], _lambda_reference(lam, 0.1, ttl_steps, 2, 30.0))


def test_day_long_idle_ttl_over_a_month_in_seconds() -> None:
    # 10 s steps x a 1-day TTL: 8,640 steps scanned per step before, 2.2e9 in all
    scenario = Scenario.model_validate(
        {
            "plan": {"architecture": "serverless", "container": {"scaling": {"period_s": 10}}},
            "traffic": {"kind": "constant", "rps": 5},
            "timings": {"lambda_idle_ttl_s": 86_400},
            "horizon_s": 30 * 86_400,
            "fidelity": "fluid",
        }
    )
    simulate(scenario)  # compile
    began = time.perf_counter()
    result = simulate(scenario)
    assert time.perf_counter() - began < 5.0
    assert result.summary.requests.offered > 0


def test_longest_valid_times_run_in_seconds() -> None:
    # the largest values the schema allows: 900 s service times with a heavy tail (sigma 5 draws
    # requests busy for days) and a 900 s cold start; both stepped through second by second before
    heavy_tail = {
        "traffic": {"kind": "constant", "rps": 1},
        "workload": {
            "service_time_ms": {"dist": "lognormal", "mean": 900_000, "sigma": 5},
            "concurrency_per_task": 1024,
        },
        "horizon_s": 86_400,
    }
    slow_start = {
        "plan": {"architecture": "serverless", "serverless": {"timeout_s": 900}},
        "traffic": {"kind": "constant", "rps": 1},
        "workload": {"cold_start_ms": 900_000, "service_time_ms": {"mean": 900_000}},
        "horizon_s": 86_400,
    }
    for data in (heavy_tail, slow_start):
        scenario = Scenario.model_validate(data)
        simulate(scenario.model_copy(update={"horizon_s": 600}))  # compile
        began = time.perf_counter()
        result = simulate(scenario)
        assert time.perf_counter() - began < 10.0
        assert result.summary.requests.offered > 80_000  # a day at 1 request/s
