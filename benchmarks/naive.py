"""A naive reference model: one SimPy process per request, written plainly and independently of
tinysim's engine, for the same Fargate + ALB autoscaling semantics (one FIFO queue per task with
``slots`` workers, round-robin dispatch, CPU datapoints per period, step scaling with cooldowns,
tasks serving after a start delay). It takes the same arrivals (``tinysim.traffic``) so both models
can be compared request for request, and timed against each other."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy

from models import Scenario
from tinysim.distributions import from_spec
from tinysim.traffic import ArrivalSource, rate_function

ALB_TIMEOUT_S = 60.0
ALB_OVERHEAD_S = 0.001


@dataclass
class NaiveTask:
    id: int
    resource: simpy.Resource
    serving: bool = False
    stopped: bool = False


@dataclass
class NaiveModel:
    scenario: Scenario
    env: simpy.Environment = field(default_factory=simpy.Environment)
    tasks: list[NaiveTask] = field(default_factory=list)
    rr: int = 0
    busy_workers: int = 0
    busy_integral: float = 0.0
    serving_slots: int = 0
    slot_integral: float = 0.0
    last_t: float = 0.0
    events: list[tuple[float, str]] = field(default_factory=list)
    results: list[tuple[float, float, bool]] = field(default_factory=list)  # arrival, latency, timed out

    def _integrate(self) -> None:
        now = self.env.now
        self.busy_integral += self.busy_workers * (now - self.last_t)
        self.slot_integral += self.serving_slots * (now - self.last_t)
        self.last_t = now

    def _new_task(self, serving: bool) -> NaiveTask:
        slots = self.scenario.workload.concurrency_per_task
        task = NaiveTask(len(self.tasks), simpy.Resource(self.env, capacity=slots))
        self.tasks.append(task)
        if serving:
            self._integrate()
            task.serving = True
            self.serving_slots += slots
        return task

    def request(self, arrival: float, service: float) -> Any:
        serving = [t for t in self.tasks if t.serving and not t.stopped]
        task = serving[self.rr % len(serving)]
        self.rr = (self.rr % len(serving) + 1) % len(serving)
        with task.resource.request() as req:
            yield req
            self._integrate()
            self.busy_workers += 1
            yield self.env.timeout(service)
            self._integrate()
            self.busy_workers -= 1
        latency = self.env.now - arrival + ALB_OVERHEAD_S
        self.results.append((arrival, latency, latency > ALB_TIMEOUT_S))

    def source(self, arrivals: ArrivalSource) -> Any:
        horizon = float(self.scenario.horizon_s)
        step = 60.0
        t0 = 0.0
        while t0 < horizon:
            block = arrivals.between(t0, min(t0 + step, horizon))
            for t, s in zip(block.t, block.service_s, strict=True):
                yield self.env.timeout(t - self.env.now)
                self.env.process(self.request(float(t), float(s)))
            t0 += step
            if self.env.now < t0 and t0 < horizon:
                yield self.env.timeout(t0 - self.env.now)

    def start_task(self, task: NaiveTask) -> Any:
        yield self.env.timeout(self.scenario.timings.task_start_s)
        if task.stopped:
            return
        self._integrate()
        task.serving = True
        self.serving_slots += self.scenario.workload.concurrency_per_task
        self.events.append((self.env.now, "task_serving"))

    def control(self) -> Any:
        plan = self.scenario.resolved_plan()
        sc = plan.container.scaling
        lo, hi = plan.container.tasks.min, plan.container.tasks.max
        high = low = 0
        last_out = last_in = -math.inf
        prev_busy = prev_slots = 0.0
        while True:
            yield self.env.timeout(sc.period_s)
            now = self.env.now
            self._integrate()
            busy, slots = self.busy_integral - prev_busy, self.slot_integral - prev_slots
            prev_busy, prev_slots = self.busy_integral, self.slot_integral
            cpu = 100.0 * self.scenario.workload.cpu_fraction * busy / slots if slots > 0 else None
            high = high + 1 if cpu is not None and cpu > sc.threshold_pct else 0
            low = low + 1 if cpu is not None and cpu < sc.scale_in_threshold_pct else 0
            active = [t for t in self.tasks if not t.stopped]
            n = len(active)
            if high >= sc.evaluation_periods and now - last_out >= sc.cooldown_s and n < hi:
                last_out = now
                new = min(hi, n + sc.step)
                self.events.append((now, "scale_out"))
                for _ in range(new - n):
                    self.env.process(self.start_task(self._new_task(serving=False)))
            elif low >= sc.scale_in_evaluation_periods and now - last_in >= sc.cooldown_s and n > lo:
                last_in = now
                new = max(lo, n - sc.step)
                self.events.append((now, "scale_in"))
                victims = [t for t in active if not t.serving] + sorted(
                    [t for t in active if t.serving], key=lambda t: -t.id
                )
                for task in victims[: n - new]:
                    self._integrate()
                    if task.serving:
                        self.serving_slots -= self.scenario.workload.concurrency_per_task
                    task.stopped = True
                    task.serving = False

    def run(self) -> dict[str, Any]:
        sc = self.scenario
        plan = sc.resolved_plan()
        for _ in range(plan.container.tasks.desired):
            self._new_task(serving=True)
        arrivals = ArrivalSource(
            rate_function(sc.traffic), from_spec(sc.workload.service_time_ms), sc.seed, float(sc.horizon_s)
        )
        self.env.process(self.source(arrivals))
        self.env.process(self.control())
        self.env.run(until=sc.horizon_s)
        return self.summary()

    def summary(self) -> dict[str, Any]:
        horizon = float(self.scenario.horizon_s)
        arr = np.array([r[0] for r in self.results])
        lat = np.array([r[1] for r in self.results])
        late = np.array([r[2] for r in self.results], dtype=bool)
        ok = ~late & (arr + lat <= horizon)
        minutes = (arr[ok] // 60).astype(int)
        lat_ok = lat[ok]
        order = np.argsort(arr[ok], kind="stable")
        minutes, lat_ok = minutes[order], lat_ok[order]
        p99 = np.full(math.ceil(horizon / 60), np.nan)
        for m in np.unique(minutes):
            p99[m] = np.percentile(lat_ok[minutes == m], 99) * 1000
        return {
            "served": int(ok.sum()),
            "timed_out": int((late & (arr + ALB_TIMEOUT_S <= horizon)).sum()),
            "mean_latency_ms": float(lat_ok.mean() * 1000),
            "p99_by_minute_ms": p99,
            "events": self.events,
        }


def run_naive(scenario: Scenario) -> dict[str, Any]:
    """Run the naive model on a Fargate + ALB scenario."""
    plan = scenario.resolved_plan()
    assert plan.front_door == "alb" and plan.container.launch_type == "fargate"
    assert scenario.workload.dispatch == "round_robin"
    return NaiveModel(scenario).run()
