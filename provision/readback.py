"""The live control plane read back into the blueprint's own types (AlarmSpec, StepPolicySpec,
TargetTrackingSpec, ScheduledActionSpec, ScalableTargetSpec), so that what was built compares field by
field with what the blueprint says. Never refuses a live value: a count outside the plan's bounds, or
a threshold someone changed by hand, is read as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from models.blueprint import (
    AlarmSpec,
    Blueprint,
    ControlPlane,
    ScalableTargetSpec,
    ScheduledActionSpec,
    StepPolicySpec,
    TargetTrackingSpec,
)
from provision.resources import Context, Resource
from provision.services.alarms import Alarm, alarm_fields
from provision.services.scaling import ScalableTarget, ScheduledAction, StepPolicy, TargetTrackingPolicy

__all__ = ["read_control"]

#: The UUID Application Auto Scaling appends to the name of each alarm it creates.
_UUID = re.compile(r"-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")


def _key(bp: Blueprint, kind: str, name: str) -> str:
    return next((r.key for r in bp.resources if r.kind == kind and r.name == name), name)


def _ordered(bp: Blueprint, items: list[Any]) -> tuple[Any, ...]:
    """``items`` in the blueprint's order of their names (names it does not know last)."""
    order = {r.name: i for i, r in enumerate(bp.resources)}
    return tuple(sorted(items, key=lambda x: order.get(x.name, len(order))))


def _targets(ctx: Context, bp: Blueprint) -> list[ScalableTargetSpec]:
    out = []
    if "service" in ctx.outputs:
        live = ScalableTarget().find(ctx, Resource("scalable-target", "scalable_target", ctx.stack))
        if live is not None:
            out.append(ScalableTargetSpec("service", live.props["min"], live.props["max"], live.props["desired"]))
    if "asg" in ctx.outputs:
        g = ctx.clients("autoscaling").describe_auto_scaling_groups(AutoScalingGroupNames=[ctx.outputs["asg"]["name"]])
        for group in g["AutoScalingGroups"]:
            out.append(ScalableTargetSpec("cluster", group["MinSize"], group["MaxSize"], group["DesiredCapacity"]))
    return out


@dataclass(frozen=True)
class _Policies:
    """Step policies (service and cluster), the target tracking policy, policy ARN -> key, and the names
    of the alarms Application Auto Scaling made for the target tracking policy."""

    steps: list[StepPolicySpec]
    tracking: TargetTrackingSpec | None
    arns: dict[str, str]
    managed_alarms: list[str]


def _policies(ctx: Context, bp: Blueprint) -> _Policies:
    steps: list[StepPolicySpec] = []
    arns: dict[str, str] = {}
    managed: list[str] = []
    tracking = None
    if "service" in ctx.outputs:
        for live in StepPolicy().owned(ctx):
            key = _key(bp, "step_policy", live.id)
            steps.append(StepPolicySpec(key, live.id, "service", live.props["adjustment"], live.props["cooldown_s"]))
            arns[live.outputs["arn"]] = key
        for live in TargetTrackingPolicy().owned(ctx):
            p = live.props
            key = _key(bp, "target_tracking_policy", live.id)
            tracking = TargetTrackingSpec(
                key,
                live.id,
                p["metric"],
                p["target_value"],
                p["scale_out_cooldown_s"],
                p["scale_in_cooldown_s"],
                p["disable_scale_in"],
            )
            arns[live.outputs["arn"]] = key
            managed = list(live.outputs["alarms"])
    if "asg" in ctx.outputs:
        group = ctx.clients("autoscaling").describe_policies(AutoScalingGroupName=ctx.outputs["asg"]["name"])
        for p in group["ScalingPolicies"]:
            key = _key(bp, "group_policy", p["PolicyName"])
            steps.append(StepPolicySpec(key, p["PolicyName"], "cluster", p["ScalingAdjustment"], p.get("Cooldown", 0)))
            arns[p["PolicyARN"]] = key
    return _Policies(steps, tracking, arns, managed)


def _alarm(bp: Blueprint, live_name: str, f: dict[str, Any], arns: dict[str, str], managed: bool) -> AlarmSpec:
    name = _UUID.sub("", live_name) if managed else live_name
    action = f["action"] or ""
    policy = next((k for arn, k in arns.items() if action.startswith(arn)), action)
    return AlarmSpec(
        key=_key(bp, "alarm", name),
        name=name,
        scope="service" if "ServiceName" in f["dimensions"] else "cluster",
        namespace=f["namespace"],
        metric_name=f["metric_name"],
        statistic=f["statistic"],
        period_s=f["period_s"],
        evaluation_periods=f["evaluation_periods"],
        datapoints_to_alarm=f["datapoints_to_alarm"],
        threshold=f["threshold"],
        comparison=f["comparison"],
        treat_missing_data=f["treat_missing_data"],
        policy_key=policy,
        managed_by="target_tracking" if managed else "stack",
    )


def read_control(ctx: Context, bp: Blueprint) -> ControlPlane:
    """The live control plane of ``ctx.stack``; ``bp`` (the plan's blueprint) only lends its keys and
    order. Call it after the stack's cluster, service and group are in ``ctx.outputs``."""
    targets = _targets(ctx, bp)
    pol = _policies(ctx, bp)
    cw = ctx.clients("cloudwatch")
    raw = [(live.id, live.props, False) for live in Alarm().owned(ctx)]
    if pol.managed_alarms:
        got = cw.describe_alarms(AlarmNames=pol.managed_alarms)["MetricAlarms"]
        raw += [
            (a["AlarmName"], {**alarm_fields(a), "action": (a.get("AlarmActions") or [None])[0]}, True) for a in got
        ]
    alarms = [_alarm(bp, name, f, pol.arns, m) for name, f, m in raw]
    scheduled = []
    if "service" in ctx.outputs:
        for live in ScheduledAction().owned(ctx):
            scheduled.append(ScheduledActionSpec(live.id, live.props["schedule"], live.props["min"], live.props["max"]))
    sched_order = {a.name: i for i, a in enumerate(bp.control.scheduled)}
    return ControlPlane(
        targets=tuple(sorted(targets, key=lambda t: t.scope != "service")),
        alarms=_ordered(bp, alarms),
        step_policies=_ordered(bp, pol.steps),
        target_tracking=pol.tracking,
        scheduled=tuple(sorted(scheduled, key=lambda a: sched_order.get(a.name, len(sched_order)))),
    )
