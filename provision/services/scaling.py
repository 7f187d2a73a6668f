"""Autoscaling of the ECS service: the Application Auto Scaling target (min..max), step policies
(+step out, -step in, with a cooldown) and the CloudWatch alarms on average CPU that invoke them."""

from __future__ import annotations

from typing import Any

from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import KindBase, kv_tags, owner_of

__all__ = ["Alarm", "ScalableTarget", "StepPolicy"]

NS, DIM = "ecs", "ecs:service:DesiredCount"


def _resource_id(ctx: Context) -> str:
    return f"service/{ctx.out('cluster', 'name')}/{ctx.out('service', 'name')}"


class ScalableTarget(KindBase):
    mutable = ("min", "max")

    def find(self, ctx: Context, res: Resource) -> Live | None:
        rid = _resource_id(ctx)
        got = ctx.clients("application-autoscaling").describe_scalable_targets(
            ServiceNamespace=NS, ResourceIds=[rid], ScalableDimension=DIM
        )["ScalableTargets"]
        if not got:
            return None
        t = got[0]
        return Live(
            "scalable_target", rid, {"min": t["MinCapacity"], "max": t["MaxCapacity"]}, ctx.stack, {"resource_id": rid}
        )

    def create(self, ctx: Context, res: Resource) -> Live:
        rid = _resource_id(ctx)
        ctx.clients("application-autoscaling").register_scalable_target(
            ServiceNamespace=NS,
            ResourceId=rid,
            ScalableDimension=DIM,
            MinCapacity=res.props["min"],
            MaxCapacity=res.props["max"],
        )
        return Live("scalable_target", rid, dict(res.props), ctx.stack, {"resource_id": rid})

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        return self.create(ctx, res)

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("application-autoscaling").deregister_scalable_target(
            ServiceNamespace=NS, ResourceId=live.id, ScalableDimension=DIM
        )

    def owned(self, ctx: Context) -> list[Live]:
        got = ctx.clients("application-autoscaling").describe_scalable_targets(ServiceNamespace=NS)["ScalableTargets"]
        return [
            Live("scalable_target", t["ResourceId"], {}, ctx.stack, {})
            for t in got
            if t["ResourceId"].startswith(f"service/{ctx.stack}/")
        ]


class StepPolicy(KindBase):
    """props: direction (out|in), step, cooldown."""

    mutable = ("step", "cooldown")

    def _live(self, p: dict[str, Any]) -> Live:
        cfg = p["StepScalingPolicyConfiguration"]
        step = abs(cfg["StepAdjustments"][0]["ScalingAdjustment"])
        return Live(
            "step_policy",
            p["PolicyName"],
            {"step": step, "cooldown": cfg.get("Cooldown")},
            None,
            {"arn": p["PolicyARN"], "name": p["PolicyName"], "resource_id": p["ResourceId"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = ctx.clients("application-autoscaling").describe_scaling_policies(
            ServiceNamespace=NS, PolicyNames=[res.name], ResourceId=_resource_id(ctx), ScalableDimension=DIM
        )["ScalingPolicies"]
        got = [p for p in got if p["PolicyName"] == res.name]  # some emulators ignore the name filter
        if not got:
            return None
        live = self._live(got[0])
        live.owner = ctx.stack
        return live

    def create(self, ctx: Context, res: Resource) -> Live:
        out = res.props["direction"] == "out"
        adj: dict[str, Any] = {"ScalingAdjustment": res.props["step"] if out else -res.props["step"]}
        adj["MetricIntervalLowerBound" if out else "MetricIntervalUpperBound"] = 0.0
        p = ctx.clients("application-autoscaling").put_scaling_policy(
            PolicyName=res.name,
            ServiceNamespace=NS,
            ResourceId=_resource_id(ctx),
            ScalableDimension=DIM,
            PolicyType="StepScaling",
            StepScalingPolicyConfiguration={
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": [adj],
                "Cooldown": res.props["cooldown"],
                "MetricAggregationType": "Average",
            },
        )
        return Live(
            "step_policy",
            res.name,
            {"step": res.props["step"], "cooldown": res.props["cooldown"]},
            ctx.stack,
            {"arn": p["PolicyARN"], "name": res.name, "resource_id": _resource_id(ctx)},
        )

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        return self.create(ctx, res)

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("application-autoscaling").delete_scaling_policy(
            PolicyName=live.id, ServiceNamespace=NS, ResourceId=live.outputs["resource_id"], ScalableDimension=DIM
        )

    def owned(self, ctx: Context) -> list[Live]:
        got = ctx.clients("application-autoscaling").describe_scaling_policies(ServiceNamespace=NS)["ScalingPolicies"]
        return [self._live(p) for p in got if p["ResourceId"].startswith(f"service/{ctx.stack}/")]


class Alarm(KindBase):
    """props: metric dimensions (service or cluster), threshold, above, periods, period_s, action (policy key)."""

    mutable = ("threshold", "periods", "period_s")

    def _live(self, ctx: Context, a: dict[str, Any]) -> Live:
        tags = ctx.clients("cloudwatch").list_tags_for_resource(ResourceARN=a["AlarmArn"]).get("Tags", [])
        return Live(
            "alarm",
            a["AlarmName"],
            {"threshold": float(a["Threshold"]), "periods": a["EvaluationPeriods"], "period_s": a["Period"]},
            owner_of(tags),
            {"arn": a["AlarmArn"], "name": a["AlarmName"]},
        )

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = ctx.clients("cloudwatch").describe_alarms(AlarmNames=[res.name])["MetricAlarms"]
        return self._live(ctx, got[0]) if got else None

    def create(self, ctx: Context, res: Resource) -> Live:
        p = res.props
        if p["scope"] == "service":
            dims = [
                {"Name": "ClusterName", "Value": ctx.out("cluster", "name")},
                {"Name": "ServiceName", "Value": ctx.out("service", "name")},
            ]
        else:
            dims = [{"Name": "ClusterName", "Value": ctx.out("cluster", "name")}]
        ctx.clients("cloudwatch").put_metric_alarm(
            AlarmName=res.name,
            Namespace="AWS/ECS",
            MetricName="CPUUtilization",
            Statistic="Average",
            Dimensions=dims,
            Period=p["period_s"],
            EvaluationPeriods=p["periods"],
            Threshold=float(p["threshold"]),
            ComparisonOperator="GreaterThanThreshold" if p["above"] else "LessThanThreshold",
            AlarmActions=[ctx.out(p["action"], "arn")],
            Tags=kv_tags(tags_for(ctx, res.name)),
        )
        found = self.find(ctx, res)
        assert found is not None
        return found

    def update(self, ctx: Context, res: Resource, live: Live, fields: list[str]) -> Live:
        return self.create(ctx, res)

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("cloudwatch").delete_alarms(AlarmNames=[live.id])

    def owned(self, ctx: Context) -> list[Live]:
        got = ctx.clients("cloudwatch").describe_alarms(AlarmNamePrefix=f"{ctx.stack}-")["MetricAlarms"]
        return [lv for lv in (self._live(ctx, a) for a in got) if lv.owner == ctx.stack]
