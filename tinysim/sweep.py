"""Sweeps: one forecast per configuration x seed, run in-process, on local processes or threads, or
on a Dask cluster, into one tidy table; and P10/P50/P90 bands per configuration.

A grid maps dotted scenario paths to the values to try (``plan.container.tasks.max``,
``plan.front_door``, ``workload.service_time_ms.mean``, ...); ``traffic.scale`` multiplies every
rate of the traffic. Seeds pick the arrivals (request fidelity) and the traffic future (with
``traffic.daily_sigma`` > 0). The same (configuration, seed) gives the same row on every executor.
"""

from __future__ import annotations

import atexit
import itertools
import json
import math
import multiprocessing
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from decimal import Decimal
from functools import partial
from typing import Any

import numpy as np
import pandas as pd
from tqdm import tqdm

from models.errors import InputError, ModelsError
from models.scenario import Scenario
from models.validation import show_value, validate
from tinysim.arrival_prefetch import Flag, no_prefetch
from tinysim.costs import Bill
from tinysim.errors import TinysimError
from tinysim.fluid_run import fluid_forecasts
from tinysim.grid_effect import refuse_ignored_keys
from tinysim.interrupt import caused_by_interrupt, die_with_parent, end_workers, sigterm_interrupts
from tinysim.results import SimResult
from tinysim.simulate import simulate
from tinysim.summary import RunSummary
from tinysim.sweep_order import expected_requests, largest_first
from tinysim.work_sharing import SharedFlag, map_sharing_work, sigint_blocked

__all__ = ["METRICS", "bands", "default_executor", "expand_grid", "point_error", "run_point", "seeds_agree", "sweep"]

#: Numeric columns of a sweep table, one per forecast.
METRICS = (
    "monthly_usd",
    "p50_ms",
    "p95_ms",
    "p99_ms",
    "mean_ms",
    "availability",
    "slo_attainment",
    "throttled",
    "timed_out",
    "peak_tasks",
    "lambda_max_concurrency",
    "cold_starts",
)
#: Most configurations one grid may expand to.
MAX_CONFIGURATIONS = 100_000
RATE_KEYS = ("rps", "mean_rps", "peak_rps", "base_rps", "spike_rps", "start_rps")


def _set(data: dict[str, Any], path: str, value: Any) -> None:
    if path == "traffic.scale":
        traffic = data["traffic"]
        if traffic.get("kind") == "trace":
            traffic["scale"] = traffic.get("scale", 1.0) * value
        for key in RATE_KEYS:
            if key in traffic:
                traffic[key] = traffic[key] * value
        return
    node = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node.setdefault(part, {})
        if not isinstance(node, dict):
            raise InputError([f"grid: {path!r}: {part!r} is not an object in the scenario"])
    node[parts[-1]] = value


def _refuse_unknown_paths(data: dict[str, Any], grid: Mapping[str, Sequence[Any]]) -> None:
    """Raise ``InputError`` for a grid key naming no field of the scenario (it would fail every row)."""
    for key, options in grid.items():
        trial = json.loads(json.dumps(data))
        _set(trial, key, options[0])
        try:
            validate(Scenario, trial)
        except InputError as exc:
            unknown = [p for p in exc.problems if ": unknown field" in p]
            if unknown:
                raise InputError([f"grid.{key}: no such field in the scenario ({unknown[0]})"]) from None


