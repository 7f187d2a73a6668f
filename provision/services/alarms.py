"""CloudWatch metric alarms of the stack, created from their blueprint spec with every PutMetricAlarm
field set (``TreatMissingData`` and ``DatapointsToAlarm`` included, so AWS's defaults never decide), and
read back into the same fields.

Source: docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
"""

from __future__ import annotations

from typing import Any

from models.blueprint import AlarmSpec
from models.blueprint.alerts import alert_alarm_prefix
from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import PutKind, kv_tags, owner_of

__all__ = ["ALARM_FIELDS", "Alarm", "alarm_fields"]

#: The alarm's fields as PutMetricAlarm / DescribeAlarms name them, by AlarmSpec field.
ALARM_FIELDS = {
    "namespace": "Namespace",
    "metric_name": "MetricName",
    "statistic": "Statistic",
    "period_s": "Period",
    "evaluation_periods": "EvaluationPeriods",
    "datapoints_to_alarm": "DatapointsToAlarm",
    "threshold": "Threshold",
    "comparison": "ComparisonOperator",
    "treat_missing_data": "TreatMissingData",
}


def alarm_fields(a: dict[str, Any]) -> dict[str, Any]:
    """An alarm from DescribeAlarms as AlarmSpec's fields (AWS's defaults where a field is absent:
    DatapointsToAlarm = EvaluationPeriods, TreatMissingData = missing)."""
    out = {field: a.get(api) for field, api in ALARM_FIELDS.items()}
    out["threshold"] = float(a["Threshold"])
    out["datapoints_to_alarm"] = a.get("DatapointsToAlarm") or a["EvaluationPeriods"]
    out["treat_missing_data"] = a.get("TreatMissingData") or "missing"
    out["dimensions"] = sorted(d["Name"] for d in a.get("Dimensions", []))
    return out


class Alarm(PutKind):
    """props: spec (AlarmSpec). Its dimensions follow its scope (the service, or the cluster); its
    action is the ARN of the policy ``spec.policy_key``."""

    mutable = (*ALARM_FIELDS, "dimensions", "action")

    def _dimensions(self, ctx: Context, spec: AlarmSpec) -> list[dict[str, str]]:
        dims = [{"Name": "ClusterName", "Value": ctx.out("cluster", "name")}]
        if spec.scope == "service":
            dims.append({"Name": "ServiceName", "Value": ctx.out("service", "name")})
        return dims

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        spec: AlarmSpec = res.props["spec"]
        want = {field: getattr(spec, field) for field in ALARM_FIELDS}
        want["threshold"] = float(spec.threshold)
        want["dimensions"] = sorted(d["Name"] for d in self._dimensions(ctx, spec))
        want["action"] = ctx.out(spec.policy_key, "arn")
        return want

    def _live(self, ctx: Context, a: dict[str, Any]) -> Live:
        tags = ctx.clients("cloudwatch").list_tags_for_resource(ResourceARN=a["AlarmArn"]).get("Tags", [])
        props = {**alarm_fields(a), "action": (a.get("AlarmActions") or [None])[0]}
        return Live("alarm", a["AlarmName"], props, owner_of(tags), {"arn": a["AlarmArn"], "name": a["AlarmName"]})

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = ctx.clients("cloudwatch").describe_alarms(AlarmNames=[res.name])["MetricAlarms"]
        got = [a for a in got if a["AlarmName"] == res.name]
        return self._live(ctx, got[0]) if got else None

    def create(self, ctx: Context, res: Resource) -> Live:
        spec: AlarmSpec = res.props["spec"]
        ctx.clients("cloudwatch").put_metric_alarm(
            AlarmName=res.name,
            Namespace=spec.namespace,
            MetricName=spec.metric_name,
            Statistic=spec.statistic,
            Dimensions=self._dimensions(ctx, spec),
            Period=spec.period_s,
            EvaluationPeriods=spec.evaluation_periods,
            DatapointsToAlarm=spec.datapoints_to_alarm,
            Threshold=float(spec.threshold),
            ComparisonOperator=spec.comparison,
            TreatMissingData=spec.treat_missing_data,
            AlarmActions=[ctx.out(spec.policy_key, "arn")],
            Tags=kv_tags(tags_for(ctx, res.name)),
        )
        return self.reread(ctx, res)

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("cloudwatch").delete_alarms(AlarmNames=[live.id])

    def owned(self, ctx: Context) -> list[Live]:
        got = ctx.clients("cloudwatch").describe_alarms(AlarmNamePrefix=f"{ctx.stack}-")["MetricAlarms"]
        alerts = alert_alarm_prefix(ctx.stack)  # the alert alarms are their own kind (AlertAlarm)
        scaling = [a for a in got if not a["AlarmName"].startswith(alerts)]
        return [lv for lv in (self._live(ctx, a) for a in scaling) if lv.owner == ctx.stack]
