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

from tinysim.queueing import erlang_c

__all__ = ["container_kernel", "lambda_kernel", "wait_quantile", "weighted_quantile"]

EV_SCALE_OUT, EV_SCALE_IN, EV_SERVING, EV_LAUNCH, EV_READY, EV_TERMINATE, EV_PLACED, EV_STOP = range(8)


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
    last_c = -1
    last_rate = -1.0
    last_pw = 0.0
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
                if c != last_c or rate != last_rate:  # steady stretches reuse the last Erlang C
                    last_pw = erlang_c(c, rate / mu)
                    last_c = c
                    last_rate = rate
                pw = last_pw
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
    # steps of the idle TTL window whose ``recent`` may still be its maximum, largest first
    # (a monotonic queue: O(1) per step however long the TTL)
    window = np.empty(n, dtype=np.int64)
    head = tail = 0
    for i in range(n):
        rate = lam[i]
        throttled = max(0.0, rate - throttle_rps) * dt
        rate = min(rate, throttle_rps)
        need = rate * mean_s
        # environments kept: the peak need over the idle TTL, at least the provisioned ones
        while head < tail and window[head] < i - ttl_steps:
            head += 1
        keep = float(provisioned)
        if head < tail:
            keep = max(keep, recent[window[head]])
        alive = min(alive, keep)
        cold = max(0.0, min(need, float(limit)) - alive)
        cold = min(cold, new_per_step)
        alive += cold
        conc = min(need, alive)
        served_rate = rate if need <= 0 else rate * conc / need
        recent[i] = alive
        while head < tail and recent[window[tail - 1]] <= alive:
            tail -= 1
        window[tail] = i
        tail += 1
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
def _bin(v: float) -> int:  # pragma: no cover - compiled
    """Geometric bin of a positive value: 1,024 bins per octave (0.07% wide), from its float exponent."""
    m, e = math.frexp(v)
    return (e + 1100) * 1024 + int((m - 0.5) * 2048.0)


@numba.njit(cache=True, nogil=True)
def weighted_quantile(values: np.ndarray, weights: np.ndarray, q: float) -> float:  # pragma: no cover
    """The q-quantile of ``values`` weighted by ``weights`` (NaN when nothing is weighted), from
    geometric bins 0.07% wide: no sort, no logarithm."""
    lo_bin = 1 << 30
    hi_bin = -1
    total = 0.0
    hi = 0.0
    for i in range(values.shape[0]):
        v = values[i]
        if weights[i] > 0 and v > 0 and np.isfinite(v):
            b = _bin(v)
            lo_bin = min(lo_bin, b)
            hi_bin = max(hi_bin, b)
            hi = max(hi, v)
            total += weights[i]
    if total <= 0:
        return np.nan
    hist = np.zeros(hi_bin - lo_bin + 1)
    for i in range(values.shape[0]):
        v = values[i]
        if weights[i] > 0 and v > 0 and np.isfinite(v):
            hist[_bin(v) - lo_bin] += weights[i]
    target = q * total
    acc = 0.0
    for k in range(hist.shape[0]):
        acc += hist[k]
        if acc >= target:
            b = lo_bin + k
            e = b // 1024 - 1100
            m = 0.5 + ((b % 1024) + 0.5) / 2048.0
            return float(min(math.ldexp(m, e), hi))
    return float(hi)


# -- one entry point for both architectures, aggregation, and a parallel batch ------------------------
#: Layout of the per-configuration parameter vector (``p``) of ``run_kernel``.
CONTAINER_PARAMS = (
    "dt",
    "per_period",
    "mean_s",
    "scv",
    "slots",
    "cpu_fraction",
    "thr",
    "n_out",
    "thr_in",
    "n_in",
    "cooldown_s",
    "step",
    "t_min",
    "t_max",
    "desired0",
    "start_steps",
    "ec2",
    "per_instance",
    "vcpu_per_task",
    "inst_vcpus",
    "i_min",
    "i_max",
    "i_start",
    "boot_steps",
    "credits_per_hour",
    "max_credits",
    "timeout_s",
    "overhead_s",
    "throttle_rps",
)
LAMBDA_PARAMS = (
    "dt",
    "mean_s",
    "init_s",
    "limit",
    "provisioned",
    "ttl_steps",
    "new_per_step",
    "timeout_s",
    "overhead_s",
    "throttle_rps",
)
N_PARAMS = len(CONTAINER_PARAMS)
#: Columns of ``aggregate``'s hourly output and slots of its totals vector.
HOURLY = ("admitted", "served", "c12", "c13", "ran", "prov_requests")
TOTALS = (
    "offered",
    "served",
    "throttled",
    "timed_out",
    "c12",
    "c13",
    "p50",
    "p95",
    "p99",
    "mean",
    "max_p99",
    "peak_tasks",
    "max_concurrency",
    "slo_attainment",
    "scale_out",
    "scale_in",
    "surplus",
    "n_events",
)


