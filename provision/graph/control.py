"""Desired properties of the control plane's resources: each carries its blueprint spec unchanged
(scalable targets, step and target tracking policies, scheduled actions, alarms)."""

from __future__ import annotations

from typing import Any

from models.blueprint import Blueprint, StackResource, task_subnet_keys

__all__ = ["control_props"]


def control_props(bp: Blueprint, res: StackResource) -> dict[str, Any] | None:
    """``{"spec": ...}`` for a control plane resource, or None when ``res`` is not one."""
    cp = bp.control
    if res.kind == "asg":  # the cluster's instances: its min, max and first desired capacity
        return {"spec": cp.target("cluster"), "subnets": task_subnet_keys(bp.plan)}
    if res.kind == "scalable_target":
        return {"spec": cp.target("service")}
    if res.kind in ("step_policy", "group_policy", "target_tracking_policy"):
        return {"spec": cp.policy(res.key)}
    if res.kind == "scheduled_action":
        return {"spec": next(a for a in cp.scheduled if a.name == res.name)}
    if res.kind == "alert_alarm":
        return {"spec": next(a for a in cp.alerts if a.key == res.key)}
    if res.kind == "alarm":
        return {"spec": next(a for a in cp.alarms if a.key == res.key)}
    return None
