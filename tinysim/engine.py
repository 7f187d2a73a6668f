"""The engine: SimPy owns time and every control decision; the data plane computes the requests
between them. ``simulate(scenario)`` wires traffic, front door, compute and control, runs, and
returns a :class:`~tinysim.results.SimResult`."""

from __future__ import annotations

import math
from collections.abc import Callable, Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

from models.blueprint import tasks_per_instance
from models.instances import INSTANCE_TYPES
from models.plan import Plan
from models.price_regions import scenario_price_book
from models.scenario import Scenario
from tinysim.compute.ec2 import Cluster, Instance
from tinysim.compute.ecs import EcsService, Task
from tinysim.compute.lambda_ import LambdaPool
from tinysim.control.alarms import Alarm
from tinysim.control.autoscaling import StepPolicy
from tinysim.dataplane import DataPlane, Observer
from tinysim.distributions import from_spec
from tinysim.footprint import check_fits
from tinysim.frontdoor import front_door
from tinysim.payload_limits import payload_error
from tinysim.spot import WARNING_S, SpotPlacement
from tinysim.traffic import ArrivalSource, rate_function

__all__ = ["ACCOUNT_CONCURRENCY", "COLD_START_MS", "Engine", "Record"]

#: Default Lambda concurrency per account and Region (docs: lambda-concurrency.html).
ACCOUNT_CONCURRENCY = 1000
#: Assumed INIT durations by package type; the docs give "100 ms to over 1 s" (lambda-runtime-environment).
COLD_START_MS = {"zip": 300.0, "image": 800.0}

Record = tuple[float, str, dict[str, Any]]
Progress = Callable[[float], None]


