"""Contract: what ``provision apply`` builds on LocalStack is the blueprint, resource for resource, and
its control plane, field for field; ``status`` reads the control plane back equal.

Asked of the emulator directly (not through the provisioner's kind modules): NAT gateways, Elastic IPs,
load balancers and their zones (public IPv4 addresses), log groups, Cloud Map namespaces and their Route 53
hosted zones, alarms, the launch template's block device mapping and the container instances' root
volumes, every alarm's PutMetricAlarm fields and every policy's configuration. For every example plan
(checked in ``test_localstack_stacks`` right after its apply) and for plans drawn by hypothesis in shapes
covering architecture, front door, launch type, NAT and policy.

What the emulator cannot show is said where it is skipped: Application Auto Scaling (moto) lists the two
alarms a target tracking policy makes but keeps them out of LocalStack's CloudWatch (and with a fixed
threshold), so their names are checked and not their fields; it makes the scale-in alarm even with
DisableScaleIn.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from models import Plan
from models.blueprint import AlarmSpec, Blueprint, RootVolume, blueprint
from models.blueprint.derive_resources import INTERFACE_ENDPOINT_SERVICES
from provision.api import apply_plan, connect, destroy_stack, read_status
from provision.resources import Context
from tests.provision.conftest import relevant, unique

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
UUID = re.compile(r"-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$")
QUIET = lambda line: None  # noqa: E731


def _tagged(items: list[dict[str, Any]], stack: str) -> list[dict[str, Any]]:
    return [i for i in items if {"Key": "tinysim:stack", "Value": stack} in i.get("Tags", [])]


def live_inventory(ctx: Context) -> dict[str, Any]:
    """What exists on the emulator for the stack, asked with plain API calls."""
    n, ec2 = ctx.stack, ctx.clients("ec2")
    flt = [{"Name": "tag:tinysim:stack", "Values": [n]}]
    nats = [g for g in _tagged(ec2.describe_nat_gateways(Filters=flt)["NatGateways"], n) if g["State"] != "deleted"]
    eips = _tagged(ec2.describe_addresses(Filters=flt)["Addresses"], n)
    nat_flt = [*flt, {"Name": "tag:Name", "Values": [f"{n}-nat"]}]
    nat_instances = [
        i
        for r in ec2.describe_instances(Filters=nat_flt)["Reservations"]
        for i in _tagged(r["Instances"], n)
        if i["State"]["Name"] not in ("terminated", "shutting-down")
    ]
    lbs = [
        b
        for b in ctx.clients("elbv2").describe_load_balancers()["LoadBalancers"]
        if b["LoadBalancerName"] == f"{n}-alb"
    ]
    pattern = re.compile(rf"/{re.escape(n)}(/api-access|-build|-release)?$")
    logs = [g["logGroupName"] for g in ctx.clients("logs").describe_log_groups()["logGroups"]]
    spaces = [
        s["Name"] for s in ctx.clients("servicediscovery").list_namespaces()["Namespaces"] if s["Name"] == f"{n}.local"
    ]
    # a private DNS namespace makes a Route 53 private zone of its name (moto names it "<namespace>-hz")
    zones = [
        z
        for z in ctx.clients("route53").list_hosted_zones()["HostedZones"]
        if z["Name"].rstrip(".").removesuffix("-hz") in spaces
    ]
    every_alarm = [
        a["AlarmName"] for a in ctx.clients("cloudwatch").describe_alarms(AlarmNamePrefix=f"{n}-")["MetricAlarms"]
    ]
    alarms = [a for a in every_alarm if not a.startswith(f"{n}-alert-")]
    endpoints = [
        e
        for e in _tagged(ec2.describe_vpc_endpoints(Filters=flt)["VpcEndpoints"], n)
        if e["State"].lower() not in ("deleted", "deleting")
    ]
    return {
        "vpc_endpoint": sorted(e["ServiceName"].split(f".{ctx.region}.", 1)[1] for e in endpoints),
        "endpoint_zones": sum(len(e.get("SubnetIds", [])) for e in endpoints if e["VpcEndpointType"] == "Interface"),
        "nat": len(nats),
        "nat_instance": len(nat_instances),
        "eip": len(eips),
        "alb": [(b["LoadBalancerName"], b["Scheme"]) for b in lbs],
        "public_ipv4": len(eips)
        + sum(len(b["AvailabilityZones"]) for b in lbs)
        + sum(1 for i in nat_instances if i.get("PublicIpAddress")),
        "log_group": sorted(g for g in logs if pattern.search(g)),
        "namespace": spaces,
        "hosted_zone": len(zones),
        "alarm": sorted(alarms),
        "alert_alarm": sorted(a for a in every_alarm if a.startswith(f"{n}-alert-")),
    }


def expected_inventory(bp: Blueprint) -> dict[str, Any]:
    """The same, from the blueprint."""
    res = bp.resources
    kinds = Counter(r.kind for r in res)
    endpoints = kinds["vpc_endpoint"] > 0
    return {
        "vpc_endpoint": sorted([*INTERFACE_ENDPOINT_SERVICES, "s3"]) if endpoints else [],
        "endpoint_zones": sum(b.quantity for r in res for b in r.billed if b.item == "vpc_endpoint"),
        "nat": kinds["nat"],
        "nat_instance": kinds["nat_instance"],
        "eip": kinds["eip"],
        "alb": [(r.name, "internet-facing") for r in res if r.kind == "alb"],
        "public_ipv4": sum(b.quantity for r in res for b in r.billed if b.item == "public_ipv4"),
        "log_group": sorted(r.name for r in res if r.kind == "log_group"),
        "namespace": [r.name for r in res if r.kind == "namespace"],
        "hosted_zone": kinds["hosted_zone"],
        "alarm": sorted(r.name for r in res if r.kind == "alarm" and r.made_by is None),
        "alert_alarm": sorted(r.name for r in res if r.kind == "alert_alarm"),
    }


def root_volumes(ctx: Context, bp: Blueprint) -> None:
    """The launch template maps exactly the blueprint's root volume; every instance the group launched
    (named after the template; a NAT instance has its own) carries it."""
    want = [b.root_volume for r in bp.resources for b in r.billed if b.item == "instance_root_volume"]
    if not want:
        return
    ec2 = ctx.clients("ec2")
    lt = ec2.describe_launch_template_versions(LaunchTemplateName=f"{ctx.stack}-instances", Versions=["$Default"])
    mappings = lt["LaunchTemplateVersions"][0]["LaunchTemplateData"]["BlockDeviceMappings"]
    assert [RootVolume(m["Ebs"]["VolumeType"], m["Ebs"]["VolumeSize"], m["Ebs"]["Encrypted"]) for m in mappings] == want
    flt = [
        {"Name": "tag:tinysim:stack", "Values": [ctx.stack]},
        {"Name": "tag:Name", "Values": [f"{ctx.stack}-instances"]},
    ]
    instances = [i for r in ec2.describe_instances(Filters=flt)["Reservations"] for i in r["Instances"]]
    assert instances, "the group launched no instance"
    for inst in instances:
        ids = [
            m["Ebs"]["VolumeId"] for m in inst["BlockDeviceMappings"] if m["DeviceName"] == mappings[0]["DeviceName"]
        ]
        vols = ec2.describe_volumes(VolumeIds=ids)["Volumes"]
        assert [(v["VolumeType"], v["Size"], v["Encrypted"]) for v in vols] == [
            (want[0].volume_type, want[0].size_gib, want[0].encrypted)
        ]


def alarm_fields(spec: AlarmSpec) -> dict[str, Any]:
    """An alarm spec in DescribeAlarms' words."""
    return {
        "AlarmName": spec.name,
        "Namespace": spec.namespace,
        "MetricName": spec.metric_name,
        "Statistic": spec.statistic,
        "Period": spec.period_s,
        "EvaluationPeriods": spec.evaluation_periods,
        "DatapointsToAlarm": spec.datapoints_to_alarm,
        "Threshold": spec.threshold,
        "ComparisonOperator": spec.comparison,
        "TreatMissingData": spec.treat_missing_data,
        "Dimensions": ["ClusterName", "ServiceName"] if spec.scope == "service" else ["ClusterName"],
    }


