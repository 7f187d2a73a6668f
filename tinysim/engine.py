"""The request engine: SimPy owns time and every control decision; the data plane computes the
requests between them. :class:`Engine` wires traffic, front door, compute and the blueprint's control
plane for one scenario; ``tinysim.simulate`` runs it and builds the result.

The parts are modules of their own: ``tinysim.task_lifecycle`` (ECS tasks), ``tinysim.ec2_fleet``
(container instances and CPU credits), ``tinysim.control_loop`` (alarms, policies, scheduled actions),
``tinysim.minute_sampler`` (the timeline's fleet columns) and ``tinysim.run_records`` (what is recorded).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import simpy

from models.account import Account
from models.blueprint import blueprint, tasks_per_instance
from models.instances import INSTANCE_TYPES
from models.plan import Plan
from models.scenario import Scenario
from tinysim.compute.ec2 import Cluster
from tinysim.compute.ecs import EcsService
from tinysim.compute.lambda_ import COLD_START_MS, LambdaPool
from tinysim.control_loop import ControlLoop
from tinysim.dataplane import DataPlane, Observer
from tinysim.distributions import from_spec
from tinysim.ec2_fleet import InstanceFleet
from tinysim.footprint import check_fits
from tinysim.frontdoor import front_door
from tinysim.minute_sampler import MinuteSampler
from tinysim.payload_limits import payload_error
from tinysim.run_records import RunRecords
from tinysim.spot import SpotPlacement
from tinysim.task_lifecycle import TaskLifecycle
from tinysim.traffic import ArrivalSource, rate_function

__all__ = ["ACCOUNT_CONCURRENCY", "COLD_START_MS", "Engine"]

#: AWS's default Lambda concurrency quota; a run reads its scenario's ``account.lambda_concurrency``.
ACCOUNT_CONCURRENCY = Account().lambda_concurrency

Progress = Callable[[float], None]


@dataclass
class Engine:
    """One run: the SimPy environment, the data plane and the control processes around it."""

    scenario: Scenario
    plan: Plan
    progress: Progress | None = None
    observer: Observer | None = None
    env: simpy.Environment = field(default_factory=simpy.Environment)
    records: RunRecords = field(default_factory=RunRecords)

    def __post_init__(self) -> None:
        sc, plan = self.scenario, self.plan
        self.horizon_s = float(sc.horizon_s)
        self.blueprint = blueprint(plan, sc.account)
        rate = rate_function(sc.traffic, sc.seed, sc.start)
        check_fits(sc, rate)
        source = ArrivalSource(
            rate,
            from_spec(sc.workload.service_time_ms),
            sc.seed,
            self.horizon_s,
            sc.traffic.arrivals,
            sc.traffic.dispersion,
        )
        throttle = self.blueprint.api_throttle()  # the stage's, capped by the account's quota
        rps, burst = (throttle.rps, float(throttle.burst)) if throttle is not None else (math.inf, math.inf)
        front = front_door(plan.front_door, sc.workload.frontdoor_overhead_ms, rps, burst)
        self.ecs = (
            EcsService(sc.workload.concurrency_per_task, sc.workload.dispatch)
            if plan.architecture == "container"
            else None
        )
        self.pool = self._lambda_pool() if plan.architecture == "serverless" else None
        self.dp = DataPlane(
            source,
            front,
            self.horizon_s,
            sc.workload.request_kb,
            sc.workload.response_kb,
            self.ecs,
            self.pool,
            float(plan.serverless.timeout_s),
            rate.bytes_per_request if rate.trace_bps is not None else None,
            self.observer,
            payload_error=payload_error(plan, sc.workload) is not None,
        )
        self.fleet: InstanceFleet | None = None
        self.control: ControlLoop | None = None
        if self.ecs is not None:
            self._start_container_stack(self.ecs)
        cluster = self.fleet.cluster if self.fleet is not None else None
        self.sampler = MinuteSampler(self.env, self.records, self.dp.advance_to, self.ecs, cluster, self.progress)
        self.env.process(self.sampler.process())

    @property
    def cluster(self) -> Cluster | None:
        return self.fleet.cluster if self.fleet is not None else None

    def _lambda_pool(self) -> LambdaPool:
        sc, s = self.scenario, self.plan.serverless
        limit = self.blueprint.account.lambda_concurrency if s.reserved_concurrency is None else s.reserved_concurrency
        init_ms = sc.workload.cold_start_ms if sc.workload.cold_start_ms is not None else COLD_START_MS[s.package]
        return LambdaPool(
            limit,
            s.provisioned_concurrency,
            init_ms / 1000,
            sc.timings.lambda_idle_ttl_s,
            sc.timings.lambda_scaling == "legacy",
        )

    def _start_container_stack(self, ecs: EcsService) -> None:
        c, timings, control = self.plan.container, self.scenario.timings, self.blueprint.control
        service, instances = control.target("service"), control.target("cluster")
        assert service is not None
        if instances is not None:
            cluster = Cluster(INSTANCE_TYPES[c.instance_type], tasks_per_instance(self.plan))
            self.fleet = InstanceFleet(
                self.env, cluster, self.records, timings.instance_boot_s, self.dp.advance_to, self._counts_changed
            )
            self.fleet.start(instances.desired)
        spot = SpotPlacement(self.plan, timings.spot_interruptions_per_task_hour, self.scenario.seed)
        self.tasks = TaskLifecycle(
            self.env,
            ecs,
            self.fleet,
            spot,
            self.records,
            timings.task_start_s,
            self.dp.advance_to,
            self._counts_changed,
        )
        self.tasks.start(service.desired)
        self._counts_changed()
        self.control = ControlLoop(
            self.env,
            control,
            self.dp,
            self.tasks,
            self.fleet,
            self.records,
            self.scenario.workload.cpu_fraction,
            c.task.cpu_units / 1024,
            self.scenario.start,
            self.horizon_s,
        )
        self.control.start_processes()

    def _counts_changed(self) -> None:
        now, ecs, r = float(self.env.now), self.ecs, self.records
        assert ecs is not None
        serving = ecs.count("serving")
        r.slot_changes.append((now, serving * ecs.slots))
        r.task_changes.append((now, serving + ecs.count("starting")))
        if self.fleet is not None:
            r.instance_changes.append((now, len(self.fleet.cluster.alive)))

    def task_changes_serving(self) -> list[tuple[float, int]]:
        """(time, tasks serving) at every change."""
        slots = self.ecs.slots if self.ecs is not None else 1
        return [(t, v // slots) for t, v in self.records.slot_changes]

    def run(self) -> None:
        """Run to the horizon, then close what SimPy leaves open there: the events due at the horizon
        itself are not run, so the last period's settlement and the last minute's sample are made here."""
        try:
            self.env.run(until=self.horizon_s)
            self.dp.advance_to(self.horizon_s)
            if self.control is not None:
                self.control.finish()
            self.sampler.finish(self.horizon_s)
            self.dp.flush()
        except BaseException:
            self.dp.close()  # an error or an interrupt: stop the background threads, leave the rest
            raise
