"""The stack's control plane, derived once from the plan: every CloudWatch alarm with the fields AWS
has, every scaling policy and scheduled action, and the scalable targets' bounds.

The simulator evaluates these alarms and policies (both fidelities), the provisioner creates them and
``status`` reads them back into the same types. Field names follow the AWS APIs (PutMetricAlarm,
PutScalingPolicy, PutScheduledAction, RegisterScalableTarget).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from models.blueprint.alerts import AlertAlarmSpec

__all__ = [
    "TARGET_TRACKING_IN_DATAPOINTS",
    "TARGET_TRACKING_IN_FRACTION",
    "TARGET_TRACKING_OUT_DATAPOINTS",
    "AlarmSpec",
    "ComparisonOperator",
    "ControlPlane",
    "PredefinedMetric",
    "ScalableTargetSpec",
    "ScheduledActionSpec",
    "Scope",
    "StepPolicySpec",
    "TargetTrackingSpec",
    "TreatMissingData",
]

#: Target tracking's managed alarms for ECS: scale out after 3 consecutive one-minute datapoints above
#: the target, scale in after 15 below 90% of it.
#: Source: docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
#: and docs.aws.amazon.com/AmazonECS/latest/developerguide/service-autoscaling-targettracking.html
TARGET_TRACKING_OUT_DATAPOINTS = 3
TARGET_TRACKING_IN_DATAPOINTS = 15
TARGET_TRACKING_IN_FRACTION = 0.9

ComparisonOperator = Literal[
    "GreaterThanThreshold", "GreaterThanOrEqualToThreshold", "LessThanThreshold", "LessThanOrEqualToThreshold"
]
#: How an alarm treats a period without a datapoint (PutMetricAlarm ``TreatMissingData``; AWS's default
#: when the field is not set is ``missing``).
TreatMissingData = Literal["missing", "notBreaching", "breaching", "ignore"]
#: What a policy scales: the ECS service's task count or the EC2 cluster's instances (Auto Scaling group).
Scope = Literal["service", "cluster"]
PredefinedMetric = Literal[
    "ECSServiceAverageCPUUtilization", "ECSServiceAverageMemoryUtilization", "ALBRequestCountPerTarget"
]


@dataclass(frozen=True)
class AlarmSpec:
    """One CloudWatch metric alarm.

    ``managed_by`` says who creates it: ``"stack"`` (the provisioner, PutMetricAlarm) or
    ``"target_tracking"`` (Application Auto Scaling creates and owns it with the policy; both are billed).
    ``policy_key`` is the key of the policy its ALARM action invokes.
    """

    key: str
    name: str
    scope: Scope
    namespace: str
    metric_name: str
    statistic: Literal["Average", "Sum"]
    period_s: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: ComparisonOperator
    treat_missing_data: TreatMissingData
    policy_key: str
    managed_by: Literal["stack", "target_tracking"] = "stack"


@dataclass(frozen=True)
class StepPolicySpec:
    """A step scaling policy with one step: ``adjustment`` (ChangeInCapacity, negative to scale in)
    whenever its alarm is in ALARM, then ``cooldown_s`` (Cooldown) before the next action."""

    key: str
    name: str
    scope: Scope
    adjustment: int
    cooldown_s: int


@dataclass(frozen=True)
class TargetTrackingSpec:
    """A target tracking policy on the service (TargetTrackingScaling with a predefined metric).

    ``resource_label`` is needed for ``ALBRequestCountPerTarget`` (``app/<alb>/<id>/targetgroup/<tg>/<id>``);
    the blueprint leaves it empty and the provisioner fills it from the live load balancer.
    """

    key: str
    name: str
    metric: PredefinedMetric
    target_value: float
    scale_out_cooldown_s: int
    scale_in_cooldown_s: int
    disable_scale_in: bool


@dataclass(frozen=True)
class ScheduledActionSpec:
    """A scheduled action on the service's scalable target: from each time ``schedule`` names (UTC),
    MinCapacity and MaxCapacity become ``min`` and ``max``."""

    name: str
    schedule: str
    min: int
    max: int


@dataclass(frozen=True)
class ScalableTargetSpec:
    """Bounds of what a scope may scale to, and how many it starts with (tasks, or instances)."""

    scope: Scope
    min: int
    max: int
    desired: int


@dataclass(frozen=True)
class ControlPlane:
    """Everything that scales the stack (nothing for a serverless stack: Lambda scales itself), and the
    alert alarms (``alerts``: they notify, they scale nothing)."""

    targets: tuple[ScalableTargetSpec, ...] = ()
    alarms: tuple[AlarmSpec, ...] = ()
    step_policies: tuple[StepPolicySpec, ...] = ()
    target_tracking: TargetTrackingSpec | None = None
    scheduled: tuple[ScheduledActionSpec, ...] = ()
    alerts: tuple[AlertAlarmSpec, ...] = ()

    def target(self, scope: Scope) -> ScalableTargetSpec | None:
        """The scalable target of ``scope``, or ``None`` when the stack has none."""
        return next((t for t in self.targets if t.scope == scope), None)

    def alarms_for(self, scope: Scope) -> tuple[AlarmSpec, ...]:
        return tuple(a for a in self.alarms if a.scope == scope)

    def policy(self, key: str) -> StepPolicySpec | TargetTrackingSpec:
        """The policy with ``key``; raises ``KeyError`` when there is none."""
        for p in self.step_policies:
            if p.key == key:
                return p
        if self.target_tracking is not None and self.target_tracking.key == key:
            return self.target_tracking
        raise KeyError(key)