def control_as_built(ctx: Context, bp: Blueprint) -> None:
    """Alarms and policies as the APIs describe them, field by field against the control plane."""
    cp, n = bp.control, ctx.stack
    got = ctx.clients("cloudwatch").describe_alarms(AlarmNamePrefix=f"{n}-")["MetricAlarms"]
    got = [a for a in got if not a["AlarmName"].startswith(f"{n}-alert-")]  # the alerts: tests/provision/test_alerts.py
    keys = [k for k in alarm_fields(cp.alarms[0]) if k != "Dimensions"] if cp.alarms else []
    live = {
        a["AlarmName"]: {**{k: a.get(k) for k in keys}, "Dimensions": sorted(d["Name"] for d in a["Dimensions"])}
        for a in got
    }
    stack_alarms = [a for a in cp.alarms if a.managed_by == "stack"]
    assert live == {a.name: alarm_fields(a) for a in stack_alarms}
    aas = ctx.clients("application-autoscaling")
    rid = f"service/{n}/{n}"
    policies = [
        p for p in aas.describe_scaling_policies(ServiceNamespace="ecs")["ScalingPolicies"] if p["ResourceId"] == rid
    ]
    steps = {
        p["PolicyName"]: (
            p["StepScalingPolicyConfiguration"]["StepAdjustments"][0]["ScalingAdjustment"],
            p["StepScalingPolicyConfiguration"]["Cooldown"],
            p["StepScalingPolicyConfiguration"]["AdjustmentType"],
        )
        for p in policies
        if p["PolicyType"] == "StepScaling"
    }
    assert steps == {
        s.name: (s.adjustment, s.cooldown_s, "ChangeInCapacity") for s in cp.step_policies if s.scope == "service"
    }
    tracking = [p for p in policies if p["PolicyType"] == "TargetTrackingScaling"]
    tt = cp.target_tracking
    assert len(tracking) == (tt is not None)
    if tt is not None:
        cfg = tracking[0]["TargetTrackingScalingPolicyConfiguration"]
        metric = cfg["PredefinedMetricSpecification"]
        assert (tracking[0]["PolicyName"], metric["PredefinedMetricType"], cfg["TargetValue"]) == (
            tt.name,
            tt.metric,
            tt.target_value,
        )
        assert (cfg["ScaleOutCooldown"], cfg["ScaleInCooldown"], cfg["DisableScaleIn"]) == (
            tt.scale_out_cooldown_s,
            tt.scale_in_cooldown_s,
            tt.disable_scale_in,
        )
        if tt.metric == "ALBRequestCountPerTarget":  # app/<alb>/<id>/targetgroup/<tg>/<id>
            assert re.fullmatch(rf"app/{n}-alb/[0-9a-f]+/targetgroup/{n}-tg/[0-9a-f]+", metric["ResourceLabel"])
        made = {UUID.sub("", a["AlarmName"]) for a in tracking[0]["Alarms"]}
        managed = {a.name for a in cp.alarms if a.managed_by == "target_tracking"}
        assert managed <= made and (tt.disable_scale_in or managed == made)
    group = ctx.clients("autoscaling")
    if cp.target("cluster") is not None:
        gp = group.describe_policies(AutoScalingGroupName=f"{n}-instances")["ScalingPolicies"]
        assert {p["PolicyName"]: (p["ScalingAdjustment"], p["Cooldown"]) for p in gp} == {
            s.name: (s.adjustment, s.cooldown_s) for s in cp.step_policies if s.scope == "cluster"
        }
        g = group.describe_auto_scaling_groups(AutoScalingGroupNames=[f"{n}-instances"])["AutoScalingGroups"][0]
        target = cp.target("cluster")
        assert target is not None and (g["MinSize"], g["MaxSize"], g["DesiredCapacity"]) == (
            target.min,
            target.max,
            target.desired,
        )
    sched = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=rid)["ScheduledActions"]
    assert sorted(
        (
            a["ScheduledActionName"],
            a["Schedule"],
            a["ScalableTargetAction"]["MinCapacity"],
            a["ScalableTargetAction"]["MaxCapacity"],
        )
        for a in sched
    ) == sorted((a.name, a.schedule, a.min, a.max) for a in cp.scheduled)


