"""The stack's alert alarms: CloudWatch alarms on application health that notify the stack's SNS topic.

Part of the control plane (``ControlPlane.alerts``) next to the scaling alarms, but they scale nothing:
the simulation engines read ``ControlPlane.alarms`` only. A percentage alarm is a metric math alarm
(``100 * FILL(errors, 0) / requests``) reading two metrics, and CloudWatch bills an alarm per metric
it reads ("you pay for each metric an alarm evaluates": aws.amazon.com/cloudwatch/pricing/, Alarms), so
each spec bills ``len(queries)`` alarm metrics.

Metrics and dimensions: AWS/ApplicationELB HTTPCode_Target_5XX_Count, RequestCount (LoadBalancer) and
UnHealthyHostCount (TargetGroup, LoadBalancer): docs.aws.amazon.com/elasticloadbalancing/latest/
application/load-balancer-cloudwatch-metrics.html; AWS/ApiGateway 5xx and Count of an HTTP API (ApiId,
Stage): docs.aws.amazon.com/apigateway/latest/developerguide/http-api-metrics.html; 5XXError and Count of
a REST API (ApiName): docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-metrics-and-
dimensions.html; AWS/Lambda Errors and Invocations (FunctionName): docs.aws.amazon.com/lambda/latest/dg/
monitoring-metrics-types.html. HTTPCode_Target_5XX_Count and Errors have no datapoint in a period with
none, hence FILL(..., 0); a period without requests has no datapoint and is not breaching.
"""

from __future__ import annotations

from dataclasses import dataclass

from models.blueprint.control import ComparisonOperator, TreatMissingData
from models.plan import Plan

__all__ = [
    "ALERT_PERIOD_S",
    "DIMENSION_SOURCES",
    "AlertAlarmSpec",
    "MetricQuery",
    "alert_alarm_prefix",
    "alert_alarms",
]

#: Every alert alarm looks at one-minute periods and goes to ALARM when 3 of the last 5 breach (ours:
#: a burst of one bad minute does not page, three bad minutes out of five do).
ALERT_PERIOD_S = 60
ALERT_EVALUATION_PERIODS = 5
ALERT_DATAPOINTS = 3

#: Which stack resource gives each dimension its value (``Stage``: the API's stage, by front door).
DIMENSION_SOURCES = {
    "LoadBalancer": "alb",
    "TargetGroup": "tg",
    "ApiId": "http-api",
    "ApiName": "rest-api",
    "FunctionName": "fn",
}


@dataclass(frozen=True)
class MetricQuery:
    """One metric an alarm reads (PutMetricAlarm ``Metrics[].MetricStat``). ``dimensions`` pairs each
    dimension's name with the key of the stack resource whose live id gives its value."""

    id: str
    namespace: str
    metric_name: str
    statistic: str
    dimensions: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class AlertAlarmSpec:
    """An alert alarm: its metrics, the math expression over them (``None`` for one plain metric), and
    when it fires. Its action is the stack's alerts topic."""

    key: str
    name: str
    queries: tuple[MetricQuery, ...]
    expression: str | None
    threshold: float
    comparison: ComparisonOperator
    period_s: int = ALERT_PERIOD_S
    evaluation_periods: int = ALERT_EVALUATION_PERIODS
    datapoints_to_alarm: int = ALERT_DATAPOINTS
    treat_missing_data: TreatMissingData = "notBreaching"

    @property
    def metrics(self) -> int:
        """Alarm metrics CloudWatch bills for this alarm."""
        return len(self.queries)


def alert_alarm_prefix(plan: Plan | str) -> str:
    """Every alert alarm's name starts with this (the scaling alarms' names never do); ``plan`` is the
    plan or its stack's name."""
    return f"{plan if isinstance(plan, str) else plan.name}-alert-"


def _percent(plan: Plan, key: str, errors: MetricQuery, total: MetricQuery, pct: float) -> AlertAlarmSpec:
    return AlertAlarmSpec(
        key=f"alert-{key}",
        name=f"{alert_alarm_prefix(plan)}{key}",
        queries=(errors, total),
        expression=f"100 * FILL({errors.id}, 0) / {total.id}",
        threshold=pct,
        comparison="GreaterThanThreshold",
    )


def _http_5xx(plan: Plan, pct: float) -> AlertAlarmSpec:
    """5xx answers over requests, at the front door the plan has."""
    dims: tuple[tuple[str, str], ...]
    if plan.front_door == "alb":
        ns, dims = "AWS/ApplicationELB", (("LoadBalancer", "alb"),)
        errors, total = "HTTPCode_Target_5XX_Count", "RequestCount"
    elif plan.front_door == "apigw-http":
        ns, dims = "AWS/ApiGateway", (("ApiId", "http-api"), ("Stage", "http-api"))
        errors, total = "5xx", "Count"
    else:
        ns, dims = "AWS/ApiGateway", (("ApiName", "rest-api"), ("Stage", "rest-api"))
        errors, total = "5XXError", "Count"
    return _percent(
        plan,
        "5xx",
        MetricQuery("errors", ns, errors, "Sum", dims),
        MetricQuery("requests", ns, total, "Sum", dims),
        pct,
    )


def alert_alarms(plan: Plan) -> tuple[AlertAlarmSpec, ...]:
    """The alert alarms of ``plan`` (none without ``plan.alerts``)."""
    a = plan.alerts
    if a is None:
        return ()
    out = []
    if a.http_5xx_pct is not None:
        out.append(_http_5xx(plan, a.http_5xx_pct))
    container = plan.architecture == "container"
    if a.unhealthy_hosts is not None and container and plan.front_door == "alb":
        targets = (("TargetGroup", "tg"), ("LoadBalancer", "alb"))
        out.append(
            AlertAlarmSpec(
                key="alert-unhealthy",
                name=f"{alert_alarm_prefix(plan)}unhealthy",
                queries=(MetricQuery("unhealthy", "AWS/ApplicationELB", "UnHealthyHostCount", "Maximum", targets),),
                expression=None,
                threshold=float(a.unhealthy_hosts),
                comparison="GreaterThanOrEqualToThreshold",
            )
        )
    if a.lambda_errors_pct is not None and not container:
        fn = (("FunctionName", "fn"),)
        out.append(
            _percent(
                plan,
                "lambda-errors",
                MetricQuery("errors", "AWS/Lambda", "Errors", "Sum", fn),
                MetricQuery("invocations", "AWS/Lambda", "Invocations", "Sum", fn),
                a.lambda_errors_pct,
            )
        )
    return tuple(out)
