"""Steady stretches copied at once give the kernel's step-by-step result bit for bit."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from models import Scenario
from tests.tinysim.test_control_loop import FARGATE
from tinysim.fluid import N_COLUMNS, aggregate
from tinysim.fluid_container import container_kernel
from tinysim.fluid_quantiles import step_quantiles
from tinysim.fluid_rows import row_counts, split_rows
from tinysim.fluid_setup import setup
from tinysim.fluid_steady import COPIED
from tinysim.fluid_tasks import EV_CLUSTER_DATAPOINT, EV_SERVICE_DATAPOINT

EC2 = {"container": {"instances": {"min": 1, "max": 3}, "tasks": {"min": 1, "max": 5, "desired": 1}}}
BURSTABLE = {
    "container": {
        "instance_type": "t3.micro",
        "instances": {"min": 1, "max": 4},
        "task": {"cpu_units": 1024, "memory_mb": 512},
        "tasks": {"min": 1, "max": 4, "desired": 1},
    }
}
# a cooldown longer than a task's start: the scale-out alarm stays in ALARM with nothing starting
COOLDOWN = {
    "container": {
        "launch_type": "fargate",
        "task": {"cpu_units": 1024, "memory_mb": 2048},
        "tasks": {"min": 1, "max": 10, "desired": 1},
        "scaling": {"cooldown_s": 1200},
    }
}
TRACKING = {
    "front_door": "alb",
    "container": {
        "launch_type": "fargate",
        "task": {"cpu_units": 512, "memory_mb": 1024},
        "scaling": {
            "policy": "target_tracking",
            "metric": "alb_request_count_per_target",
            "target_value": 1000,
            "scheduled": [{"name": "peak", "cron": "cron(0 8 ? * MON-FRI *)", "min": 2, "max": 5}],
        },
    },
}


def _run(plan: dict[str, Any], lam: np.ndarray, skip: bool) -> tuple[np.ndarray, ...]:
    """The kernel's rows, events, unpaid surplus and copied-row marks on the step rates ``lam``, and the
    hourly sums and run totals ``aggregate`` makes of them (with an SLO of 100 ms)."""
    sc = Scenario.model_validate(
        {
            "plan": plan,
            "traffic": {"kind": "constant", "rps": 1},
            "workload": {"service_time_ms": {"dist": "lognormal", "mean": 50, "p99": 250}},
            "timings": {"task_start_s": 60},
            "horizon_s": lam.size * 60,
            "fidelity": "fluid",
        }
    )
    fs = setup(sc)
    assert fs.n == lam.size
    out = np.full((fs.n, N_COLUMNS), np.nan, order="F")  # no cell left as it came counts
    events = np.empty((4 * fs.n + 64, 4))
    same = np.zeros(fs.n, dtype=np.bool_)
    ne, surplus = container_kernel(fs.record[0], lam, fs.sched, out, same, events, skip)
    assert skip or not same.any()  # nothing copied unless asked
    assert not np.isnan(np.delete(out[~same], [4, 5, 6], axis=1)).any()  # a computed row is written whole
    kept = list(COPIED)  # a marked row is the one before in the columns it is given
    assert not same[0] and np.array_equal(out[1:, kept][same[1:]], out[:-1, kept][same[1:]])
    # what the readers make of it: the quantiles of every step, the hourly sums and the run's totals
    step_quantiles(out, same, fs.overhead_s, fs.svc[:2], fs.svc_q)
    hourly, tot = aggregate(
        False, out, same, events, ne, surplus, 60, math.ceil(fs.n / 60), 0.0, 100.0, np.full(fs.n, np.nan),
        fs.overhead_s, fs.svc,
    )  # fmt: skip
    return out, _expanded(events[:ne], fs.dt), surplus, same, hourly, tot


def _expanded(rows: np.ndarray, dt: float) -> np.ndarray:
    """The kernel's event rows with every repeat written out: (t, kind, a, b) of each datapoint and control
    event, in order (``split_rows`` keeps the order within each kind)."""
    n, n_control = row_counts(rows)
    t_s, value, alarm, cluster = np.empty(n), np.empty(n), np.empty(n, np.bool_), np.empty(n, np.bool_)
    control = np.empty(n_control, np.int64)
    m, c = split_rows(rows, math.inf, dt, t_s, value, alarm, cluster, control)
    kinds = np.where(cluster[:m], EV_CLUSTER_DATAPOINT, EV_SERVICE_DATAPOINT)
    datapoints = np.column_stack([t_s[:m], kinds, value[:m], alarm[:m]])
    return np.concatenate([datapoints, rows[control[:c]]])


def _same_run(plan: dict[str, Any], lam: np.ndarray) -> np.ndarray:
    """Run step by step and with steady steps copied; assert equal results; return the copied marks."""
    slow, fast = _run(plan, lam, False), _run(plan, lam, True)
    read = [*COPIED, 4, 5, 6]  # the columns read on every row; the others where a row was computed
    assert np.array_equal(fast[0][:, read], slow[0][:, read], equal_nan=True)
    assert np.array_equal(fast[0][~fast[3]], slow[0][~fast[3]], equal_nan=True)
    assert np.array_equal(fast[1], slow[1], equal_nan=True)
    assert fast[2] == slow[2]
    assert np.array_equal(fast[4], slow[4], equal_nan=True) and np.array_equal(fast[5], slow[5], equal_nan=True)
    return fast[3]


PLANS = [FARGATE, EC2, BURSTABLE, COOLDOWN, TRACKING]
IDS = ["fargate", "ec2", "burstable", "cooldown", "tracking"]


@pytest.mark.parametrize("plan", PLANS, ids=IDS)
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_skipping_steady_steps_changes_nothing(plan: dict[str, Any], seed: int) -> None:
    # six days of piecewise-constant load: quiet, overload (scale out to the cap), idle (scale in), zero
    rng = np.random.default_rng(seed)
    levels = rng.choice([0.0, 2.0, 20.0, 60.0, 150.0], size=40)
    lam = np.repeat(levels, rng.integers(5, 500, size=levels.size))[: 6 * 1440]
    lam = np.pad(lam, (0, 6 * 1440 - lam.size), mode="edge")
    _same_run(plan, lam)


@pytest.mark.parametrize("plan", PLANS, ids=IDS)
def test_a_settled_stack_is_copied_and_its_scaling_still_happens(plan: dict[str, Any]) -> None:
    # three quiet days (a burstable instance's credits reach their cap on the second), then an overload
    lam = np.concatenate([np.full(3 * 1440, 2.0), np.full(600, 150.0), np.full(600, 2.0)])
    same = _same_run(plan, lam)
    assert same[: 3 * 1440].any()
    assert not same[3 * 1440]  # the rate changed: the step is computed
    events = _run(plan, lam, True)[1]
    assert np.any((events[:, 1] == 0) & (events[:, 0] > 3 * 86400))  # the overload scaled out


# (not burstable: a burstable instance's CPU credits run down step by step in an overload, no step repeats)
EC2_M5 = {"container": {**EC2["container"], "instance_type": "m5.large"}}


@pytest.mark.parametrize("plan", [FARGATE, EC2_M5, TRACKING], ids=["fargate", "ec2", "tracking"])
def test_a_saturated_overload_is_copied_and_its_backlog_carried_on(plan: dict[str, Any]) -> None:
    # a quiet day, a day far over the cap (every request late, the backlogs growing each step), a quiet
    # day: the backlog the copied steps leave decides how long the third day takes to drain it
    lam = np.concatenate([np.full(1440, 2.0), np.full(1440, 2000.0), np.full(1440, 2.0)])
    same = _same_run(plan, lam)
    overload = same[1440:2880]
    assert overload.mean() > 0.9  # before: no step with a backlog was copied
    out = _run(plan, lam, True)[0]
    assert out[2879, 1] == 0.0 and out[2879, 3] == out[2879, 0]  # served none, every request timed out
    assert out[2880, 3] > 0  # the backlog carried into the quiet day still times out there


def test_tasks_waiting_for_room_are_copied() -> None:
    # the cluster's one instance holds two tasks (2 vCPUs, 1 each) while the service wants five: three
    # wait to be placed, for ever; the steps repeat with them waiting
    full = {"instances": {"min": 1, "max": 1}, "task": {"cpu_units": 1024, "memory_mb": 2048}}
    plan = {"container": {**EC2_M5["container"], **full}}
    lam = np.concatenate([np.full(1440, 150.0), np.full(720, 2.0)])
    same = _same_run(plan, lam)
    out = _run(plan, lam, True)[0]
    assert out[1000, 10] > 0  # tasks pending
    assert same[720:1440].mean() > 0.9  # before: no step with a task waiting was copied
