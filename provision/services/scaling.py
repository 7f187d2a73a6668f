"""Application Auto Scaling of the ECS service: the scalable target (min..max), step policies, the
target tracking policy and scheduled actions, each created from its blueprint spec and read back into it.

Source for the calls: docs.aws.amazon.com/autoscaling/application/APIReference/ (RegisterScalableTarget,
PutScalingPolicy, PutScheduledAction).
"""

from __future__ import annotations

from typing import Any

from models.blueprint import ScalableTargetSpec, ScheduledActionSpec, StepPolicySpec, TargetTrackingSpec
from provision.resources import Context, Live, Resource
from provision.services.base import PutKind

__all__ = ["NS", "ScalableTarget", "ScheduledAction", "StepPolicy", "TargetTrackingPolicy", "resource_label"]

NS, DIM = "ecs", "ecs:service:DesiredCount"


def _resource_id(ctx: Context) -> str:
    return f"service/{ctx.out('cluster', 'name')}/{ctx.out('service', 'name')}"


def _clamp(value: int, low: int, high: int) -> int:
    return max(low, min(high, value))


def _client(ctx: Context) -> Any:
    return ctx.clients("application-autoscaling")


class ScalableTarget(PutKind):
    """props: spec (ScalableTargetSpec). ``desired`` is the service's live desired count: a new range
    that excludes it moves it to the nearest bound, as Application Auto Scaling does when the target is
    registered (RegisterScalableTarget: "If the current capacity is outside the new range, Application Auto
    Scaling scales it into the range"); the provisioner sets it too, so every emulator shows the same."""

    mutable = ("min", "max", "desired")

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        spec: ScalableTargetSpec = res.props["spec"]
        return {"min": spec.min, "max": spec.max, "desired": _clamp(ctx.out("service", "desired"), spec.min, spec.max)}

    def _live(self, ctx: Context, t: dict[str, Any]) -> Live:
        props = {"min": t["MinCapacity"], "max": t["MaxCapacity"], "desired": ctx.out("service", "desired")}
        return Live("scalable_target", t["ResourceId"], props, ctx.stack, {"resource_id": t["ResourceId"]})

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = _client(ctx).describe_scalable_targets(
            ServiceNamespace=NS, ResourceIds=[_resource_id(ctx)], ScalableDimension=DIM
        )["ScalableTargets"]
        got = [t for t in got if t["ResourceId"] == _resource_id(ctx)]
        return self._live(ctx, got[0]) if got else None

    def create(self, ctx: Context, res: Resource) -> Live:
        want = self.desired_props(ctx, res)
        rid = _resource_id(ctx)
        _client(ctx).register_scalable_target(
            ServiceNamespace=NS, ResourceId=rid, ScalableDimension=DIM, MinCapacity=want["min"], MaxCapacity=want["max"]
        )
        if want["desired"] != ctx.out("service", "desired"):
            ctx.clients("ecs").update_service(
                cluster=ctx.out("cluster", "name"), service=ctx.out("service", "name"), desiredCount=want["desired"]
            )
            ctx.outputs["service"]["desired"] = want["desired"]
        return Live("scalable_target", rid, want, ctx.stack, {"resource_id": rid})

    def delete(self, ctx: Context, live: Live) -> None:
        _client(ctx).deregister_scalable_target(ServiceNamespace=NS, ResourceId=live.id, ScalableDimension=DIM)

    def owned(self, ctx: Context) -> list[Live]:
        got = _client(ctx).describe_scalable_targets(ServiceNamespace=NS)["ScalableTargets"]
        return [
            Live("scalable_target", t["ResourceId"], {}, ctx.stack, {})
            for t in got
            if t["ResourceId"].startswith(f"service/{ctx.stack}/")
        ]


