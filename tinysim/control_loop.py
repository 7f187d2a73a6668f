"""The control loop of a request-level run: CloudWatch datapoints every period, the blueprint's alarms
evaluated on them and the policies they invoke, for the service (step or target tracking) and the EC2
cluster (step), plus the scheduled actions at the minutes their crons name.

Everything comes from the blueprint's control plane (``models.blueprint``); the decisions are the
compiled rules of ``tinysim.control``, the same the fluid kernel calls.

Metrics (one datapoint per alarm period):

- ECSServiceAverageCPUUtilization: busy CPU over the serving tasks' capacity in the period, percent;
- ALBRequestCountPerTarget: the load balancer's requests in the period over the tasks serving (time
  average), CloudWatch's RequestCountPerTarget Sum — requests per target per minute with 60 s periods;
- the cluster's CPU: vCPU-seconds used over the instances' vCPU-seconds.
A period without a serving task (or instance) has no datapoint.
"""

from __future__ import annotations

import math
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import simpy

from models.blueprint import ControlPlane, StepPolicySpec, TargetTrackingSpec
from models.blueprint.control import Scope
from tinysim.cloudwatch_alarm import LiveAlarm
from tinysim.control.alarm_rule import OK
from tinysim.control.scaling_rules import new_step_state, new_target_state, step_decide, target_tracking_decide
from tinysim.control.schedule import bounded_desired, bounds_changes
from tinysim.dataplane import DataPlane
from tinysim.ec2_fleet import InstanceFleet
from tinysim.run_records import RunRecords, integral
from tinysim.task_lifecycle import TaskLifecycle

__all__ = ["ControlLoop"]

METRIC_LABELS = {"CPUUtilization": "cpu", "RequestCountPerTarget": "requests_per_target"}