def expand_grid(base: Scenario, grid: Mapping[str, Sequence[Any]]) -> list[tuple[dict[str, Any], Scenario | None, str]]:
    """Every configuration of the grid: (values, scenario or None, error text)."""
    for key, options in grid.items():
        if not isinstance(options, (list, tuple)) or not options:
            raise InputError([f"grid.{key}={options!r}: must be a non-empty list of values"])
        if key == "traffic.scale":
            for v in options:
                if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 < v < math.inf:
                    raise InputError([f"grid.{key}={show_value(v)}: must be a finite number > 0"])
    size = math.prod(len(v) for v in grid.values())
    if size > MAX_CONFIGURATIONS:
        raise InputError([f"grid: {size:,} configurations; at most {MAX_CONFIGURATIONS:,} in one sweep"])
    data = base.model_dump(mode="json", exclude_none=True)
    data.pop("plan_file", None)
    data["plan"] = base.resolved_plan().model_dump(mode="json", exclude_none=True)
    _refuse_unknown_paths(data, grid)
    out: list[tuple[dict[str, Any], Scenario | None, str]] = []
    keys = list(grid)
    for combo in itertools.product(*(grid[k] for k in keys)):
        values: dict[str, Any] = dict(zip(keys, combo, strict=True))
        trial = json.loads(json.dumps(data))
        for key, value in values.items():
            _set(trial, key, value)
        try:
            scenario = validate(Scenario, trial)
        except InputError as exc:
            out.append((values, None, "; ".join(exc.problems)))
            continue
        out.append((values, scenario, ""))
    return out


def _attainment(result: SimResult, slo_p99_ms: float | None) -> float:
    """Share of served requests that arrived in minutes whose p99 met the SLO."""
    tl = result.timeline_data
    served = np.asarray(tl["served"], dtype=float)
    if slo_p99_ms is None or served.sum() <= 0:
        return math.nan
    p99 = np.asarray(tl["latency_p99_ms"], dtype=float)
    ok = np.where(np.isfinite(p99), p99 <= slo_p99_ms, True)
    return float(served[ok].sum() / served.sum())


def _metrics(bill: Bill, s: RunSummary, attainment: float) -> dict[str, Any]:
    r = s.requests
    lat = s.latency_ms
    total = bill.total_usd
    return {
        "monthly_usd": total,
        "monthly_micro_usd": int(total * 1_000_000),
        "p50_ms": lat.p50,
        "p95_ms": lat.p95,
        "p99_ms": lat.p99,
        "mean_ms": lat.mean,
        "availability": s.served_share,
        "slo_attainment": attainment,
        "throttled": r.throttled,
        "timed_out": r.timed_out,
        "peak_tasks": s.scaling.max_tasks,
        "lambda_max_concurrency": s.lambda_.max_concurrency,
        "cold_starts": s.lambda_.cold_starts,
    }


Payload = tuple[int, int, Scenario, float | None]


def point_error(exc: BaseException) -> str:
    """The error column of a failed point: the problem lines, or the unexpected error's type and text."""
    if isinstance(exc, InputError):
        return "; ".join(exc.problems)
    if isinstance(exc, (ModelsError, TinysimError)):
        return str(exc)
    return f"unexpected {type(exc).__name__}: {exc}"


def run_point(payload: Payload) -> dict[str, Any]:
    """One forecast: (configuration id, seed, scenario, SLO p99) -> a table row (without values)."""
    return run_chunk([payload])[0]


#: In a sweep's worker process: the sweep's event saying that a core is free for good (see ``run_chunk``).
_LENT: list[Flag | None] = [None]


