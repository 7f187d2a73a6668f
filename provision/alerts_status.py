"""The live alerts read back: the alert alarms as ``AlertAlarmSpec`` (the control plane's ``alerts``),
and ``plan.alerts`` in the plan's own terms (a field whose alarm the stack could not have is left out,
so that it reads back as the plan's default)."""

from __future__ import annotations

from typing import Any

from models.blueprint import AlertAlarmSpec, Blueprint
from models.blueprint.alerts import alert_alarm_prefix
from provision.resources import Context, Resource
from provision.services.alert_alarms import AlertAlarm, alert_spec
from provision.services.events import EventRule
from provision.services.notify import Topic

__all__ = ["alerts_fields", "read_alerts"]


def read_alerts(ctx: Context, bp: Blueprint) -> tuple[AlertAlarmSpec, ...]:
    """The stack's live alert alarms, in the blueprint's order (``bp`` lends keys and order)."""
    keys = {r.name: r.key for r in bp.resources if r.kind == "alert_alarm"}
    order = {r.name: i for i, r in enumerate(bp.resources)}
    lives = sorted(AlertAlarm().owned(ctx), key=lambda lv: (order.get(lv.id, len(order)), lv.id))
    return tuple(alert_spec(keys.get(lv.id, lv.id), lv.outputs["raw"]) for lv in lives)


def alerts_fields(ctx: Context, data: dict[str, Any]) -> dict[str, Any] | None:
    """``plan.alerts`` of the live stack (``data``: the plan fields read so far), None without a topic."""
    name = ctx.stack
    topic = Topic().find(ctx, Resource("topic", "topic", f"{name}-alerts"))
    if topic is None or topic.owner != name:
        return None
    emails = topic.props["email"]
    out: dict[str, Any] = {"email": emails[0] if len(emails) == 1 else None}
    by_name = {lv.id.removeprefix(alert_alarm_prefix(name)): lv for lv in AlertAlarm().owned(ctx)}
    container = data.get("architecture", "container") == "container"
    front = data.get("front_door", "apigw-http")

    def threshold(key: str) -> float | None:
        live = by_name.get(key)
        return float(live.props["threshold"]) if live is not None else None

    out["http_5xx_pct"] = threshold("5xx")
    if container and front == "alb":
        hosts = threshold("unhealthy")
        out["unhealthy_hosts"] = int(hosts) if hosts is not None else None
    if not container:
        out["lambda_errors_pct"] = threshold("lambda-errors")
    if data.get("pipeline", {}).get("enabled"):
        rule = EventRule().find(ctx, Resource("event_rule", "event_rule", f"{name}-pipeline-failures"))
        out["pipeline_failures"] = rule is not None and rule.owner == name
    return out
