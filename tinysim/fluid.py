"""The fluid fidelity: rates per step instead of requests, for month-long runs and sweeps.

Each step (60 s, or the CloudWatch period when shorter) carries the offered rate; a queue's backlog
moves as a fluid (in at the arrival rate, out at the serving capacity); when there is no backlog,
waits follow M/M/c (Erlang C) scaled by (1 + SCV)/2 for non-exponential service (Allen–Cunneen),
and a latency quantile is taken as the wait quantile plus the service-time quantile. The control
rules are those of the request engine — datapoints per period, N consecutive breaches, step
scaling with cooldowns, task start and instance boot delays (rounded up to whole steps) — run in
one compiled loop so that a month costs milliseconds. Lambda: concurrency = rate x duration
(Little's law), environments kept for the idle TTL, cold starts when more are needed, at most 1,000
new ones per 10 s, throttles above the concurrency limit.

Use it for sweeps and long horizons; use ``request`` fidelity for exact percentiles, bursts shorter
than a step, and anything where the order of requests matters (dispatch policies, timeouts).
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = ["container_kernel", "lambda_kernel", "wait_quantile", "weighted_quantile"]

EV_SCALE_OUT, EV_SCALE_IN, EV_SERVING, EV_LAUNCH, EV_READY, EV_TERMINATE, EV_PLACED, EV_STOP = range(8)


@numba.njit(cache=True, nogil=True)
def _erlang_c(c: int, a: float) -> float:  # pragma: no cover - compiled
    if c <= 0 or a >= c:
        return 1.0
    term = 1.0
    total = 1.0
    for k in range(1, c):
        term *= a / k
        total += term
    last = term * a / c / (1 - a / c)
    return last / (total + last)


@numba.njit(cache=True, nogil=True)
def wait_quantile(pw: float, c: int, lam: float, mu: float, scv: float, q: float) -> float:  # pragma: no cover
    """Allen–Cunneen wait quantile of a G/G/c queue (exact for M/M/c when ``scv`` = 1), given the
    probability of waiting ``pw`` (Erlang C)."""
    if lam <= 0 or pw <= 1 - q:
        return 0.0
    return math.log(pw / (1 - q)) * (1 + scv) / 2 / (c * mu - lam)


@numba.njit(cache=True, nogil=True)
def container_kernel(
    lam: np.ndarray,
    dt: float,
    steps_per_period: int,
    mean_s: float,
    scv: float,
    svc_q: np.ndarray,
    slots: int,
    cpu_fraction: float,
    thr: float,
    n_out: int,
    thr_in: float,
    n_in: int,
    cooldown_s: float,
    step: int,
    t_min: int,
    t_max: int,
    desired0: int,
    start_steps: int,
    ec2: bool,
    per_instance: int,
    vcpu_per_task: float,
    inst_vcpus: float,
    i_min: int,
    i_max: int,
    i_start: int,
    boot_steps: int,
    credits_per_hour: float,
    max_credits: float,
    timeout_s: float,
    overhead_s: float,
    throttle_rps: float,
    out: np.ndarray,
    events: np.ndarray,
) -> tuple[int, float]:  # pragma: no cover - compiled
    """Run the container stack; fills ``out`` (steps x 16) and ``events`` (rows of t, kind, a, b).

    Returns the number of events and the surplus CPU credits left unpaid at the end.
    """
    n = lam.shape[0]
    mu = 1.0 / mean_s
    serving = desired0
    starting_ready = np.full(t_max + step + 1, -1, dtype=np.int64)  # ready step of each starting task
    placing = 0
    inst_ready = i_start
    inst_boot = np.full(i_max + 1, -1, dtype=np.int64)
    backlog = 0.0
    hi_count = lo_count = chi = clo = 0
    last_out = last_in = cl_last_out = cl_last_in = -1e18
    busy_acc = slot_acc = used_acc = inst_acc = 0.0
    balance = 0.0
    surplus = 0.0
    ne = 0
    never = n + 1
    next_boot = next_ready = never  # the next step at which an instance or a task becomes ready
    n_starting = n_booting = 0
    for i in range(n):
        now = i * dt
        # lifecycle at the start of the step: instances ready, tasks placed, tasks serving
        if i == next_boot:
            next_boot = never
            for j in range(inst_boot.shape[0]):
                if inst_boot[j] == i:
                    inst_boot[j] = -1
                    inst_ready += 1
                    n_booting -= 1
                    events[ne, 0] = now
                    events[ne, 1] = EV_READY
                    ne += 1
                elif 0 <= inst_boot[j] < next_boot:
                    next_boot = inst_boot[j]
        if ec2 and placing > 0:
            room = inst_ready * per_instance - serving - n_starting
            while placing > 0 and room > 0:
                for j in range(starting_ready.shape[0]):
                    if starting_ready[j] < 0:
                        starting_ready[j] = i + start_steps
                        break
                n_starting += 1
                next_ready = min(next_ready, i + start_steps)
                placing -= 1
                room -= 1
                events[ne, 0] = now
                events[ne, 1] = EV_PLACED
                ne += 1
        if i == next_ready:
            next_ready = never
            for j in range(starting_ready.shape[0]):
                if starting_ready[j] == i:
                    starting_ready[j] = -1
                    serving += 1
                    n_starting -= 1
                    events[ne, 0] = now
                    events[ne, 1] = EV_SERVING
                    ne += 1
                elif 0 <= starting_ready[j] < next_ready:
                    next_ready = starting_ready[j]
        # data: throttle, queue, waits
        rate = lam[i]
        throttled = max(0.0, rate - throttle_rps) * dt
        rate = min(rate, throttle_rps)
        c = serving * slots
        cap = c * mu
        offered = rate * dt
        if c == 0:
            out[i, 0] = offered + throttled
            out[i, 2] = offered + throttled
            backlog = 0.0
        else:
            work_in = backlog + offered
            done = min(work_in, cap * dt)
            backlog = work_in - done
            busy = done * mean_s
            if backlog > 1e-9:
                w = backlog / cap
                p50 = p95 = p99 = w
                wmean = w
            else:
                pw = _erlang_c(c, rate / mu)
                p50 = p95 = p99 = wmean = 0.0
                if rate > 0 and pw > 0.01:  # P(W > t) = pw exp(-t (c mu - lambda) / k), k = (1 + scv) / 2
                    scale = (1 + scv) / 2 / (cap - rate)
                    lpw = math.log(pw)
                    p99 = (lpw + 4.605170185988091) * scale  # -ln(0.01)
                    if pw > 0.05:
                        p95 = (lpw + 2.995732273553991) * scale  # -ln(0.05)
                    if pw > 0.5:
                        p50 = (lpw + 0.6931471805599453) * scale  # -ln(0.5)
                if rate < cap:
                    wmean = pw * (1 + scv) / 2 / (cap - rate)
            late = offered if wmean + mean_s + overhead_s > timeout_s else 0.0
            out[i, 0] = offered + throttled
            out[i, 1] = offered - late
            out[i, 2] = throttled
            out[i, 3] = late
            out[i, 4] = 1000 * (p50 + svc_q[0] + overhead_s)
            out[i, 5] = 1000 * (p95 + svc_q[1] + overhead_s)
            out[i, 6] = 1000 * (p99 + svc_q[2] + overhead_s)
            out[i, 7] = 1000 * (wmean + mean_s + overhead_s)
            out[i, 8] = 100.0 * cpu_fraction * busy / (c * dt)
            busy_acc += busy
            slot_acc += c * dt
            used_acc += busy * cpu_fraction * vcpu_per_task / slots
        alive_inst = inst_ready + n_booting
        inst_acc += alive_inst * dt
        out[i, 9] = serving
        out[i, 10] = n_starting + placing
        out[i, 11] = alive_inst
        out[i, 12] = (serving + n_starting) * dt / 3600  # task-hours (Fargate bills starting tasks)
        out[i, 13] = alive_inst * dt / 3600
        out[i, 15] = balance - surplus
        # control at the end of each period
        if (i + 1) % steps_per_period != 0:
            continue
        t_end = (i + 1) * dt
        period = steps_per_period * dt
        if slot_acc > 0:
            cpu = 100.0 * cpu_fraction * busy_acc / slot_acc
            hi_count = hi_count + 1 if cpu > thr else 0
            lo_count = lo_count + 1 if cpu < thr_in else 0
        else:
            hi_count = lo_count = 0
        busy_acc = slot_acc = 0.0
        active = serving + n_starting + placing
        target = -1
        if hi_count >= n_out and t_end - last_out >= cooldown_s:
            target = min(t_max, max(t_min, active + step))
            if target != active:
                last_out = t_end
            else:
                target = -1
        if target < 0 and lo_count >= n_in and t_end - last_in >= cooldown_s:
            target = min(t_max, max(t_min, active - step))
            if target != active:
                last_in = t_end
            else:
                target = -1
        if target >= 0:
            events[ne, 0] = t_end
            events[ne, 1] = EV_SCALE_OUT if target > active else EV_SCALE_IN
            events[ne, 2] = active
            events[ne, 3] = target
            ne += 1
            if target > active:
                for _ in range(target - active):
                    if ec2:
                        placing += 1
                    else:
                        for j in range(starting_ready.shape[0]):
                            if starting_ready[j] < 0:
                                starting_ready[j] = i + 1 + start_steps
                                break
                        n_starting += 1
                        next_ready = min(next_ready, i + 1 + start_steps)
                        events[ne, 0] = t_end
                        events[ne, 1] = EV_PLACED
                        ne += 1
            else:
                for _ in range(active - target):
                    events[ne, 0] = t_end
                    events[ne, 1] = EV_STOP
                    ne += 1
                    if placing > 0:
                        placing -= 1
                        continue
                    stopped = False
                    for j in range(starting_ready.shape[0]):
                        if starting_ready[j] >= 0:
                            starting_ready[j] = -1
                            n_starting -= 1
                            stopped = True
                            break
                    if not stopped:
                        serving -= 1
        if ec2:
            # credits: earn per ready instance, spend per vCPU-minute, borrow surplus below zero
            net = inst_ready * credits_per_hour * period / 3600 - used_acc / 60
            if credits_per_hour > 0:
                if net >= 0:
                    repay = min(surplus, net)
                    surplus -= repay
                    balance = min(inst_ready * max_credits, balance + net - repay)
                else:
                    spend = min(balance, -net)
                    balance -= spend
                    surplus += -net - spend
            capacity = inst_acc * inst_vcpus
            if capacity > 0:
                ccpu = 100.0 * used_acc / capacity
                chi = chi + 1 if ccpu > thr else 0
                clo = clo + 1 if ccpu < thr_in else 0
            else:
                chi = clo = 0
            alive = alive_inst
            if chi >= n_out and t_end - cl_last_out >= cooldown_s and alive < i_max:
                cl_last_out = t_end
                for j in range(inst_boot.shape[0]):
                    if inst_boot[j] < 0:
                        inst_boot[j] = i + 1 + boot_steps
                        break
                n_booting += 1
                next_boot = min(next_boot, i + 1 + boot_steps)
                events[ne, 0] = t_end
                events[ne, 1] = EV_LAUNCH
                ne += 1
            elif clo >= n_in and t_end - cl_last_in >= cooldown_s and alive > i_min:
                started = serving + n_starting
                if inst_ready * per_instance - started >= per_instance:  # an empty instance to remove
                    cl_last_in = t_end
                    inst_ready -= 1
                    events[ne, 0] = t_end
                    events[ne, 1] = EV_TERMINATE
                    ne += 1
        used_acc = inst_acc = 0.0
    return ne, surplus


@numba.njit(cache=True, nogil=True)
def lambda_kernel(
    lam: np.ndarray,
    dt: float,
    mean_s: float,
    init_s: float,
    limit: int,
    provisioned: int,
    ttl_steps: int,
    new_per_step: float,
    svc_q: np.ndarray,
    timeout_s: float,
    overhead_s: float,
    throttle_rps: float,
    out: np.ndarray,
) -> None:  # pragma: no cover - compiled
    """Lambda by Little's law per step; fills ``out`` (steps x 16)."""
    n = lam.shape[0]
    alive = float(provisioned)
    recent = np.zeros(n)
    for i in range(n):
        rate = lam[i]
        throttled = max(0.0, rate - throttle_rps) * dt
        rate = min(rate, throttle_rps)
        need = rate * mean_s
        # environments kept: the peak need over the idle TTL, at least the provisioned ones
        keep = float(provisioned)
        for j in range(max(0, i - ttl_steps), i):
            keep = max(keep, recent[j])
        alive = min(alive, keep)
        cold = max(0.0, min(need, float(limit)) - alive)
        cold = min(cold, new_per_step)
        alive += cold
        conc = min(need, alive)
        served_rate = rate if need <= 0 else rate * conc / need
        recent[i] = alive
        offered = rate * dt
        lambda_thr = (rate - served_rate) * dt
        late = served_rate * dt if mean_s + overhead_s > timeout_s else 0.0
        out[i, 0] = offered + throttled
        out[i, 1] = served_rate * dt - late
        out[i, 2] = throttled + lambda_thr
        out[i, 3] = late
        share = cold / max(served_rate * dt, 1e-12)  # share of requests that wait for INIT
        out[i, 4] = 1000 * (svc_q[0] + overhead_s + (init_s if share > 0.5 else 0.0))
        out[i, 5] = 1000 * (svc_q[1] + overhead_s + (init_s if share > 0.05 else 0.0))
        out[i, 6] = 1000 * (svc_q[2] + overhead_s + (init_s if share > 0.01 else 0.0))
        out[i, 7] = 1000 * (mean_s + overhead_s + min(1.0, share) * init_s)
        out[i, 14] = conc
        out[i, 12] = cold  # cold starts this step
        out[i, 13] = lambda_thr


@numba.njit(cache=True, nogil=True)
def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:  # pragma: no cover
    """The q-quantile of ``values`` weighted by ``weights`` (NaN when nothing is weighted), from
    0.1%-wide geometric bins: one pass, no sort."""
    lo = np.inf
    hi = 0.0
    total = 0.0
    for i in range(values.shape[0]):
        v = values[i]
        if weights[i] > 0 and v > 0 and np.isfinite(v):
            lo = min(lo, v)
            hi = max(hi, v)
            total += weights[i]
    if total <= 0:
        return np.nan
    step = math.log(1.001)
    nbins = int(math.log(hi / lo) / step) + 2
    hist = np.zeros(nbins)
    for i in range(values.shape[0]):
        v = values[i]
        if weights[i] > 0 and v > 0 and np.isfinite(v):
            hist[int(math.log(v / lo) / step)] += weights[i]
    target = q * total
    acc = 0.0
    for b in range(nbins):
        acc += hist[b]
        if acc >= target:
            return float(min(lo * 1.001 ** (b + 0.5), hi))
    return float(hi)