def run_chunk(payloads: Sequence[Payload], lent: Flag | None = None) -> list[dict[str, Any]]:
    """Forecasts of several points; fluid ones are computed together in one parallel batch. A
    request-level forecast runs on this thread alone, beside the sweep's others, until ``lent`` (in
    a worker process, the sweep's own event) says that a core is free for good: it then draws and
    folds on background threads too (``tinysim.arrival_prefetch``; the same numbers either way)."""
    rows: list[dict[str, Any]] = []
    fluid: list[tuple[int, int, Scenario]] = []
    slo = payloads[0][3] if payloads else None
    for config, seed, base, slo_ms in payloads:
        scenario = base.model_copy(update={"seed": seed})
        if scenario.fidelity == "fluid":
            fluid.append((config, seed, scenario))
            continue
        try:
            with no_prefetch(until=lent if lent is not None else _LENT[0]):  # a sweep runs forecasts side by side
                result = simulate(scenario)
        except Exception as exc:  # one failing point is a row with its error; the others go on
            if caused_by_interrupt(exc):
                raise KeyboardInterrupt from exc
            rows.append({"config": config, "seed": seed, "error": point_error(exc)})
            continue
        rows.append(
            {
                "config": config,
                "seed": seed,
                "error": "",
                **_metrics(result.bill, result.summary, _attainment(result, slo_ms)),
            }
        )
    if fluid:
        try:
            forecasts = fluid_forecasts([s for _, _, s in fluid], slo)
        except Exception as exc:
            if caused_by_interrupt(exc):
                raise KeyboardInterrupt from exc
            if len(fluid) == 1:
                return rows + [{"config": c, "seed": sd, "error": point_error(exc)} for c, sd, _ in fluid]
            # find the failing points: each alone, so the others still get their rows
            return rows + [row for c, sd, sc in fluid for row in run_chunk([(c, sd, sc, slo)])]
        for (config, seed, _), (bill, summary, att) in zip(fluid, forecasts, strict=True):
            rows.append(
                {
                    "config": config,
                    "seed": seed,
                    "error": "",
                    **_metrics(bill, summary, math.nan if att is None or slo is None else att),
                }
            )
    return rows


def _executor(kind: str | Any, workers: int | None) -> tuple[Callable[..., Iterable[Any]], Callable[[], None]]:
    """A ``map`` over payloads yielding results as they complete (unordered), and a closer."""
    if kind == "inprocess":
        return (lambda fn, items: map(fn, items)), (lambda: None)
    if kind in ("processes", "threads"):
        pool: Executor
        n = workers or os.cpu_count() or 1
        shared = kind == "processes" and n > 1
        # spawn, not fork: a forked child of a process whose compiled kernels started threads is unsafe
        spawn = multiprocessing.get_context("spawn")
        lent = SharedFlag(spawn) if shared else None  # set once the points run out and a core is left idle
        pool = (
            ProcessPoolExecutor(
                n - 1 if shared else n, mp_context=spawn, initializer=_start_worker, initargs=(os.getpid(), lent)
            )
            if kind == "processes"
            else ThreadPoolExecutor(n)
        )

        def close() -> None:
            if isinstance(pool, ProcessPoolExecutor) and sys.exc_info()[0] is KeyboardInterrupt:
                end_workers(pool)  # interrupted (Ctrl-C or SIGTERM): do not wait for running points
            else:
                pool.shutdown()

        if isinstance(pool, ProcessPoolExecutor):
            if shared:  # n - 1 workers and this process (which has its kernels loaded already)
                assert lent is not None
                here = partial(_run_here, lent=lent)
                return partial(map_sharing_work, pool, n - 1, here=here, drained=lent.set), close
            return partial(_map_in_workers, pool), close
        return (lambda fn, items: pool.map(fn, items)), close
    # a Dask client, or a scheduler address
    from distributed import Client, as_completed

    client = kind if isinstance(kind, Client) else Client(str(kind))  # type: ignore[no-untyped-call]

    def dask_map(fn: Callable[..., Any], items: Iterable[Any]) -> Iterable[Any]:
        futures = client.map(fn, list(items), pure=False)
        for future in as_completed(futures):  # type: ignore[no-untyped-call]
            yield future.result()

    return dask_map, ((lambda: None) if isinstance(kind, Client) else client.close)


def _map_in_workers(pool: ProcessPoolExecutor, fn: Callable[..., Any], items: Iterable[Any]) -> Iterable[Any]:
    """``pool.map`` with SIGINT blocked in this thread while it hands the items over, which starts
    the worker processes: they inherit the blocked signal. A Ctrl-C at the terminal goes to the
    whole process group; the workers then leave it to the sweep, which ends them (``close``),
    instead of each raising its own KeyboardInterrupt and printing a traceback."""
    with sigint_blocked():
        return pool.map(fn, items)


