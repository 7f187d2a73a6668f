"""The fluid kernel's input: one named record per configuration (a NumPy structured array row, which the
compiled kernels read field by field), filled from the scenario, its plan's blueprint and its account.

Alarms, policies and bounds come from ``models.blueprint.blueprint(plan, scenario.account).control``; the
rules that evaluate them are :mod:`tinysim.control`'s, the same the request engine calls.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from models.blueprint import AlarmSpec, Blueprint, StepPolicySpec, initial_instances, tasks_per_instance
from models.instances import INSTANCE_TYPES
from models.scenario import Scenario
from tinysim.compute.ecs_window import DISPATCH_CODES
from tinysim.control import COMPARISONS, TREAT_MISSING
from tinysim.distributions import Distribution

__all__ = [
    "FLUID_RECORD",
    "METRIC_CPU",
    "METRIC_REQUESTS",
    "POLICY_STEP",
    "POLICY_TARGET",
    "Record",
    "fill_record",
    "step_s",
]

POLICY_STEP, POLICY_TARGET = 0, 1
METRIC_CPU, METRIC_REQUESTS = 0, 1  # ECSServiceAverageCPUUtilization, ALBRequestCountPerTarget

_ALARM = [("threshold", "f8"), ("periods", "i8"), ("datapoints", "i8"), ("comparison", "i8"), ("missing", "i8")]


def _alarm_fields(prefix: str) -> list[tuple[str, str]]:
    return [(f"{prefix}_{name}", kind) for name, kind in _ALARM]


#: One configuration of either architecture (unused fields stay 0). Times in seconds, rates per second.
FLUID_RECORD = np.dtype(
    [
        ("dt", "f8"),
        ("mean_s", "f8"),
        ("scv", "f8"),
        ("timeout_s", "f8"),
        ("overhead_s", "f8"),
        ("throttle_rps", "f8"),  # API Gateway account throttle (inf behind an ALB)
        ("throttle_burst", "f8"),
        # Lambda
        ("init_s", "f8"),
        ("limit", "i8"),
        ("provisioned", "i8"),
        ("ttl_steps", "i8"),
        ("legacy_scaling", "i8"),
        # service
        ("slots", "i8"),
        ("dispatch", "i8"),  # DISPATCH_CODES of the request engine (tinysim.compute.ecs_window)
        ("cpu_fraction", "f8"),
        ("policy", "i8"),
        ("metric", "i8"),
        ("svc_period_steps", "i8"),
        *_alarm_fields("hi"),
        *_alarm_fields("lo"),
        ("has_lo", "i8"),
        ("out_adjust", "i8"),
        ("in_adjust", "i8"),
        ("out_cooldown_s", "f8"),
        ("in_cooldown_s", "f8"),
        ("target_value", "f8"),
        ("disable_scale_in", "i8"),
        ("t_min", "i8"),
        ("t_max", "i8"),
        ("desired0", "i8"),
        ("start_steps", "i8"),
        # EC2 cluster
        ("ec2", "i8"),
        ("per_instance", "i8"),
        ("vcpu_per_task", "f8"),
        ("inst_vcpus", "f8"),
        ("i_min", "i8"),
        ("i_max", "i8"),
        ("i_start", "i8"),
        ("boot_steps", "i8"),
        ("credits_per_hour", "f8"),
        ("max_credits", "f8"),
        ("cl_period_steps", "i8"),
        *_alarm_fields("cl_hi"),
        *_alarm_fields("cl_lo"),
        ("cl_out_cooldown_s", "f8"),
        ("cl_in_cooldown_s", "f8"),
    ]
)


#: One row of ``FLUID_RECORD`` as the compiled kernels see it (``rec.dt``, ``rec.t_max``, ...). NumPy types a
#: structured row as ``np.void`` without its fields, so type checkers see it as ``Any``.
Record = Any


def step_s(bp: Blueprint) -> float:
    """The kernel's step: 60 s, or the shortest alarm period when that is shorter (10 or 30 s)."""
    periods = [a.period_s for a in bp.control.alarms]
    shortest = min(periods, default=60)
    return 60.0 if shortest >= 60 else float(shortest)


def _put_alarm(rec: np.ndarray, prefix: str, alarm: AlarmSpec) -> None:
    rec[f"{prefix}_threshold"] = alarm.threshold
    rec[f"{prefix}_periods"] = alarm.evaluation_periods
    rec[f"{prefix}_datapoints"] = alarm.datapoints_to_alarm
    rec[f"{prefix}_comparison"] = COMPARISONS[alarm.comparison]
    rec[f"{prefix}_missing"] = TREAT_MISSING[alarm.treat_missing_data]


def _alarm(bp: Blueprint, key: str) -> AlarmSpec | None:
    return next((a for a in bp.control.alarms if a.key == key), None)