def assert_built(plan: Plan) -> None:
    """The live stack of ``plan`` is its blueprint: resources, control plane, and status's read-back."""
    bp = blueprint(plan)
    assert live_inventory(connect(plan)) == expected_inventory(bp)
    root_volumes(connect(plan), bp)
    if plan.architecture == "container":
        control_as_built(connect(plan), bp)
    status = read_status(connect(plan), plan)
    assert status is not None and status.outside_plan == ()
    assert status.plan is not None and relevant(status.plan) == relevant(plan)
    # LocalStack's CloudWatch does not hold the target tracking policy's alarms (see the docstring)
    shown = tuple(a for a in bp.control.alarms if a.managed_by == "stack")
    assert status.control == replace(bp.control, alarms=shown)


def check(plan: Plan) -> None:
    apply_plan(plan, ctx=connect(plan), progress=QUIET)
    try:
        assert_built(plan)
    finally:
        destroy_stack(connect(plan), progress=QUIET)


#: Shapes that together cover both architectures, every front door the provisioner builds, both launch
#: types, each NAT value it builds and each policy (and metric); hypothesis draws everything else.
SHAPES = [
    ("container", "apigw-http", "ec2", "gateway", "step"),
    ("container", "apigw-http", "fargate", "none", "cpu"),
    ("container", "alb", "fargate", "gateway", "step"),
    ("container", "alb", "ec2", "none", "alb_request_count_per_target"),
    ("container", "alb", "ec2", "gateway", "cpu"),
    ("container", "apigw-rest", "ec2", "gateway", "step"),
    ("serverless", "apigw-rest", "fargate", "none", "step"),
    ("serverless", "alb", "ec2", "gateway", "step"),
]