def _run_here(chunk: Sequence[Payload], lent: Flag) -> list[dict[str, Any]]:
    """:func:`run_chunk` in the sweep's own process beside its workers: one compiled thread, as
    theirs."""
    import numba

    before = numba.get_num_threads()
    numba.set_num_threads(1)
    try:
        return run_chunk(chunk, lent)
    finally:
        numba.set_num_threads(before)


def _chunks(payloads: list[Payload], executor: str | Any, workers: int | None) -> list[list[Payload]]:
    """Work units: fluid points go in batches (they run in parallel inside one), others one by one."""
    size = 1
    if payloads and payloads[0][2].fidelity == "fluid":
        parts = 1 if executor in ("inprocess", "threads") else 4 * (workers or os.cpu_count() or 1)
        size = max(1, math.ceil(len(payloads) / parts), 64 if parts > 1 else 1)
    return [payloads[i : i + size] for i in range(0, len(payloads), size)]


def _start_worker(parent_pid: int, lent: Flag | None) -> None:
    """A worker process: one compiled thread (the workers share the cores), the sweep's event for
    cores left free (``run_chunk``), and ended with the sweep's process however that ends
    (:func:`tinysim.interrupt.die_with_parent`)."""
    import numba

    die_with_parent(parent_pid)
    numba.set_num_threads(1)
    _LENT[0] = lent
    atexit.register(_end_worker)


_ENDING = [False]


def _end_worker() -> None:
    """The last thing a worker process does: run the other exit handlers (those registered before
    this one would come after it), then end without tearing the interpreter down. Its results are
    sent by then (the pool's result queue is written at once), and the teardown of a process that
    has run a forecast (freeing the compiled kernels, the libraries' modules) took 0.35-0.47 s here,
    which the sweep's process waits for when it shuts the pool down. The exit status is 0: the pool
    reads none (a worker that failed to start shows as a broken pool either way)."""
    if _ENDING[0]:  # called again by the run of the handlers below
        return
    _ENDING[0] = True
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            stream.flush()
    os._exit(0)


def _is_whole(value: object) -> bool:
    """A whole number (Python's or NumPy's), not a bool."""
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_seeds_and_workers(seeds: Sequence[int], workers: int | None) -> None:
    """``InputError`` for no seed, a seed that is not a whole number, one named twice, or ``workers``
    that is not a whole number from 1 (a sweep would otherwise fail on it half-way, or run a seed's
    rows twice)."""
    problems = []
    if len(seeds) == 0:
        problems.append("seeds=(): name at least one seed")
    whole = [int(s) for s in seeds if _is_whole(s)]
    if len(whole) < len(seeds):
        bad = next(s for s in seeds if not _is_whole(s))
        problems.append(f"seeds: {show_value(bad)} is not a seed; a seed is a whole number")
    twice = sorted(seed for seed, times in Counter(whole).items() if times > 1)
    if twice:
        problems.append(f"seeds: {twice[0]} is named twice; name each seed once")
    if workers is not None and (isinstance(workers, bool) or not isinstance(workers, int) or workers < 1):
        problems.append(f"workers={show_value(workers)}: a whole number of processes or threads, at least 1")
    if problems:
        raise InputError(problems)


def default_executor(fidelity: str) -> str:
    """The executor a sweep uses unless told: ``inprocess`` for the fluid fidelity (its points run in
    one batch through the compiled kernel, which already uses every core; worker processes would only
    add their start-up and the hand-over of scenarios), ``processes`` for the request fidelity (one
    forecast per core, side by side)."""
    return "inprocess" if fidelity == "fluid" else "processes"