def _fill_service(rec: np.ndarray, sc: Scenario, bp: Blueprint, dt: float) -> None:
    ctl, wl, tm = bp.control, sc.workload, sc.timings
    target = ctl.target("service")
    assert target is not None
    rec["slots"], rec["cpu_fraction"] = wl.concurrency_per_task, wl.cpu_fraction
    rec["dispatch"] = DISPATCH_CODES[wl.dispatch]
    rec["t_min"], rec["t_max"], rec["desired0"] = target.min, target.max, target.desired
    rec["start_steps"] = math.ceil(tm.task_start_s / dt)
    tt = ctl.target_tracking
    hi = _alarm(bp, "alarm-target-high" if tt is not None else "alarm-service-high")
    lo = _alarm(bp, "alarm-target-low" if tt is not None else "alarm-service-low")
    assert hi is not None
    _put_alarm(rec, "hi", hi)
    rec["svc_period_steps"] = max(1, round(hi.period_s / dt))
    if lo is not None:
        _put_alarm(rec, "lo", lo)
        rec["lo_periods"] = lo.evaluation_periods
        rec["has_lo"] = 1
    else:
        rec["lo_periods"] = 1
    if tt is not None:
        rec["policy"] = POLICY_TARGET
        rec["metric"] = METRIC_REQUESTS if tt.metric == "ALBRequestCountPerTarget" else METRIC_CPU
        rec["target_value"] = tt.target_value
        rec["out_cooldown_s"], rec["in_cooldown_s"] = tt.scale_out_cooldown_s, tt.scale_in_cooldown_s
        rec["disable_scale_in"] = int(tt.disable_scale_in)
    else:
        out = ctl.policy(hi.policy_key)
        assert isinstance(out, StepPolicySpec)
        rec["out_adjust"], rec["out_cooldown_s"] = out.adjustment, out.cooldown_s
        if lo is not None:
            pin = ctl.policy(lo.policy_key)
            assert isinstance(pin, StepPolicySpec)
            rec["in_adjust"], rec["in_cooldown_s"] = pin.adjustment, pin.cooldown_s


def _fill_cluster(rec: np.ndarray, sc: Scenario, bp: Blueprint, dt: float) -> None:
    plan, ctl = bp.plan, bp.control
    c = plan.container
    itype = INSTANCE_TYPES[c.instance_type]
    rec["ec2"], rec["per_instance"] = 1, tasks_per_instance(plan)
    rec["vcpu_per_task"], rec["inst_vcpus"] = c.task.cpu_units / 1024, itype.vcpus
    cluster = ctl.target("cluster")
    assert cluster is not None
    rec["i_min"], rec["i_max"], rec["i_start"] = cluster.min, cluster.max, initial_instances(plan)
    rec["boot_steps"] = math.ceil(sc.timings.instance_boot_s / dt)
    rec["credits_per_hour"], rec["max_credits"] = itype.credits_per_hour or 0.0, itype.max_credit_balance
    for prefix, key in (("cl_hi", "alarm-cluster-high"), ("cl_lo", "alarm-cluster-low")):
        alarm = _alarm(bp, key)
        assert alarm is not None
        _put_alarm(rec, prefix, alarm)
        policy = ctl.policy(alarm.policy_key)
        assert isinstance(policy, StepPolicySpec)
        rec["cl_out_cooldown_s" if prefix == "cl_hi" else "cl_in_cooldown_s"] = policy.cooldown_s
        rec["cl_period_steps"] = max(1, round(alarm.period_s / dt))


def fill_record(
    sc: Scenario, bp: Blueprint, dist: Distribution, dt: float, timeout_s: float, overhead_s: float, init_s: float
) -> np.ndarray:
    """The record (a 0-d structured array of ``FLUID_RECORD``) of one scenario."""
    rec = np.zeros((), dtype=FLUID_RECORD)
    plan, acct = bp.plan, bp.account
    rec["dt"], rec["mean_s"], rec["scv"] = dt, dist.mean_s, dist.scv
    rec["timeout_s"], rec["overhead_s"] = timeout_s, overhead_s
    throttle = bp.api_throttle()  # the stage's, capped by the account's quota; None behind an ALB
    rec["throttle_rps"] = throttle.rps if throttle is not None else math.inf
    rec["throttle_burst"] = throttle.burst if throttle is not None else math.inf
    if plan.architecture == "serverless":
        s = plan.serverless
        rec["init_s"] = init_s
        rec["limit"] = acct.lambda_concurrency if s.reserved_concurrency is None else s.reserved_concurrency
        rec["provisioned"] = s.provisioned_concurrency
        rec["ttl_steps"] = math.ceil(sc.timings.lambda_idle_ttl_s / dt)
        rec["legacy_scaling"] = int(sc.timings.lambda_scaling == "legacy")
        return rec
    _fill_service(rec, sc, bp, dt)
    if plan.container.launch_type == "ec2":
        _fill_cluster(rec, sc, bp, dt)
    return rec
