"""A scenario resolved into the fluid kernel's inputs: its blueprint's record (``FLUID_RECORD``), the
scheduled bounds changes, the service-time points and quantiles, the step and the traffic's step rates."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from models.blueprint import Blueprint, blueprint
from models.errors import InputError
from models.plan import Plan
from models.price_regions import scenario_price_book
from models.prices import PriceBook
from models.scenario import Scenario, TraceTraffic
from tinysim.compute.lambda_ import COLD_START_MS
from tinysim.control import BoundsChange, bounds_changes
from tinysim.distributions import Distribution, from_spec
from tinysim.fluid_quantiles import service_points
from tinysim.fluid_record import fill_record, step_s
from tinysim.frontdoor import front_door
from tinysim.spot import SpotPlacement
from tinysim.traffic import RateFunction, rate_function

__all__ = ["FluidSetup", "service_quantiles", "setup"]

Z = {0.5: 0.0, 0.95: 1.6448536269514722, 0.99: 2.3263478740408408}


def service_quantiles(d: Distribution) -> np.ndarray:
    """p50, p95, p99 of the service time (seconds)."""
    qs = (0.5, 0.95, 0.99)
    if d.kind == "exponential":
        return np.array([-math.log(1 - q) * d.mean_s for q in qs])
    if d.kind == "constant":
        return np.full(3, d.mean_s)
    if d.kind == "lognormal":
        mu = math.log(d.mean_s) - d.sigma**2 / 2
        return np.array([math.exp(mu + d.sigma * Z[q]) for q in qs])
    return np.asarray(np.quantile(np.asarray(d.samples_s), qs))


@dataclass(frozen=True)
class FluidSetup:
    """Everything the kernel needs for one scenario: its record (``FLUID_RECORD``, shape (1,)), the
    scheduled bounds changes (rows of time_s, min, max) and the service-time quantiles."""

    scenario: Scenario
    plan: Plan
    book: PriceBook
    serverless: bool
    record: np.ndarray
    sched: np.ndarray
    changes: tuple[BoundsChange, ...]
    dist: Distribution
    svc_q: np.ndarray
    mean_s: float
    overhead_s: float
    dt: float
    n: int
    prov_per_step: float
    init_ms: float
    blueprint: Blueprint

    @property
    def svc(self) -> np.ndarray:
        """``(3, N_POINTS)``: the service points and their probabilities, then p50, p95, p99 (s)."""
        points = service_points(self.dist)
        row = np.zeros((1, points.shape[1]))
        row[0, :3] = self.svc_q
        return np.concatenate([points, row])

    def rates(self) -> np.ndarray:
        """Mean offered rate of each step: the exact integral of the traffic over it, over ``dt``."""
        return self.rate_function().step_rates(self.dt, self.n)

    def rate_function(self) -> RateFunction:
        return rate_function(self.scenario.traffic, self.scenario.seed, self.scenario.start)

    @property
    def traced_bytes(self) -> bool:
        """Whether the traffic is a trace with a byte column (response bytes per request)."""
        spec = self.scenario.traffic
        return isinstance(spec, TraceTraffic) and spec.bytes_column is not None

    def bytes_per_request(self) -> np.ndarray:
        """A trace's response bytes per request in each step (NaN without a byte column)."""
        if not isinstance(self.scenario.traffic, TraceTraffic):  # only a trace has bytes
            return np.full(self.n, np.nan)
        per = self.rate_function().bytes_per_request((np.arange(self.n) + 0.5) * self.dt)
        return np.full(self.n, np.nan) if per is None else per


def _refuse_request_level_only(scenario: Scenario, plan: Plan) -> None:
    """Options the fluid kernel does not model are refused by name, never silently ignored."""
    tm = scenario.timings
    if SpotPlacement(plan, tm.spot_interruptions_per_task_hour, scenario.seed).active:
        raise InputError(
            [
                f"timings.spot_interruptions_per_task_hour={tm.spot_interruptions_per_task_hour!r}: Fargate Spot "
                'interruptions are simulated at request level only; use fidelity "request" or set it to 0'
            ]
        )


def setup(scenario: Scenario) -> FluidSetup:
    """Resolve a scenario into kernel inputs (task start and boot delays round up to whole steps).

    Raises ``models.InputError`` for options only the request fidelity models."""
    plan = scenario.resolved_plan()
    _refuse_request_level_only(scenario, plan)
    bp = blueprint(plan, scenario.account)  # derived once per distinct plan
    book = scenario_price_book(scenario, plan)
    wl = scenario.workload
    dist = from_spec(wl.service_time_ms)
    dt = step_s(bp)
    n = math.ceil(scenario.horizon_s / dt)
    front = front_door(plan.front_door, wl.frontdoor_overhead_ms, 0, 0)
    prov, init_ms, timeout = 0.0, 0.0, front.timeout_s
    if plan.architecture == "serverless":
        s = plan.serverless
        init_ms = wl.cold_start_ms if wl.cold_start_ms is not None else COLD_START_MS[s.package]
        timeout = min(front.timeout_s, float(s.timeout_s))
        prov = s.provisioned_concurrency * dt / dist.mean_s
    record = fill_record(scenario, bp, dist, dt, timeout, front.overhead_s, init_ms / 1000).reshape(1)
    changes = bounds_changes(bp.control.scheduled, scenario.start, float(scenario.horizon_s))
    sched = np.array([(c.time_s, c.min, c.max) for c in changes], dtype=float).reshape(-1, 3)
    serverless = plan.architecture == "serverless"
    q = service_quantiles(dist)
    return FluidSetup(
        scenario,
        plan,
        book,
        serverless,
        record,
        sched,
        changes,
        dist,
        q,
        dist.mean_s,
        front.overhead_s,
        dt,
        n,
        prov,
        init_ms,
        bp,
    )
