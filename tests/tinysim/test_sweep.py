"""Sweeps, bands and the batched fluid path."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import time
from concurrent.futures import ProcessPoolExecutor
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd
import pytest

from models import Scenario
from models.errors import InputError
from tests.tinysim.helpers import fixed_service
from tinysim.fluid_run import fluid_forecasts
from tinysim.queueing import mmc_mean_wait
from tinysim.simulate import simulate
from tinysim.sweep import _start_worker, bands, expand_grid, run_point, sweep

METRIC_COLUMNS = ["monthly_usd", "p50_ms", "p95_ms", "p99_ms", "availability", "peak_tasks", "throttled"]


def base(**extra: Any) -> Scenario:
    data: dict[str, Any] = {
        "plan": {
            "front_door": "alb",
            "container": {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}},
        },
        "traffic": {"kind": "diurnal", "mean_rps": 20, "peak_rps": 35, "daily_sigma": 0.2},
        "workload": {"service_time_ms": {"dist": "lognormal", "mean": 40, "p99": 300}},
        "horizon_s": 3 * 86400,
    }
    data.update(extra)
    return Scenario.model_validate(data)


GRID = {"plan.container.tasks.max": [2, 5], "traffic.scale": [1, 3], "plan.front_door": ["alb", "apigw-http"]}


def test_grid_expansion_and_invalid_combinations() -> None:
    points = expand_grid(base(), {"plan.container.task.memory_mb": [2048, 100_000], "traffic.scale": [2]})
    assert [p[0] for p in points] == [
        {"plan.container.task.memory_mb": 2048, "traffic.scale": 2},
        {"plan.container.task.memory_mb": 100_000, "traffic.scale": 2},
    ]
    assert points[0][1] is not None and points[0][1].traffic.mean_rps == 40  # type: ignore[union-attr]
    assert points[1][1] is None and "container.task.memory_mb=100000" in points[1][2]
    table = sweep(base(), {"plan.container.task.memory_mb": [2048, 100_000]}, executor="inprocess", progress=False)
    assert list(table["error"] == "") == [True, False]


def test_batched_fluid_equals_single_runs() -> None:
    scenarios = [s for _, s, _ in expand_grid(base(fidelity="fluid"), GRID) if s is not None]
    batched = fluid_forecasts(scenarios)
    for scenario, (bill, summary, _) in zip(scenarios, batched, strict=True):
        one = simulate(scenario)
        assert bill.total_usd == one.bill.total_usd
        assert summary.latency_ms == one.summary.latency_ms
        assert summary.requests == one.summary.requests


@pytest.mark.parametrize("executor", ["threads", "processes"])
def test_executors_give_the_same_table(executor: str) -> None:
    ref = sweep(base(), GRID, seeds=(0, 1), executor="inprocess", fidelity="fluid", progress=False)
    other = sweep(base(), GRID, seeds=(0, 1), executor=executor, workers=2, fidelity="fluid", progress=False)
    pd.testing.assert_frame_equal(ref, other)
    assert len(ref) == 16 and (ref["error"] == "").all()
    # the traffic future differs by seed (daily_sigma), so the seeds do not agree
    a, b = (ref[ref["seed"] == s]["monthly_usd"].tolist() for s in (0, 1))
    assert a != b
    assert all(isinstance(v, Decimal) for v in ref["monthly_usd"])


def test_request_fidelity_sweep_and_more_traffic_costs_more() -> None:
    table = sweep(
        base(horizon_s=1800),
        {"traffic.scale": [1, 4]},
        seeds=(3,),
        executor="inprocess",
        fidelity="request",
        slo_p99_ms=250,
        progress=False,
    )
    low, high = table.sort_values("traffic.scale")["monthly_usd"].tolist()
    assert high > low
    assert table["slo_attainment"].between(0, 1).all()


def test_bands_contain_the_analytic_mean() -> None:
    # Two tasks, one shared queue, rho = 0.7: ten seeds of an hour each; the Erlang C mean latency
    # (wait + 10 ms service + 1 ms ALB) should sit inside the P10-P90 band of the measured means.
    sc = fixed_service(2, "central_queue", 140, 10, 3600)
    table = sweep(sc, {"traffic.scale": [1]}, seeds=range(10), executor="inprocess", progress=False)
    b = bands(table, metrics=("mean_ms",))
    expected = (mmc_mean_wait(2, 140, 100) + 0.010 + 0.001) * 1000
    assert b.loc[0, "mean_ms_p10"] <= expected <= b.loc[0, "mean_ms_p90"]
    assert b.loc[0, "seeds"] == 10
    assert np.isclose(b.loc[0, "mean_ms_p50"], expected, rtol=0.02)


def test_dask_local_cluster_gives_the_same_table() -> None:
    import distributed  # the [distributed] extra, which `make test` installs

    with (
        distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        on_dask = sweep(base(), GRID, seeds=(0, 1), executor=client, fidelity="fluid", progress=False)
    ref = sweep(base(), GRID, seeds=(0, 1), executor="inprocess", fidelity="fluid", progress=False)
    pd.testing.assert_frame_equal(ref, on_dask)


def test_a_worker_ends_at_once_when_its_sweep_is_done() -> None:
    """The sweep waits for its workers to end. A worker that has run a forecast skips the
    interpreter's teardown, which took 0.41-0.47 s here for such a process (pool shut down after
    one point, three times; 0.012-0.022 s without it)."""
    spawn = multiprocessing.get_context("spawn")
    scenario = base(horizon_s=600, fidelity="request")
    with ProcessPoolExecutor(1, mp_context=spawn, initializer=_start_worker, initargs=(os.getpid(), None)) as pool:
        assert pool.submit(run_point, (0, 0, scenario, None)).result()["error"] == ""
        t0 = time.perf_counter()
        pool.shutdown()
        assert time.perf_counter() - t0 < 0.2


def _start_with_a_handler(parent_pid: int, mark: str) -> None:
    atexit.register(lambda: open(mark, "w").close())  # registered before the worker's own
    _start_worker(parent_pid, None)


def test_a_worker_still_runs_the_exit_handlers_registered_before_its_own(tmp_path: Any) -> None:
    mark = str(tmp_path / "ran")
    spawn = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        1, mp_context=spawn, initializer=_start_with_a_handler, initargs=(os.getpid(), mark)
    ) as pool:
        assert pool.submit(abs, -3).result() == 3
    assert os.path.exists(mark)


@pytest.mark.parametrize(
    ("seeds", "workers", "problem"),
    [
        ((), None, "seeds=(): name at least one seed"),
        ((0, 1, 0), None, "seeds: 0 is named twice"),
        ((0, 1.5), None, "seeds: 1.5 is not a seed"),
        ((0,), 0, "workers=0: a whole number of processes or threads, at least 1"),
        ((0,), 2.5, "workers=2.5: a whole number"),
    ],
)
def test_seeds_and_workers_are_checked_before_any_run(seeds: Any, workers: Any, problem: str) -> None:
    """Each was a failure half-way (a KeyError for no seed, a ValueError from the pool) or rows run
    twice (a seed named twice)."""
    with pytest.raises(InputError) as refused:
        sweep(base(horizon_s=600), {"traffic.scale": [1]}, seeds=seeds, workers=workers, executor="threads")
    assert refused.value.problems[0].startswith(problem)