@dataclass
class ControlLoop:
    """Runs the control plane against the data plane, as SimPy processes."""

    env: simpy.Environment
    control: ControlPlane
    dp: DataPlane
    tasks: TaskLifecycle
    fleet: InstanceFleet | None
    records: RunRecords
    cpu_fraction: float
    task_vcpus: float  # vCPUs of one task (CPU units / 1,024)
    start: datetime
    horizon_s: float
    bounds: list[int] = field(init=False)  # the service's [min, max], moved by scheduled actions
    _memory: dict[str, np.ndarray] = field(init=False)
    _policies: dict[str, StepPolicySpec] = field(init=False)  # the step policies by key
    _last_busy: tuple[float, float, float] = (-1.0, -1.0, 0.0)

    def __post_init__(self) -> None:
        target = self.control.target("service")
        assert target is not None
        self.bounds = [target.min, target.max]
        self._memory = {p.key: new_step_state() for p in self.control.step_policies}
        self._policies = {p.key: p for p in self.control.step_policies}
        if self.control.target_tracking is not None:
            self._memory[self.control.target_tracking.key] = new_target_state()

    def start_processes(self) -> None:
        self.env.process(self._service())
        if self.fleet is not None:
            self.env.process(self._cluster(self.fleet))
        if self.control.scheduled:
            self.env.process(self._scheduled())

    def finish(self) -> None:
        """Settle what is settled per period for the last (possibly partial) period, up to the horizon."""
        if self.fleet is not None:
            self.fleet.settle_credits(self.horizon_s, self._used_vcpu_s(self.fleet.settled_s, self.horizon_s))

    # -- the service ---------------------------------------------------------------------------------
    def _service(self) -> Generator[simpy.Event, Any, None]:
        alarms = [LiveAlarm(a) for a in self.control.alarms_for("service")]
        period = _one_period(alarms, "service")
        high = next(a for a in alarms if a.spec.comparison.startswith("Greater"))
        low = next((a for a in alarms if a.spec.comparison.startswith("Less")), None)
        label = "service_" + METRIC_LABELS[high.spec.metric_name]
        while True:
            yield self.env.timeout(period)
            now = float(self.env.now)
            self.dp.advance_to(now)
            value = self._service_metric(high.spec.metric_name, now - period, now)
            for alarm in alarms:
                alarm.observe(value)
            self.records.datapoints.append((now, label, value, high.in_alarm))
            new = self._service_decision(now, high, low, value)
            if new != self.tasks.desired:
                self.tasks.scale(new, **{METRIC_LABELS[high.spec.metric_name] + _unit(high): value})

    def _service_metric(self, metric: str, t0: float, t1: float) -> float | None:
        slot_s = integral(self.records.slot_changes, t0, t1)
        if slot_s <= 0:
            return None
        if metric == "CPUUtilization":
            return 100.0 * self.cpu_fraction * self._busy_s(t0, t1) / slot_s
        offered = self.dp.minutes["offered"][int(t0 // 60) : int(t1 // 60)]
        return float(offered.sum()) / (slot_s / (t1 - t0) / self.tasks.ecs.slots)

    def _service_decision(self, now: float, high: LiveAlarm, low: LiveAlarm | None, value: float | None) -> int:
        desired, (lo, hi) = self.tasks.desired, self.bounds
        tracking = self.control.target_tracking
        if tracking is not None:
            return _track(tracking, self._memory[tracking.key], now, high, low, value, desired, lo, hi)
        new = desired
        for alarm in (high, low):
            if alarm is not None and new == desired:
                policy = self._step_policy(alarm.spec.policy_key)
                new = step_decide(
                    self._memory[policy.key], now, alarm.state, policy.adjustment, policy.cooldown_s, desired, lo, hi
                )
        return new

    def _step_policy(self, key: str) -> StepPolicySpec:
        return self._policies[key]

    # -- the cluster ---------------------------------------------------------------------------------
    def _cluster(self, fleet: InstanceFleet) -> Generator[simpy.Event, Any, None]:
        alarms = [LiveAlarm(a) for a in self.control.alarms_for("cluster")]
        period = _one_period(alarms, "cluster")
        high, low = alarms
        target = self.control.target("cluster")
        assert target is not None
        while True:
            yield self.env.timeout(period)
            now = float(self.env.now)
            self.dp.advance_to(now)
            used = self._used_vcpu_s(now - period, now)
            fleet.settle_credits(now, used)
            capacity = integral(self.records.instance_changes, now - period, now) * fleet.cluster.itype.vcpus
            cpu = 100.0 * used / capacity if capacity > 0 else None
            high.observe(cpu)
            low.observe(cpu)
            self.records.datapoints.append((now, "cluster_cpu", cpu, high.in_alarm))
            self._cluster_decision(fleet, now, high, low, cpu, target.min, target.max)

    def _cluster_decision(
        self, fleet: InstanceFleet, now: float, high: LiveAlarm, low: LiveAlarm, cpu: float | None, lo: int, hi: int
    ) -> None:
        alive = len(fleet.cluster.alive)
        out, into = self._step_policy(high.spec.policy_key), self._step_policy(low.spec.policy_key)
        if step_decide(self._memory[out.key], now, high.state, out.adjustment, out.cooldown_s, alive, lo, hi) > alive:
            fleet.launch(now, cpu)
            return
        memory = self._memory[into.key]
        before = memory[0]
        decided = step_decide(memory, now, low.state, into.adjustment, into.cooldown_s, alive, lo, hi)
        if decided < alive and not fleet.terminate_empty(now, cpu):
            memory[0] = before  # nothing could be removed: no cooldown starts

    def _used_vcpu_s(self, t0: float, t1: float) -> float:
        """vCPU-seconds the service's tasks used in [t0, t1)."""
        return self._busy_s(t0, t1) * self.cpu_fraction * self.task_vcpus / self.tasks.ecs.slots

    def _busy_s(self, t0: float, t1: float) -> float:
        """Worker-seconds busy in [t0, t1); the service and the cluster ask for the same period in turn."""
        if self._last_busy[:2] != (t0, t1):
            self._last_busy = (t0, t1, self.dp.busy_between(t0, t1))
        return self._last_busy[2]

    # -- scheduled actions ---------------------------------------------------------------------------
    def _scheduled(self) -> Generator[simpy.Event, Any, None]:
        for change in bounds_changes(self.control.scheduled, self.start, self.horizon_s):
            yield self.env.timeout(change.time_s - float(self.env.now))
            self.bounds = [change.min, change.max]
            now = float(self.env.now)
            self.records.log(now, "scheduled_action", name=change.name, min=change.min, max=change.max)
            desired = self.tasks.desired
            new = bounded_desired(desired, change.min, change.max)
            if new != desired:
                self.tasks.scale(new, scheduled_action=change.name)


def _track(
    spec: TargetTrackingSpec,
    memory: np.ndarray,
    now: float,
    high: LiveAlarm,
    low: LiveAlarm | None,
    value: float | None,
    desired: int,
    lo: int,
    hi: int,
) -> int:
    return target_tracking_decide(
        memory,
        now,
        high.state,
        OK if low is None else low.state,
        math.nan if value is None else value,
        spec.target_value,
        desired,
        lo,
        hi,
        float(spec.scale_out_cooldown_s),
        float(spec.scale_in_cooldown_s),
        spec.disable_scale_in,
    )


def _one_period(alarms: list[LiveAlarm], scope: Scope) -> float:
    periods = {a.spec.period_s for a in alarms}
    if len(periods) != 1:
        raise ValueError(f"the {scope}'s alarms must share one period, got {sorted(periods)}")
    return float(periods.pop())


def _unit(alarm: LiveAlarm) -> str:
    return "_pct" if alarm.spec.metric_name == "CPUUtilization" else ""