@numba.njit(cache=True, nogil=True)
def run_kernel(
    serverless: bool, p: np.ndarray, lam: np.ndarray, svc_q: np.ndarray, out: np.ndarray, events: np.ndarray
) -> tuple[int, float]:  # pragma: no cover - compiled
    """Run the container or the Lambda kernel with parameters packed as CONTAINER_PARAMS / LAMBDA_PARAMS."""
    if serverless:
        lambda_kernel(lam, p[0], p[1], p[2], int(p[3]), int(p[4]), int(p[5]), p[6], svc_q, p[7], p[8], p[9], out)
        return 0, 0.0
    return container_kernel(
        lam,
        p[0],
        int(p[1]),
        p[2],
        p[3],
        svc_q,
        int(p[4]),
        p[5],
        p[6],
        int(p[7]),
        p[8],
        int(p[9]),
        p[10],
        int(p[11]),
        int(p[12]),
        int(p[13]),
        int(p[14]),
        int(p[15]),
        p[16] > 0,
        int(p[17]),
        p[18],
        p[19],
        int(p[20]),
        int(p[21]),
        int(p[22]),
        int(p[23]),
        p[24],
        p[25],
        p[26],
        p[27],
        p[28],
        out,
        events,
    )


@numba.njit(cache=True, nogil=True)
def aggregate(
    serverless: bool,
    out: np.ndarray,
    events: np.ndarray,
    n_events: int,
    surplus: float,
    per_hour: int,
    n_hour: int,
    prov_per_step: float,
    slo_ms: float,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover
    """Hourly sums (HOURLY) and run totals (TOTALS) of a kernel's output."""
    n = out.shape[0]
    hourly = np.zeros((n_hour, len(HOURLY)))
    tot = np.zeros(len(TOTALS))
    served_sum = 0.0
    mean_acc = 0.0
    ok_sum = 0.0
    for i in range(n):
        h = min(i // per_hour, n_hour - 1)
        front_thr = out[i, 2] - (out[i, 13] if serverless else 0.0)
        admitted = out[i, 0] - front_thr
        served = out[i, 1]
        ran = admitted - out[i, 13] if serverless else admitted
        hourly[h, 0] += admitted
        hourly[h, 1] += served
        hourly[h, 2] += out[i, 12]
        hourly[h, 3] += out[i, 13]
        hourly[h, 4] += ran
        hourly[h, 5] += min(ran, prov_per_step)
        for k in range(4):
            tot[k] += out[i, k]
        tot[4] += out[i, 12]
        tot[5] += out[i, 13]
        if served > 0:
            served_sum += served
            mean_acc += served * out[i, 7]
            tot[10] = max(tot[10], out[i, 6])
            if out[i, 6] <= slo_ms:
                ok_sum += served
        tot[11] = max(tot[11], out[i, 9])
        tot[12] = max(tot[12], out[i, 14])
    served_col = out[:, 1]
    tot[6] = weighted_quantile(out[:, 4], served_col, 0.5)
    tot[7] = weighted_quantile(out[:, 5], served_col, 0.95)
    tot[8] = weighted_quantile(out[:, 6], served_col, 0.99)
    tot[9] = mean_acc / served_sum if served_sum > 0 else np.nan
    tot[13] = ok_sum / served_sum if served_sum > 0 else np.nan
    for e in range(n_events):
        if events[e, 1] == EV_SCALE_OUT:
            tot[14] += 1
        elif events[e, 1] == EV_SCALE_IN:
            tot[15] += 1
    tot[16] = surplus
    tot[17] = n_events
    return hourly, tot


@numba.njit(cache=True, parallel=True)
def batch(
    serverless: np.ndarray,
    params: np.ndarray,
    lams: np.ndarray,
    lam_row: np.ndarray,
    svc_q: np.ndarray,
    per_hour: int,
    n_hour: int,
    prov_per_step: np.ndarray,
    slo_ms: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Many configurations at once (parallel over configurations): hourly sums and totals of each."""
    n_cfg = params.shape[0]
    n = lams.shape[1]
    hourly = np.zeros((n_cfg, n_hour, len(HOURLY)))
    totals = np.zeros((n_cfg, len(TOTALS)))
    for k in numba.prange(n_cfg):
        out = np.zeros((16, n)).T  # column-major, like the single-run path
        per_period = 1 if serverless[k] else max(1, int(params[k, 1]))
        events = np.zeros((4 * n // per_period + 64, 4))
        ne, surplus = run_kernel(serverless[k], params[k], lams[lam_row[k]], svc_q[k], out, events)
        h, t = aggregate(serverless[k], out, events, ne, surplus, per_hour, n_hour, prov_per_step[k], slo_ms[k])
        hourly[k] = h
        totals[k] = t
    return hourly, totals