@dataclass
class Engine:
    """One run: the SimPy environment, the data plane and the control processes around it."""

    scenario: Scenario
    plan: Plan
    progress: Progress | None = None
    observer: Observer | None = None
    env: simpy.Environment = field(default_factory=simpy.Environment)
    events: list[Record] = field(default_factory=list)
    datapoints: list[tuple[float, str, float | None, bool]] = field(default_factory=list)
    samples: list[tuple[float, int, int, int, float]] = field(default_factory=list)
    slot_changes: list[tuple[float, int]] = field(default_factory=list)  # (t, serving worker slots)
    task_changes: list[tuple[float, int]] = field(default_factory=list)  # (t, tasks starting or serving)
    instance_changes: list[tuple[float, int]] = field(default_factory=list)  # (t, instances alive)

    def __post_init__(self) -> None:
        sc, plan = self.scenario, self.plan
        book = scenario_price_book(sc, plan)
        self.horizon_s = float(sc.horizon_s)
        rate = rate_function(sc.traffic, sc.seed)
        check_fits(sc, rate)
        source = ArrivalSource(
            rate,
            from_spec(sc.workload.service_time_ms),
            sc.seed,
            self.horizon_s,
            sc.traffic.arrivals,
            sc.traffic.dispersion,
        )
        front = front_door(
            plan.front_door,
            sc.workload.frontdoor_overhead_ms,
            float(book.value("apigw.throttle.rps")),
            float(book.value("apigw.throttle.burst")),
        )
        wl = sc.workload
        self.ecs: EcsService | None = None
        self.pool: LambdaPool | None = None
        self.cluster: Cluster | None = None
        if plan.architecture == "serverless":
            s = plan.serverless
            limit = ACCOUNT_CONCURRENCY if s.reserved_concurrency is None else s.reserved_concurrency
            init_ms = wl.cold_start_ms if wl.cold_start_ms is not None else COLD_START_MS[s.package]
            self.pool = LambdaPool(
                limit,
                s.provisioned_concurrency,
                init_ms / 1000,
                sc.timings.lambda_idle_ttl_s,
                sc.timings.lambda_scaling == "legacy",
            )
        else:
            self.ecs = EcsService(wl.concurrency_per_task, wl.dispatch)
        self.dp = DataPlane(
            source,
            front,
            self.horizon_s,
            wl.request_kb,
            wl.response_kb,
            self.ecs,
            self.pool,
            float(plan.serverless.timeout_s),
            rate.bytes_per_request if rate.trace_bps is not None else None,
            self.observer,
            payload_error=payload_error(plan, wl) is not None,
        )
        self._room = self.env.event()
        if self.ecs is not None:
            self._start_container_stack()
        self.env.process(self._sampler())

    # -- records ------------------------------------------------------------------------------------
    def log(self, kind: str, **detail: Any) -> None:
        self.events.append((float(self.env.now), kind, detail))

    def _counts_changed(self) -> None:
        now = float(self.env.now)
        assert self.ecs is not None
        serving = self.ecs.count("serving")
        self.slot_changes.append((now, serving * self.ecs.slots))
        self.task_changes.append((now, serving + self.ecs.count("starting")))
        if self.cluster is not None:
            self.instance_changes.append((now, len(self.cluster.alive)))

    # -- container stack ----------------------------------------------------------------------------
    def _start_container_stack(self) -> None:
        c = self.plan.container
        assert self.ecs is not None
        if c.launch_type == "ec2":
            itype = INSTANCE_TYPES[c.instance_type]
            self.cluster = Cluster(itype, tasks_per_instance(self.plan))
            need = max(c.instances.min, -(-c.tasks.desired // self.cluster.tasks_per_instance))
            for _ in range(need):
                self.cluster.launch(0.0).state = "ready"
        self.spot = SpotPlacement(self.plan, self.scenario.timings.spot_interruptions_per_task_hour, self.scenario.seed)
        for _ in range(c.tasks.desired):
            task = self.ecs.new_task(0.0)
            self._watch_if_spot(task)
            if self.cluster is not None:
                inst = self.cluster.room()
                assert inst is not None
                inst.tasks.add(task.id)
                task.instance = inst.id
            task.begin_serving(0.0)
        self._counts_changed()
        self.env.process(self._cloudwatch())

    def _watch_if_spot(self, task: Task) -> None:
        """Place the task by the capacity provider strategy; a Spot task may be interrupted."""
        if self.spot.active and self.spot.next_is_spot():
            self.env.process(self._spot_life(task))

    def _spot_life(self, task: Task) -> Generator[simpy.Event, Any, None]:
        """Warning (timed from the task's start), two minutes, stop; the service starts a replacement like
        for any stopped task."""
        yield self.env.timeout(self.spot.time_to_warning_s())
        if task.state == "stopped":
            return
        self.log("spot_interruption_warning", task=task.id)
        yield self.env.timeout(WARNING_S)
        if task.state == "stopped" or self.ecs is None:
            return
        self.dp.advance_to(float(self.env.now))
        self._stop(task)
        replacement = self.ecs.new_task(float(self.env.now))
        self._watch_if_spot(replacement)
        self.env.process(self._task_life(replacement))

    def _cloudwatch(self) -> Generator[simpy.Event, Any, None]:
        """One datapoint per period for the service (and the cluster), alarms, then the policies."""
        c = self.plan.container
        sc = c.scaling
        period = float(sc.period_s)
        out_alarm = Alarm("service-cpu-high", sc.threshold_pct, True, sc.evaluation_periods)
        in_alarm = Alarm("service-cpu-low", sc.scale_in_threshold_pct, False, sc.scale_in_evaluation_periods)
        out_policy, in_policy = StepPolicy(sc.step, sc.cooldown_s), StepPolicy(-sc.step, sc.cooldown_s)
        cl_out = Alarm("cluster-cpu-high", sc.threshold_pct, True, sc.evaluation_periods)
        cl_in = Alarm("cluster-cpu-low", sc.scale_in_threshold_pct, False, sc.scale_in_evaluation_periods)
        cl_out_policy, cl_in_policy = StepPolicy(1, sc.cooldown_s), StepPolicy(-1, sc.cooldown_s)
        f = self.scenario.workload.cpu_fraction
        assert self.ecs is not None
        while True:
            yield self.env.timeout(period)
            now = float(self.env.now)
            self.dp.advance_to(now)
            busy = self.dp.busy_between(now - period, now)
            slots = _integral(self.slot_changes, now - period, now)
            cpu = 100.0 * f * busy / slots if slots > 0 else None
            self.datapoints.append((now, "service_cpu", cpu, out_alarm.observe(cpu)))
            in_alarm.observe(cpu)
            desired = len(self.ecs.active)
            target = out_policy.decide(now, out_alarm.in_alarm, desired, c.tasks.min, c.tasks.max)
            if target is None:
                target = in_policy.decide(now, in_alarm.in_alarm, desired, c.tasks.min, c.tasks.max)
            if target is not None:
                self._scale_tasks(desired, target, cpu)
            if self.cluster is not None:
                self._cluster_datapoint(now, period, busy * f, cl_out, cl_in, cl_out_policy, cl_in_policy)

    def _cluster_datapoint(
        self, now: float, period: float, busy_cpu_s: float, hi: Alarm, lo: Alarm, up: StepPolicy, down: StepPolicy
    ) -> None:
        cluster, c, ecs = self.cluster, self.plan.container, self.ecs
        assert cluster is not None and ecs is not None
        used_vcpu_s = busy_cpu_s * c.task.cpu_units / ecs.slots / 1024
        cluster.settle_credits(period, used_vcpu_s)
        capacity_vcpu_s = _integral(self.instance_changes, now - period, now) * cluster.itype.vcpus
        cpu = 100.0 * used_vcpu_s / capacity_vcpu_s if capacity_vcpu_s > 0 else None
        self.datapoints.append((now, "cluster_cpu", cpu, hi.observe(cpu)))
        lo.observe(cpu)
        alive = len(cluster.alive)
        target = up.decide(now, hi.in_alarm, alive, c.instances.min, c.instances.max)
        if target is not None:
            inst = cluster.launch(now)
            self.log("instance_launch", instance=inst.id, cpu_pct=cpu)
            self._counts_changed()
            self.env.process(self._boot(inst))
            return
        target = down.decide(now, lo.in_alarm, alive, c.instances.min, c.instances.max)
        if target is not None:
            empty = [i for i in cluster.ready if not i.tasks]
            if empty:
                empty[-1].state = "terminated"
                self.log("instance_terminate", instance=empty[-1].id, cpu_pct=cpu)
                self._counts_changed()
            else:
                down.last_action_s = -math.inf  # nothing could be removed: no cooldown starts

    def _boot(self, inst: Instance) -> Generator[simpy.Event, Any, None]:
        yield self.env.timeout(self.scenario.timings.instance_boot_s)
        if inst.state == "booting":
            self.dp.advance_to(float(self.env.now))
            inst.state = "ready"
            self.log("instance_ready", instance=inst.id)
            self._room_changed()

    def _room_changed(self) -> None:
        event, self._room = self._room, self.env.event()
        event.succeed()

    def _scale_tasks(self, current: int, target: int, cpu: float | None) -> None:
        assert self.ecs is not None
        kind = "scale_out" if target > current else "scale_in"
        self.log(kind, desired_from=current, desired_to=target, cpu_pct=cpu)
        if target > current:
            for _ in range(target - current):
                task = self.ecs.new_task(float(self.env.now))
                self._watch_if_spot(task)
                self.env.process(self._task_life(task))
            return
        # stop tasks not yet serving first, then the newest serving ones
        order = sorted(self.ecs.active, key=lambda t: (t.state == "serving", t.id), reverse=False)
        victims = [t for t in order if t.state != "serving"][: current - target]
        victims += sorted(self.ecs.serving, key=lambda t: -t.id)[: current - target - len(victims)]
        self.dp.advance_to(float(self.env.now))
        for task in victims:
            self._stop(task)

    def _stop(self, task: Task) -> None:
        task.state = "stopped"
        if self.cluster is not None and task.instance is not None:
            self.cluster.instances[task.instance].tasks.discard(task.id)
            self._room_changed()
        self.log("task_stop", task=task.id)
        self._counts_changed()

    def _task_life(self, task: Task) -> Generator[simpy.Event, Any, None]:
        """placing (EC2: until an instance has room) -> starting -> serving."""
        if self.cluster is not None:
            inst = self.cluster.room()
            while task.state == "placing" and inst is None:
                yield self._room
                inst = self.cluster.room()
            if task.state == "stopped" or inst is None:
                return
            inst.tasks.add(task.id)
            task.instance = inst.id
        task.state = "starting"
        self.log("task_placed", task=task.id, instance=task.instance)
        self._counts_changed()
        yield self.env.timeout(self.scenario.timings.task_start_s)
        if task.state != "starting":
            return
        self.dp.advance_to(float(self.env.now))
        task.begin_serving(float(self.env.now))
        self.log("task_serving", task=task.id)
        self._counts_changed()

    # -- sampling -----------------------------------------------------------------------------------
    def _sampler(self) -> Generator[simpy.Event, Any, None]:
        """State at the end of every minute, and progress."""
        while True:
            yield self.env.timeout(60.0)
            now = float(self.env.now)
            self.dp.advance_to(now)
            running = pending = instances = 0
            credits = math.nan
            if self.ecs is not None:
                running = self.ecs.count("serving")
                pending = self.ecs.count("starting") + self.ecs.count("placing")
            if self.cluster is not None:
                instances = len(self.cluster.alive)
                credits = self.cluster.credit_balance - self.cluster.surplus_credits
            self.samples.append((now, running, pending, instances, credits))
            if self.progress is not None:
                self.progress(now)

    def task_changes_serving(self) -> list[tuple[float, int]]:
        """(time, tasks serving) at every change."""
        assert self.ecs is None or self.ecs.slots > 0
        slots = self.ecs.slots if self.ecs is not None else 1
        return [(t, v // slots) for t, v in self.slot_changes]

    def run(self) -> None:
        self.env.run(until=self.horizon_s)
        self.dp.advance_to(self.horizon_s)
        self.dp.flush()


def _integral(changes: list[tuple[float, int]], t0: float, t1: float) -> float:
    """Integral over [t0, t1) of a step function given by its change points (time, value)."""
    total = 0.0
    value = 0
    last = t0
    for t, v in changes:
        if t <= t0:
            value = v
            continue
        if t >= t1:
            break
        total += value * (t - last)
        value, last = v, t
    return total + value * (t1 - last)