class _Policy(PutKind):
    """A scaling policy on the service's scalable target, found by name."""

    policy_type = ""

    def _props(self, p: dict[str, Any]) -> dict[str, Any]:
        raise NotImplementedError

    def _live(self, p: dict[str, Any], owner: str | None) -> Live:
        outputs = {
            "arn": p["PolicyARN"],
            "name": p["PolicyName"],
            "resource_id": p["ResourceId"],
            "alarms": [a["AlarmName"] for a in p.get("Alarms", [])],
        }
        return Live(self.kind_name, p["PolicyName"], self._props(p), owner, outputs)

    kind_name = ""

    def find(self, ctx: Context, res: Resource) -> Live | None:
        rid = _resource_id(ctx)
        got = _client(ctx).describe_scaling_policies(
            ServiceNamespace=NS, PolicyNames=[res.name], ResourceId=rid, ScalableDimension=DIM
        )["ScalingPolicies"]
        # some emulators ignore the name filter or match resource ids by substring
        got = [p for p in got if p["PolicyName"] == res.name and p["ResourceId"] == rid]
        return self._live(got[0], ctx.stack) if got else None

    def _configuration(self, ctx: Context, res: Resource) -> dict[str, Any]:
        raise NotImplementedError

    def create(self, ctx: Context, res: Resource) -> Live:
        _client(ctx).put_scaling_policy(
            PolicyName=res.name,
            ServiceNamespace=NS,
            ResourceId=_resource_id(ctx),
            ScalableDimension=DIM,
            PolicyType=self.policy_type,
            **self._configuration(ctx, res),
        )
        return self.reread(ctx, res)  # the ARN and the alarms AWS made, from a read

    def delete(self, ctx: Context, live: Live) -> None:
        _client(ctx).delete_scaling_policy(
            PolicyName=live.id, ServiceNamespace=NS, ResourceId=live.outputs["resource_id"], ScalableDimension=DIM
        )

    def owned(self, ctx: Context) -> list[Live]:
        got = _client(ctx).describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"]
        return [
            self._live(p, ctx.stack)
            for p in got
            if p["ResourceId"].startswith(f"service/{ctx.stack}/") and p.get("PolicyType") == self.policy_type
        ]


class StepPolicy(_Policy):
    """props: spec (StepPolicySpec): one step of ``adjustment`` tasks (ChangeInCapacity) for any breach
    of its alarm, then ``cooldown_s``."""

    mutable = ("adjustment", "cooldown_s")
    policy_type = "StepScaling"
    kind_name = "step_policy"

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        spec: StepPolicySpec = res.props["spec"]
        return {"adjustment": spec.adjustment, "cooldown_s": spec.cooldown_s}

    def _props(self, p: dict[str, Any]) -> dict[str, Any]:
        cfg = p.get("StepScalingPolicyConfiguration", {})
        steps = cfg.get("StepAdjustments", [{}])
        return {"adjustment": steps[0].get("ScalingAdjustment"), "cooldown_s": cfg.get("Cooldown")}

    def _configuration(self, ctx: Context, res: Resource) -> dict[str, Any]:
        spec: StepPolicySpec = res.props["spec"]
        step: dict[str, Any] = {"ScalingAdjustment": spec.adjustment}
        # out: any value at or above the threshold; in: any value at or below it
        step["MetricIntervalLowerBound" if spec.adjustment > 0 else "MetricIntervalUpperBound"] = 0.0
        return {
            "StepScalingPolicyConfiguration": {
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": [step],
                "Cooldown": spec.cooldown_s,
                "MetricAggregationType": "Average",
            }
        }


def resource_label(ctx: Context) -> str:
    """ALBRequestCountPerTarget's ResourceLabel, ``app/<alb>/<id>/targetgroup/<tg>/<id>``, from the live ARNs.
    Source: docs.aws.amazon.com/autoscaling/application/APIReference/API_PredefinedMetricSpecification.html"""
    alb = str(ctx.out("alb", "arn")).split(":loadbalancer/", 1)[1]
    tg = str(ctx.out("tg", "arn")).split(":", 5)[5]
    return f"{alb}/{tg}"


