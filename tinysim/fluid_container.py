"""The container stack as a fluid: per step, API Gateway's token bucket, then a queue whose backlog moves
as a fluid (in at the admitted rate, out at the serving capacity); without a backlog, waits follow M/M/c
(Erlang C) scaled by (ca^2 + cs^2)/2 (Allen–Cunneen) in the queue the dispatch policy puts a request in
(one per task for round robin and random, one for all tasks otherwise: ``fluid_latency.dispatch_queue``).
As in the request engine, each serving task keeps its own backlog (requests are dispatched to a task on
arrival: round robin or random, an equal share each; least outstanding or one central queue, to the least
queued), a task starts serving with an empty one, and a request that waits past the front door's timeout
is counted timed out but its work still occupies the task (the application does not know the client
left); the timed-out share of a step is the part of its arrivals whose wait (linear across the step)
exceeds the timeout less the mean service time and overhead.
At the end of each alarm period the datapoint goes to the control plane (the request engine's rules,
:mod:`tinysim.fluid_control`); task start and instance boot delays round up to whole steps; scheduled
actions apply at the first step boundary at or after their time."""

from __future__ import annotations

import math

import numba
import numpy as np

from tinysim.control import ALARM, OK, bounded_desired, new_step_state, new_target_state
from tinysim.fluid_backlogs import grow_backlogs, serve_backlogs
from tinysim.fluid_control import alarm_memory, observe, step_rule, target_rule
from tinysim.fluid_latency import dispatch_queue, step_latency
from tinysim.fluid_record import METRIC_REQUESTS, POLICY_STEP, Record
from tinysim.fluid_steady import advance_alarm, repeat_steps, settled, steady_end, time_free
from tinysim.fluid_tasks import (
    EV_CLUSTER_DATAPOINT,
    EV_LAUNCH,
    EV_READY,
    EV_SCHEDULED,
    EV_SERVICE_DATAPOINT,
    EV_SERVING,
    EV_TERMINATE,
    N_COUNTERS,
    S_BOOTING,
    S_INSTANCES,
    S_NE,
    S_PLACING,
    S_SERVING,
    S_STARTING,
    active_tasks,
    log,
    place_and_start,
    set_desired,
)
from tinysim.queueing import erlang_c

__all__ = ["admit", "container_kernel"]

_STEP_MEMORY = new_step_state()
_TARGET_MEMORY = new_target_state()


@numba.njit(cache=True, nogil=True, inline="always")
def admit(offered: float, dt: float, rps: float, burst: float, bucket: np.ndarray) -> float:  # pragma: no cover
    """Requests of one step (arriving evenly) that get an API Gateway token; ``bucket[0]`` holds the
    tokens left (refilled at ``rps``, at most ``burst``) and is updated."""
    if math.isinf(rps):
        return offered
    admitted = min(offered, rps * dt + float(bucket[0]))
    bucket[0] = min(burst, bucket[0] + rps * dt - admitted)
    return admitted


@numba.njit(cache=True, nogil=True, inline="always")
def _room(p: Record, st: np.ndarray) -> int:  # pragma: no cover - compiled
    """Tasks the ready instances have room for besides those serving and starting."""
    return int(st[S_INSTANCES] * p.per_instance - st[S_SERVING] - st[S_STARTING])


@numba.njit(cache=True, nogil=True, inline="always")
def _lifecycle(
    p: Record, st: np.ndarray, ready: np.ndarray, boot: np.ndarray, events: np.ndarray, i: int, now: float
) -> None:  # pragma: no cover - compiled
    """Start of step ``i``: instances become ready, waiting tasks are placed, started tasks serve."""
    for j in range(boot.shape[0] if st[S_BOOTING] > 0 else 0):
        if boot[j] == i:
            boot[j] = -1
            st[S_INSTANCES] += 1
            st[S_BOOTING] -= 1
            log(events, st, now, EV_READY)
    if p.ec2 and st[S_PLACING] > 0:
        place_and_start(ready, st, events, i, now, p.start_steps, _room(p, st))
    for j in range(ready.shape[0] if st[S_STARTING] > 0 else 0):
        if ready[j] == i:
            ready[j] = -1
            st[S_SERVING] += 1
            st[S_STARTING] -= 1
            log(events, st, now, EV_SERVING)