def sweep(
    base: Scenario,
    grid: Mapping[str, Sequence[Any]],
    seeds: Sequence[int] = (0,),
    executor: str | Any | None = None,
    workers: int | None = None,
    slo_p99_ms: float | None = None,
    fidelity: str | None = None,
    progress: bool = True,
    refuse_ignored: bool = False,
) -> pd.DataFrame:
    """One row per configuration x seed: the grid's values, cost, latency, SLO attainment, throttles,
    peak tasks. ``executor``: ``inprocess``, ``threads``, ``processes``, a Dask ``Client`` or a
    scheduler address (``tcp://host:8786``); by default ``default_executor`` of the fidelity. With
    ``refuse_ignored`` (as ``tinysim sweep`` does) a grid key no configuration's plan reads raises
    ``InputError`` before any run (``tinysim.grid_effect``); so do no seed, a seed named twice, and
    ``workers`` other than a whole number from 1."""
    _check_seeds_and_workers(seeds, workers)
    if fidelity is not None:
        base = base.model_copy(update={"fidelity": fidelity})
    if executor is None:
        executor = default_executor(base.fidelity)
    points = expand_grid(base, grid)
    if refuse_ignored:
        refuse_ignored_keys(grid, [sc.resolved_plan() for _, sc, _ in points if sc is not None])
    payloads = [(i, seed, sc, slo_p99_ms) for i, (_, sc, _) in enumerate(points) if sc is not None for seed in seeds]
    rows = [
        {"config": i, "seed": seed, "error": err}
        for i, (_, sc, err) in enumerate(points)
        if sc is None
        for seed in seeds
    ]
    if executor != "inprocess" and base.fidelity != "fluid":  # keep every worker busy to the end
        payloads = largest_first(payloads, [expected_requests(p[2], p[1]) for p in payloads])
    mapper, close = _executor(executor, workers)
    chunks = _chunks(payloads, executor, workers)
    try:
        with (
            sigterm_interrupts(),
            tqdm(total=len(payloads), desc="forecasts", unit="run", disable=not progress, delay=1.0) as bar,
        ):
            for done in mapper(run_chunk, chunks):
                rows.extend(done)
                bar.update(len(done))
    except BaseException:
        close()  # sees the exception: an interrupt ends the workers at once
        raise
    close()
    table = pd.DataFrame(rows)
    values = pd.DataFrame([v for v, _, _ in points])
    values["config"] = range(len(points))
    table = values.merge(table, on="config").sort_values(["config", "seed"], kind="stable").reset_index(drop=True)
    for col in METRICS:
        if col not in table:
            table[col] = np.nan
    if "monthly_usd" in table:
        table["monthly_usd"] = pd.Series(
            [Decimal(str(v)) if isinstance(v, Decimal) else v for v in table["monthly_usd"]], dtype=object
        )
    return table


def bands(table: pd.DataFrame, metrics: Sequence[str] = ("monthly_usd", "p99_ms", "availability")) -> pd.DataFrame:
    """P10/P50/P90 of each metric over the seeds of every configuration."""
    keys = [c for c in table.columns if c not in (*METRICS, "seed", "error", "monthly_micro_usd", "config")]
    ok = table[table["error"] == ""] if "error" in table else table
    out = []
    for config, group in ok.groupby("config", sort=True):
        row = {"config": config, **{k: group[k].iloc[0] for k in keys}}
        for m in metrics:
            values = group[m].astype(float).to_numpy()
            p10, p50, p90 = np.nanpercentile(values, (10, 50, 90)) if np.isfinite(values).any() else (math.nan,) * 3
            row.update({f"{m}_p10": p10, f"{m}_p50": p50, f"{m}_p90": p90})
        row["seeds"] = len(group)
        out.append(row)
    return pd.DataFrame(out)


def seeds_agree(table: pd.DataFrame) -> bool:
    """Whether the table has several seeds and every configuration's seeds gave the same forecast
    (nothing random in the scenario, such as a trace replayed in the fluid fidelity): its bands are
    then P10 = P50 = P90."""
    ok = table[table["error"] == ""] if "error" in table else table
    if ok.empty or ok["seed"].nunique() < 2:
        return False
    metrics = [m for m in (*METRICS, "monthly_micro_usd") if m in ok]
    return all((group[metrics].astype(float).nunique(dropna=False) <= 1).all() for _, group in ok.groupby("config"))
