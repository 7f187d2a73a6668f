"""The alerts' resources: a customer managed KMS key for the topic, the SNS topic (and its e-mail
subscription), the alert alarms, and the EventBridge rule on pipeline and build failures.

The topic is encrypted with a key of the stack's own because CloudWatch alarms and EventBridge can
publish to an encrypted topic only when the key's policy lets their service principals use it, and the
AWS managed key ``alias/aws/sns`` has a policy nobody can change ("Enable compatibility between event
sources from AWS services and encrypted topics": docs.aws.amazon.com/sns/latest/dg/sns-key-management.html).
Billed: the key ($1 a month: aws.amazon.com/kms/pricing/) and each alarm per metric it reads. Not billed:
the topic (SNS charges requests and deliveries, and a month's alerts stay inside its always-free 1 million
requests and 1,000 e-mails: aws.amazon.com/sns/pricing/) and the rule (events AWS services send to the
default event bus, and their delivery to targets, are free: aws.amazon.com/eventbridge/pricing/).
"""

from __future__ import annotations

from models.blueprint.alerts import alert_alarms
from models.blueprint.resources import Billed, StackResource
from models.plan import Plan

__all__ = ["alert_resources", "pipeline_rule_name", "topic_name"]


def topic_name(plan: Plan) -> str:
    return f"{plan.name}-alerts"


def pipeline_rule_name(plan: Plan) -> str:
    return f"{plan.name}-pipeline-failures"


def alert_resources(plan: Plan) -> list[StackResource]:
    """The alerts' resources of ``plan`` (none without ``plan.alerts``)."""
    if plan.alerts is None:
        return []
    key = StackResource("alerts-key", "kms_key", f"alias/{plan.name}-alerts", (), (Billed("kms_key"),))
    out = [key, StackResource("topic", "topic", topic_name(plan), ("alerts-key",))]
    for spec in alert_alarms(plan):
        deps = ("topic", *dict.fromkeys(k for q in spec.queries for _, k in q.dimensions))
        out.append(StackResource(spec.key, "alert_alarm", spec.name, deps, (Billed("alarm", spec.metrics),)))
    if plan.alerts.pipeline_failures and plan.pipeline.enabled:
        out.append(StackResource("pipeline-rule", "event_rule", pipeline_rule_name(plan), ("topic", "pipeline")))
    return out