@numba.njit(cache=True, nogil=True)
def container_kernel(
    p: Record,
    lam: np.ndarray,
    sched: np.ndarray,
    out: np.ndarray,
    same: np.ndarray,
    events: np.ndarray,
    skip_steady: bool = True,
) -> tuple[int, float]:  # pragma: no cover - compiled
    """Run the container stack described by record ``p`` (``FLUID_RECORD``) on the step rates ``lam``.

    ``sched`` rows are scheduled bounds changes (time_s, min, max) in time order. Fills ``out`` (steps x 20:
    every column of a computed row but the latency quantiles 4-6, which ``tinysim.fluid_quantiles.step_quantiles``
    writes; of a copied row, the columns ``tinysim.fluid_steady.COPIED``), ``same`` (steps, False from the
    caller: True where a row is a copy of the one before it)
    and ``events`` (rows of t, kind, a, b); returns the number of events and the
    surplus CPU credits left unpaid at the end. With ``skip_steady``, steps that repeat the one before are copied
    (:mod:`tinysim.fluid_steady`; the same result as running them one by one)."""
    n, dt = lam.shape[0], p.dt
    mu = 1.0 / p.mean_s
    st = np.zeros(N_COUNTERS, dtype=np.int64)
    st[S_SERVING], st[S_INSTANCES] = p.desired0, p.i_start
    ready = np.full(max(p.t_max, int(sched[:, 2].max()) if sched.shape[0] else 0) + 64, -1, dtype=np.int64)
    boot = np.full(p.i_max + 1, -1, dtype=np.int64)
    hi, lo = alarm_memory(p.hi_periods), alarm_memory(p.lo_periods)
    cl_hi, cl_lo = alarm_memory(p.cl_hi_periods), alarm_memory(p.cl_lo_periods)
    pol_out = _TARGET_MEMORY.copy() if p.policy else _STEP_MEMORY.copy()
    pol_in, cl_out, cl_in = _STEP_MEMORY.copy(), _STEP_MEMORY.copy(), _STEP_MEMORY.copy()
    bucket = np.array([p.throttle_burst])
    t_min, t_max, k_sched = p.t_min, p.t_max, 0
    backlogs = np.zeros(ready.shape[0] + p.t_max + 1)  # requests queued at each serving task
    n_prev = 0
    limit_s = p.timeout_s - p.mean_s - p.overhead_s  # the longest wait a served request can have
    busy_acc = slot_acc = req_acc = used_acc = inst_acc = 0.0
    balance = surplus = 0.0
    last_c, last_rate, last_pw, spare, k = -1, -1.0, 0.0, 0.0, 1.0
    svc_left, cl_left = p.svc_period_steps, p.cl_period_steps  # steps to the periods' ends (no division)
    # steady stretches need every alarm evaluated each step (else a period spans several steps)
    skip_steady = skip_steady and p.svc_period_steps == 1 and (p.ec2 == 0 or p.cl_period_steps == 1)
    steady, grows, grow_admitted, metric, i = False, False, 0.0, math.nan, 0
    ne_first, bucket0, balance0, surplus0 = 0, 0.0, 0.0, 0.0
    while i < n:
        if steady and lam[i] == lam[i - 1]:
            j = steady_end(lam, i, sched, k_sched, dt)
            repeat_steps(out, same, events, st, i, j, ne_first, dt)
            if grows:  # saturated: the rows repeat, the backlogs go on growing
                grow_backlogs(backlogs, n_prev, grow_admitted, p.slots * mu * dt, j - i)
            advance_alarm(hi, j - i)
            if p.has_lo:
                advance_alarm(lo, j - i)
            if p.ec2:
                advance_alarm(cl_hi, j - i)
                advance_alarm(cl_lo, j - i)
            else:
                cl_left -= j - i
            i = j
            if i == n:
                break
        steady = False
        ne_first, bucket0, balance0, surplus0 = st[S_NE], bucket[0], balance, surplus
        now = i * dt
        while k_sched < sched.shape[0] and sched[k_sched, 0] <= now:
            t_min, t_max = int(sched[k_sched, 1]), int(sched[k_sched, 2])
            log(events, st, now, EV_SCHEDULED, k_sched)
            k_sched += 1
            target = bounded_desired(active_tasks(st), t_min, t_max)
            set_desired(ready, st, events, i, now, p.start_steps, p.ec2 != 0, target)
        if st[S_BOOTING] > 0 or st[S_STARTING] > 0 or st[S_PLACING] > 0:  # a call costs more than the check
            _lifecycle(p, st, ready, boot, events, i, now)
        offered = lam[i] * dt
        admitted = admit(offered, dt, p.throttle_rps, p.throttle_burst, bucket)
        rate = admitted / dt
        c = st[S_SERVING] * p.slots
        out[i, 0] = offered
        out[i, 2] = offered - admitted
        req_acc += admitted
        calm = True  # no backlog in the step
        saturated = False  # or every request late and every backlog growing (serve_backlogs)
        out[i, 14] = 0.0  # Lambda's concurrency
        if c == 0:
            out[i, 2] = offered
            out[i, 1] = out[i, 3] = out[i, 7] = out[i, 8] = 0.0  # nothing served: no latency, no CPU
            out[i, 16] = out[i, 17] = out[i, 18] = out[i, 19] = 0.0
            backlogs[:n_prev] = 0.0
            n_prev = 0
        else:
            if st[S_SERVING] < n_prev:  # stopped tasks take their backlog with them (already counted)
                backlogs[st[S_SERVING] : n_prev] = 0.0
            n_prev = st[S_SERVING]
            done, late_n, wait_s, queued, left, saturated = serve_backlogs(
                backlogs, n_prev, admitted, p.slots * mu, dt, limit_s, p.dispatch >= 2
            )
            if saturated:
                grow_admitted = admitted  # what each copied step brings the backlogs
            busy = done * p.mean_s
            pw = 1.0
            if not left:  # no backlog at the step's end: the waits are Erlang C's
                wait_s = 0.0
                if c != last_c or rate != last_rate:  # steady stretches reuse the last Erlang C
                    servers, q_rate, ca2 = dispatch_queue(p.dispatch, st[S_SERVING], p.slots, rate)
                    last_pw, last_c, last_rate = erlang_c(servers, q_rate / mu), c, rate
                    spare, k = servers * mu - q_rate, (ca2 + p.scv) / 2
                pw = last_pw if rate > 0 else 0.0
            calm = not queued
            late = step_latency(out, i, pw, wait_s, spare, k, p.mean_s, p.overhead_s, p.timeout_s)
            if queued:
                late = late_n / admitted if admitted > 0 else 0.0
            out[i, 1] = admitted * (1.0 - late)
            out[i, 3] = admitted * late
            out[i, 8] = 100.0 * p.cpu_fraction * busy / (c * dt)
            busy_acc += busy
            slot_acc += c * dt
            used_acc += busy * p.cpu_fraction * p.vcpu_per_task / p.slots
        alive_inst = st[S_INSTANCES] + st[S_BOOTING]
        inst_acc += alive_inst * dt
        out[i, 9] = st[S_SERVING]
        out[i, 10] = st[S_STARTING] + st[S_PLACING]
        out[i, 11] = alive_inst
        out[i, 12] = (st[S_SERVING] + st[S_STARTING]) * dt / 3600  # task-hours (Fargate bills starting tasks)
        out[i, 13] = alive_inst * dt / 3600
        out[i, 15] = balance - surplus
        t_end = (i + 1) * dt
        svc_left -= 1
        if svc_left == 0:
            svc_left = p.svc_period_steps
            metric = math.nan
            if p.metric == METRIC_REQUESTS:
                if st[S_SERVING] > 0:
                    metric = req_acc / st[S_SERVING]
            elif slot_acc > 0:
                metric = 100.0 * p.cpu_fraction * busy_acc / slot_acc
            busy_acc = slot_acc = req_acc = 0.0
            active = active_tasks(st)
            # the service's alarms, then its step policies (scale out first) or its target tracking policy
            hs = observe(hi, metric, p.hi_threshold, p.hi_comparison, p.hi_datapoints, p.hi_missing)
            ls = OK
            if p.has_lo:
                ls = observe(lo, metric, p.lo_threshold, p.lo_comparison, p.lo_datapoints, p.lo_missing)
            log(events, st, t_end, EV_SERVICE_DATAPOINT, metric, 1.0 if hs == ALARM else 0.0)
            if p.policy == POLICY_STEP:
                target = step_rule(pol_out, t_end, hs, p.out_adjust, p.out_cooldown_s, active, t_min, t_max)
                if target == active and p.has_lo:
                    target = step_rule(pol_in, t_end, ls, p.in_adjust, p.in_cooldown_s, active, t_min, t_max)
            else:
                target = target_rule(
                    pol_out, t_end, hs, ls, metric, p.target_value, active, t_min, t_max,
                    p.out_cooldown_s, p.in_cooldown_s, p.disable_scale_in != 0,
                )  # fmt: skip
            if target != active:
                set_desired(ready, st, events, i + 1, t_end, p.start_steps, p.ec2 != 0, target)
        cl_left -= 1
        if p.ec2 and cl_left == 0:
            cl_left = p.cl_period_steps
            period = p.cl_period_steps * dt
            # credits: earn per ready instance, spend per vCPU-minute, borrow surplus below zero
            net = st[S_INSTANCES] * p.credits_per_hour * period / 3600 - used_acc / 60
            if p.credits_per_hour > 0:
                if net >= 0:
                    repay = min(surplus, net)
                    surplus -= repay
                    balance = min(st[S_INSTANCES] * p.max_credits, balance + net - repay)
                else:
                    spend = min(balance, -net)
                    balance -= spend
                    surplus += -net - spend
            capacity = inst_acc * p.inst_vcpus
            cpu = 100.0 * used_acc / capacity if capacity > 0 else math.nan
            used_acc = inst_acc = 0.0
            started = st[S_SERVING] + st[S_STARTING]
            empty = st[S_INSTANCES] * p.per_instance - started >= p.per_instance
            # the cluster's step rule: launch one, or terminate an empty one (none empty: no cooldown starts)
            hs = observe(cl_hi, cpu, p.cl_hi_threshold, p.cl_hi_comparison, p.cl_hi_datapoints, p.cl_hi_missing)
            ls = observe(cl_lo, cpu, p.cl_lo_threshold, p.cl_lo_comparison, p.cl_lo_datapoints, p.cl_lo_missing)
            log(events, st, t_end, EV_CLUSTER_DATAPOINT, cpu, 1.0 if hs == ALARM else 0.0)
            move = 0
            if step_rule(cl_out, t_end, hs, 1, p.cl_out_cooldown_s, alive_inst, p.i_min, p.i_max) > alive_inst:
                move = 1
            else:
                last = cl_in[0]
                if step_rule(cl_in, t_end, ls, -1, p.cl_in_cooldown_s, alive_inst, p.i_min, p.i_max) < alive_inst:
                    if empty:
                        move = -1
                    else:
                        cl_in[0] = last
            if move > 0:
                for j in range(boot.shape[0]):
                    if boot[j] < 0:
                        boot[j] = i + 1 + p.boot_steps
                        break
                st[S_BOOTING] += 1
                log(events, st, t_end, EV_LAUNCH)
            elif move < 0:
                st[S_INSTANCES] -= 1
                log(events, st, t_end, EV_TERMINATE)
        if (
            skip_steady
            and (calm or saturated)
            and st[S_NE] - ne_first == 1 + p.ec2
            and st[S_STARTING] == 0
            and (st[S_PLACING] == 0 or _room(p, st) <= 0)  # tasks waiting for room stay waiting
        ):
            steady = _repeats(p, st, hi, lo, cl_hi, cl_lo, metric, t_min, t_max)
            steady = steady and bucket[0] == bucket0 and balance == balance0 and surplus == surplus0
            grows = steady and saturated
        i += 1
    return int(st[S_NE]), surplus


@numba.njit(cache=True, nogil=True)
def _repeats(
    p: Record,
    st: np.ndarray,
    hi: np.ndarray,
    lo: np.ndarray,
    cl_hi: np.ndarray,
    cl_lo: np.ndarray,
    metric: float,
    t_min: int,
    t_max: int,
) -> bool:  # pragma: no cover - compiled
    """Whether a calm step that logged only its datapoints leaves a state the next step with the same
    rate repeats exactly (:mod:`tinysim.fluid_steady`)."""
    if st[S_BOOTING] > 0 or not settled(hi) or (p.has_lo and not settled(lo)):
        return False
    if p.ec2 and not (settled(cl_hi) and settled(cl_lo)):
        return False
    alive = st[S_INSTANCES] + st[S_BOOTING]
    empty = st[S_INSTANCES] * p.per_instance - st[S_SERVING] - st[S_STARTING] >= p.per_instance
    lo_state = lo[0] if p.has_lo else OK
    return time_free(p, hi[0], lo_state, metric, active_tasks(st), t_min, t_max, cl_hi[0], cl_lo[0], alive, empty)
