"""The stack's alert alarms (``ControlPlane.alerts``): PutMetricAlarm with ``Metrics`` (the metrics it
reads and, for a percentage, the math expression over them), every field set, the alerts topic as its
ALARM action; read back into ``AlertAlarmSpec``.

Source: docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html
"""

from __future__ import annotations

from typing import Any

from models.blueprint.alerts import DIMENSION_SOURCES, AlertAlarmSpec, MetricQuery, alert_alarm_prefix
from provision.resources import Context, Live, Resource, tags_for
from provision.services.base import PutKind, kv_tags, owner_of

__all__ = ["AlertAlarm", "alert_spec", "dimension_value"]

#: The id of the expression's result in an alarm's ``Metrics``.
RESULT_ID = "pct"
#: Stage names: the HTTP API's auto-deployed stage, the REST API's deployment stage.
_STAGES = {"http-api": "$default", "rest-api": "prod"}


def dimension_value(ctx: Context, name: str, key: str) -> str:
    """The live value of dimension ``name`` taken from stack resource ``key``."""
    if name == "LoadBalancer":  # app/<name>/<id>, the ARN's resource part
        return str(ctx.out(key, "arn")).split(":loadbalancer/", 1)[1]
    if name == "TargetGroup":  # targetgroup/<name>/<id>
        return str(ctx.out(key, "arn")).rsplit(":", 1)[1]
    if name == "ApiId":
        return str(ctx.out(key, "id"))
    if name == "Stage":
        return _STAGES[key]
    if name == "ApiName":
        return ctx.stack
    return str(ctx.out(key, "name"))  # FunctionName


def _metrics(ctx: Context, spec: AlertAlarmSpec) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {
            "Id": q.id,
            "MetricStat": {
                "Metric": {
                    "Namespace": q.namespace,
                    "MetricName": q.metric_name,
                    "Dimensions": [{"Name": n, "Value": dimension_value(ctx, n, k)} for n, k in q.dimensions],
                },
                "Period": spec.period_s,
                "Stat": q.statistic,
            },
            "ReturnData": spec.expression is None,
        }
        for q in spec.queries
    ]
    if spec.expression is not None:
        out.append({"Id": RESULT_ID, "Expression": spec.expression, "Label": "percent", "ReturnData": True})
    return out


def _shape(metrics: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """``Metrics`` as comparable tuples (what DescribeAlarms returns and what PutMetricAlarm takes)."""
    out: list[tuple[Any, ...]] = []
    for m in metrics:
        stat = m.get("MetricStat")
        if stat is None:
            out.append((m["Id"], m.get("Expression")))
            continue
        metric = stat["Metric"]
        dims = tuple((d["Name"], d["Value"]) for d in metric.get("Dimensions", []))
        out.append((m["Id"], metric["Namespace"], metric["MetricName"], stat["Stat"], stat["Period"], dims))
    return sorted(out, key=lambda t: str(t[0]))


def _fields(a: dict[str, Any]) -> dict[str, Any]:
    return {
        "metrics": _shape(a.get("Metrics", [])),
        "threshold": float(a["Threshold"]),
        "comparison": a["ComparisonOperator"],
        "evaluation_periods": a["EvaluationPeriods"],
        "datapoints_to_alarm": a.get("DatapointsToAlarm") or a["EvaluationPeriods"],
        "treat_missing_data": a.get("TreatMissingData") or "missing",
        "action": (a.get("AlarmActions") or [None])[0],
    }


def alert_spec(key: str, a: dict[str, Any]) -> AlertAlarmSpec:
    """An alarm from DescribeAlarms as an AlertAlarmSpec (dimension values back to the resources they
    come from; the stage from the API it belongs to)."""
    queries, expression, period = [], None, 0
    for m in a.get("Metrics", []):
        stat = m.get("MetricStat")
        if stat is None:
            expression = m.get("Expression")
            continue
        names = [d["Name"] for d in stat["Metric"].get("Dimensions", [])]
        api = "rest-api" if "ApiName" in names else "http-api"
        dims = tuple((n, DIMENSION_SOURCES.get(n, api)) for n in names)
        queries.append(
            MetricQuery(m["Id"], stat["Metric"]["Namespace"], stat["Metric"]["MetricName"], stat["Stat"], dims)
        )
        period = stat["Period"]
    f = _fields(a)
    return AlertAlarmSpec(
        key=key,
        name=a["AlarmName"],
        queries=tuple(queries),
        expression=expression,
        threshold=f["threshold"],
        comparison=f["comparison"],
        period_s=period,
        evaluation_periods=f["evaluation_periods"],
        datapoints_to_alarm=f["datapoints_to_alarm"],
        treat_missing_data=f["treat_missing_data"],
    )


class AlertAlarm(PutKind):
    """props: spec (AlertAlarmSpec). Its action is the alerts topic."""

    mutable = ("metrics", "threshold", "comparison", "evaluation_periods", "datapoints_to_alarm",
               "treat_missing_data", "action")  # fmt: skip

    def desired_props(self, ctx: Context, res: Resource) -> dict[str, Any]:
        spec: AlertAlarmSpec = res.props["spec"]
        return {
            "metrics": _shape(_metrics(ctx, spec)),
            "threshold": float(spec.threshold),
            "comparison": spec.comparison,
            "evaluation_periods": spec.evaluation_periods,
            "datapoints_to_alarm": spec.datapoints_to_alarm,
            "treat_missing_data": spec.treat_missing_data,
            "action": ctx.out("topic", "arn"),
        }

    def _live(self, ctx: Context, a: dict[str, Any]) -> Live:
        tags = ctx.clients("cloudwatch").list_tags_for_resource(ResourceARN=a["AlarmArn"]).get("Tags", [])
        out = {"arn": a["AlarmArn"], "name": a["AlarmName"], "raw": a}
        return Live("alert_alarm", a["AlarmName"], _fields(a), owner_of(tags), out)

    def find(self, ctx: Context, res: Resource) -> Live | None:
        got = ctx.clients("cloudwatch").describe_alarms(AlarmNames=[res.name])["MetricAlarms"]
        got = [a for a in got if a["AlarmName"] == res.name]
        return self._live(ctx, got[0]) if got else None

    def create(self, ctx: Context, res: Resource) -> Live:
        spec: AlertAlarmSpec = res.props["spec"]
        ctx.clients("cloudwatch").put_metric_alarm(
            AlarmName=res.name,
            AlarmDescription=f"{ctx.stack}: {spec.key.removeprefix('alert-')} alert",
            Metrics=_metrics(ctx, spec),
            EvaluationPeriods=spec.evaluation_periods,
            DatapointsToAlarm=spec.datapoints_to_alarm,
            Threshold=float(spec.threshold),
            ComparisonOperator=spec.comparison,
            TreatMissingData=spec.treat_missing_data,
            AlarmActions=[ctx.out("topic", "arn")],
            Tags=kv_tags(tags_for(ctx, res.name)),
        )
        return self.reread(ctx, res)

    def delete(self, ctx: Context, live: Live) -> None:
        ctx.clients("cloudwatch").delete_alarms(AlarmNames=[live.id])

    def owned(self, ctx: Context) -> list[Live]:
        cw = ctx.clients("cloudwatch")
        got = cw.describe_alarms(AlarmNamePrefix=alert_alarm_prefix(ctx.stack))["MetricAlarms"]
        return [lv for lv in (self._live(ctx, a) for a in got) if lv.owner == ctx.stack]