class TargetTrackingPolicy(_Policy):
    """props: spec (TargetTrackingSpec). Application Auto Scaling creates and owns its two alarms."""

    mutable = ("metric", "target_value", "scale_out_cooldown_s", "scale_in_cooldown_s", "disable_scale_in", "label")
    policy_type = "TargetTrackingScaling"
    kind_name = "target_tracking_policy"

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        spec: TargetTrackingSpec = res.props["spec"]
        label = resource_label(ctx) if spec.metric == "ALBRequestCountPerTarget" else None
        return {
            "metric": spec.metric,
            "target_value": spec.target_value,
            "scale_out_cooldown_s": spec.scale_out_cooldown_s,
            "scale_in_cooldown_s": spec.scale_in_cooldown_s,
            "disable_scale_in": spec.disable_scale_in,
            "label": label,
        }

    def _props(self, p: dict[str, Any]) -> dict[str, Any]:
        cfg = p.get("TargetTrackingScalingPolicyConfiguration", {})
        metric = cfg.get("PredefinedMetricSpecification", {})
        return {
            "metric": metric.get("PredefinedMetricType"),
            "target_value": float(cfg.get("TargetValue", 0.0)),
            "scale_out_cooldown_s": cfg.get("ScaleOutCooldown"),
            "scale_in_cooldown_s": cfg.get("ScaleInCooldown"),
            "disable_scale_in": bool(cfg.get("DisableScaleIn", False)),
            "label": metric.get("ResourceLabel"),
        }

    def _configuration(self, ctx: Context, res: Resource) -> dict[str, Any]:
        want = self.desired_props(ctx, res)
        metric: dict[str, Any] = {"PredefinedMetricType": want["metric"]}
        if want["label"] is not None:
            metric["ResourceLabel"] = want["label"]
        return {
            "TargetTrackingScalingPolicyConfiguration": {
                "TargetValue": want["target_value"],
                "PredefinedMetricSpecification": metric,
                "ScaleOutCooldown": want["scale_out_cooldown_s"],
                "ScaleInCooldown": want["scale_in_cooldown_s"],
                "DisableScaleIn": want["disable_scale_in"],
            }
        }


class ScheduledAction(PutKind):
    """props: spec (ScheduledActionSpec): from each time ``schedule`` names (UTC), MinCapacity and
    MaxCapacity become ``min`` and ``max``."""

    mutable = ("schedule", "min", "max")

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        spec: ScheduledActionSpec = res.props["spec"]
        return {"schedule": spec.schedule, "min": spec.min, "max": spec.max}

    def _live(self, a: dict[str, Any], owner: str | None) -> Live:
        action = a.get("ScalableTargetAction", {})
        props = {"schedule": a["Schedule"], "min": action.get("MinCapacity"), "max": action.get("MaxCapacity")}
        outputs = {"name": a["ScheduledActionName"], "resource_id": a["ResourceId"]}
        return Live("scheduled_action", a["ScheduledActionName"], props, owner, outputs)

    def find(self, ctx: Context, res: Resource) -> Live | None:
        rid = _resource_id(ctx)
        got = _client(ctx).describe_scheduled_actions(
            ServiceNamespace=NS, ScheduledActionNames=[res.name], ResourceId=rid, ScalableDimension=DIM
        )["ScheduledActions"]
        got = [a for a in got if a["ScheduledActionName"] == res.name and a["ResourceId"] == rid]
        return self._live(got[0], ctx.stack) if got else None

    def create(self, ctx: Context, res: Resource) -> Live:
        want = self.desired_props(ctx, res)
        _client(ctx).put_scheduled_action(
            ServiceNamespace=NS,
            Schedule=want["schedule"],
            Timezone="UTC",
            ScheduledActionName=res.name,
            ResourceId=_resource_id(ctx),
            ScalableDimension=DIM,
            ScalableTargetAction={"MinCapacity": want["min"], "MaxCapacity": want["max"]},
        )
        return self.reread(ctx, res)

    def delete(self, ctx: Context, live: Live) -> None:
        _client(ctx).delete_scheduled_action(
            ServiceNamespace=NS,
            ScheduledActionName=live.id,
            ResourceId=live.outputs["resource_id"],
            ScalableDimension=DIM,
        )

    def owned(self, ctx: Context) -> list[Live]:
        got = _client(ctx).describe_scheduled_actions(ServiceNamespace=NS)["ScheduledActions"]
        return [self._live(a, ctx.stack) for a in got if a["ResourceId"].startswith(f"service/{ctx.stack}/")]