def draw_plan(draw: Any, shape: tuple[str, str, str, str, str]) -> Plan:
    arch, door, launch, nat, policy = shape
    scaling: dict[str, Any] = {"cooldown_s": draw(st.sampled_from([60, 120, 300]))}
    if policy != "step":
        target = draw(st.sampled_from([500.0, 1000.0])) if policy != "cpu" else draw(st.sampled_from([40.0, 75.0]))
        scaling.update(
            policy="target_tracking",
            metric=policy,
            target_value=target,
            scale_out_cooldown_s=draw(st.sampled_from([60, 300])),
            scale_in_cooldown_s=draw(st.sampled_from([60, 300])),
            disable_scale_in=draw(st.booleans()),
        )
    else:
        scaling.update(threshold_pct=draw(st.sampled_from([60.0, 70.0])), step=draw(st.integers(1, 3)))
    if draw(st.booleans()):
        scaling["scheduled"] = [{"name": "peak", "cron": "cron(0 8 ? * MON-FRI *)", "min": 2, "max": 5}]
    instances = draw(st.integers(1, 2))
    data = {
        "architecture": arch,
        "front_door": door,
        "network": {
            "nat": nat,
            "azs": draw(st.sampled_from([2, 3])),
            "vpc_endpoints": arch == "container" and draw(st.booleans()),
        },
        "container": {
            "launch_type": launch,
            "instances": {"min": instances, "max": 4},
            "task": {"cpu_units": 512, "memory_mb": 512 if launch == "ec2" else 1024},
            "tasks": {"min": 1, "max": draw(st.integers(2, 6)), "desired": draw(st.integers(1, 2))},
            "scaling": scaling,
        },
        "pipeline": {"enabled": draw(st.booleans())},
    }
    return unique(Plan.model_validate(data), "h")


@pytest.mark.parametrize("shape", SHAPES, ids=["-".join(s) for s in SHAPES])
@settings(
    max_examples=1,
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # no shrinking: every try is a LocalStack apply
    suppress_health_check=list(HealthCheck),
)
@given(data=st.data())
def test_drawn_plan_builds_its_blueprint(shape: tuple[str, str, str, str, str], data: st.DataObject) -> None:
    check(draw_plan(data.draw, shape))
