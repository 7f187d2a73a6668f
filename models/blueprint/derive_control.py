"""The plan's control plane: alarms, scaling policies, scheduled actions and scalable targets.

The seed's step rule (two service alarms on average CPU, one task in or out per action; for the EC2
launch type the same pair on the cluster's CPU, one instance in or out) or a target tracking policy,
plus the plan's scheduled actions. Names are the ones the provisioner gives them in AWS.
"""

from __future__ import annotations

from models.blueprint.alerts import alert_alarms
from models.blueprint.control import (
    TARGET_TRACKING_IN_DATAPOINTS,
    TARGET_TRACKING_IN_FRACTION,
    TARGET_TRACKING_OUT_DATAPOINTS,
    AlarmSpec,
    ControlPlane,
    PredefinedMetric,
    ScalableTargetSpec,
    ScheduledActionSpec,
    Scope,
    StepPolicySpec,
    TargetTrackingSpec,
    TreatMissingData,
)
from models.instances import INSTANCE_TYPES
from models.plan import Plan, Scaling

__all__ = [
    "STEP_TREAT_MISSING_DATA",
    "control_plane",
    "initial_instances",
    "tasks_per_instance",
    "tracking_alarm_prefix",
]

#: The step alarms count a period without a CPU datapoint (no task or instance reporting) as not
#: breaching: no scaling on missing data, and the alarm returns to OK. Set explicitly on the alarm:
#: AWS's default, ``missing``, would leave it in its previous state.
STEP_TREAT_MISSING_DATA: TreatMissingData = "notBreaching"

PREDEFINED: dict[str, PredefinedMetric] = {
    "cpu": "ECSServiceAverageCPUUtilization",
    "memory": "ECSServiceAverageMemoryUtilization",
    "alb_request_count_per_target": "ALBRequestCountPerTarget",
}


def _step_alarms(plan: Plan, scope: Scope, prefix: str, out_key: str, in_key: str) -> tuple[AlarmSpec, ...]:
    sc = plan.container.scaling
    common = {"scope": scope, "namespace": "AWS/ECS", "metric_name": "CPUUtilization", "statistic": "Average"}
    return (
        AlarmSpec(
            key=f"alarm-{scope}-high",
            name=f"{plan.name}-{prefix}cpu-high",
            period_s=sc.period_s,
            evaluation_periods=sc.evaluation_periods,
            datapoints_to_alarm=sc.evaluation_periods,
            threshold=sc.threshold_pct,
            comparison="GreaterThanThreshold",
            treat_missing_data=STEP_TREAT_MISSING_DATA,
            policy_key=out_key,
            **common,  # type: ignore[arg-type]
        ),
        AlarmSpec(
            key=f"alarm-{scope}-low",
            name=f"{plan.name}-{prefix}cpu-low",
            period_s=sc.period_s,
            evaluation_periods=sc.scale_in_evaluation_periods,
            datapoints_to_alarm=sc.scale_in_evaluation_periods,
            threshold=sc.scale_in_threshold_pct,
            comparison="LessThanThreshold",
            treat_missing_data=STEP_TREAT_MISSING_DATA,
            policy_key=in_key,
            **common,  # type: ignore[arg-type]
        ),
    )


def tracking_alarm_prefix(plan: Plan) -> str:
    """How Application Auto Scaling names a target tracking policy's alarms on the plan's ECS service:
    ``TargetTracking-service/<cluster>/<service>-AlarmHigh-<uuid>`` (and ``-AlarmLow-<uuid>``); the
    blueprint names them without the UUID AWS appends."""
    return f"TargetTracking-service/{plan.name}/{plan.name}"


def _target_tracking(plan: Plan, sc: Scaling) -> tuple[TargetTrackingSpec, tuple[AlarmSpec, ...]]:
    assert sc.target_value is not None  # the plan's validation requires it with target tracking
    policy = TargetTrackingSpec(
        key="policy-target",
        name=f"{plan.name}-target",
        metric=PREDEFINED[sc.metric],
        target_value=sc.target_value,
        scale_out_cooldown_s=sc.scale_out_cooldown_s,
        scale_in_cooldown_s=sc.scale_in_cooldown_s,
        disable_scale_in=sc.disable_scale_in,
    )
    if sc.metric == "alb_request_count_per_target":
        namespace, metric, statistic = "AWS/ApplicationELB", "RequestCountPerTarget", "Sum"
    else:
        namespace, metric, statistic = "AWS/ECS", "CPUUtilization", "Average"
    # Application Auto Scaling creates these with the policy; TreatMissingData is left at AWS's default
    common = {
        "scope": "service",
        "namespace": namespace,
        "metric_name": metric,
        "statistic": statistic,
        "period_s": 60,
        "treat_missing_data": "missing",
        "policy_key": policy.key,
        "managed_by": "target_tracking",
    }
    alarms = [
        AlarmSpec(
            key="alarm-target-high",
            name=f"{tracking_alarm_prefix(plan)}-AlarmHigh",
            evaluation_periods=TARGET_TRACKING_OUT_DATAPOINTS,
            datapoints_to_alarm=TARGET_TRACKING_OUT_DATAPOINTS,
            threshold=sc.target_value,
            comparison="GreaterThanThreshold",
            **common,  # type: ignore[arg-type]
        )
    ]
    if not sc.disable_scale_in:  # with scale-in disabled no low alarm is created
        alarms.append(
            AlarmSpec(
                key="alarm-target-low",
                name=f"{tracking_alarm_prefix(plan)}-AlarmLow",
                evaluation_periods=TARGET_TRACKING_IN_DATAPOINTS,
                datapoints_to_alarm=TARGET_TRACKING_IN_DATAPOINTS,
                threshold=sc.target_value * TARGET_TRACKING_IN_FRACTION,
                comparison="LessThanThreshold",
                **common,  # type: ignore[arg-type]
            )
        )
    return policy, tuple(alarms)


def tasks_per_instance(plan: Plan) -> int:
    """How many of the plan's tasks fit on one container instance (CPU units and memory)."""
    itype = INSTANCE_TYPES[plan.container.instance_type]
    task = plan.container.task
    return max(1, min(itype.cpu_units // task.cpu_units, itype.task_memory_mib // task.memory_mb))


def initial_instances(plan: Plan) -> int:
    """Container instances the cluster starts with: its minimum, or enough for the desired tasks."""
    return max(plan.container.instances.min, -(-plan.container.tasks.desired // tasks_per_instance(plan)))


def control_plane(plan: Plan) -> ControlPlane:
    """The control plane of ``plan``'s stack (only its alert alarms for a serverless stack)."""
    if plan.architecture != "container":
        return ControlPlane(alerts=alert_alarms(plan))
    c, sc = plan.container, plan.container.scaling
    targets = [ScalableTargetSpec("service", c.tasks.min, c.tasks.max, c.tasks.desired)]
    alarms: list[AlarmSpec] = []
    steps: list[StepPolicySpec] = []
    tracking: TargetTrackingSpec | None = None
    if sc.policy == "step":
        steps += [
            StepPolicySpec("policy-service-out", f"{plan.name}-out", "service", sc.step, sc.cooldown_s),
            StepPolicySpec("policy-service-in", f"{plan.name}-in", "service", -sc.step, sc.cooldown_s),
        ]
        alarms += _step_alarms(plan, "service", "", "policy-service-out", "policy-service-in")
    else:
        tracking, managed = _target_tracking(plan, sc)
        alarms += managed
    if c.launch_type == "ec2":  # the cluster's instances follow its CPU with the seed's step rule
        targets.append(ScalableTargetSpec("cluster", c.instances.min, c.instances.max, initial_instances(plan)))
        steps += [
            StepPolicySpec("policy-cluster-out", f"{plan.name}-instances-out", "cluster", 1, sc.cooldown_s),
            StepPolicySpec("policy-cluster-in", f"{plan.name}-instances-in", "cluster", -1, sc.cooldown_s),
        ]
        alarms += _step_alarms(plan, "cluster", "cluster-", "policy-cluster-out", "policy-cluster-in")
    scheduled = tuple(ScheduledActionSpec(a.name, a.cron, a.min, a.max) for a in sc.scheduled)
    return ControlPlane(tuple(targets), tuple(alarms), tuple(steps), tracking, scheduled, alert_alarms(plan))
