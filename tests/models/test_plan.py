"""plan.json: the seed's defaults, every kind of bad field reported with path, value and rule."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from models import InputError, Plan, load_plan
from models.validation import validate


def problems(data: Any, tmp_path: Path) -> list[str]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as info:
        load_plan(path)
    return list(info.value.problems)


def test_defaults_are_the_seed_stack() -> None:
    plan = Plan()
    assert plan.architecture == "container" and plan.front_door == "apigw-http"
    c = plan.container
    assert (c.launch_type, c.instance_type, c.instances.min) == ("ec2", "t3.micro", 1)
    assert (c.tasks.min, c.tasks.desired, c.tasks.max) == (1, 1, 5)
    s = c.scaling
    assert (s.metric, s.threshold_pct, s.period_s, s.evaluation_periods, s.step) == ("cpu", 70, 60, 5, 1)


def test_round_trip_through_json(tmp_path: Path) -> None:
    plan = Plan(name="shop", front_door="alb", tags={"team": "web"})
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    assert load_plan(path) == plan


def test_min_above_max_names_both(tmp_path: Path) -> None:
    assert problems({"container": {"tasks": {"max": 0}}}, tmp_path) == [
        "container.tasks.max=0: must be >= container.tasks.min (1)"
    ]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"architecture": "vm"}, "architecture=\"vm\": must be one of 'container' or 'serverless'"),
        ({"name": "Bad_Name"}, 'name="Bad_Name": must match'),
        ({"container": {"tasks": {"min": -1}}}, "container.tasks.min=-1: must be >= 0"),
        (
            {"container": {"task": {"cpu_units": "lots"}}},
            'container.task.cpu_units="lots": must be an integer from 128',
        ),
        ({"container": {"taks": {}}}, "container.taks: unknown field; allowed: instance_type, instances,"),
        ({"network": {"vpc_cidr": "10.0.0.1/16"}}, 'network.vpc_cidr="10.0.0.1/16": must be an IPv4 network'),
        ({"front_door": "alb", "network": {"azs": 1}}, "network.azs=1: must be >= 2 when front_door is 'alb'"),
        ({"container": {"instance_type": "x1.huge"}}, 'container.instance_type="x1.huge": must be one of'),
        (
            {"container": {"task": {"memory_mb": 2048}}},
            "container.task.memory_mb=2048: must be <= 896 to fit on a t3.micro",
        ),
        (
            {"container": {"launch_type": "fargate", "task": {"cpu_units": 256, "memory_mb": 4096}}},
            "container.task.memory_mb=4096: must be 512..2048 in steps of 512 for 256 CPU units on Fargate",
        ),
        ({"container": {"scaling": {"period_s": 45}}}, "container.scaling.period_s=45: must be 10, 30 or a positive"),
        (
            {"container": {"scaling": {"scale_in_threshold_pct": 80}}},
            "container.scaling.scale_in_threshold_pct=80.0: must be < container.scaling.threshold_pct (70)",
        ),
        (
            {"serverless": {"reserved_concurrency": 2, "provisioned_concurrency": 3}},
            "serverless.provisioned_concurrency=3: must be <= serverless.reserved_concurrency (2)",
        ),
        ({"version": 2}, "version=2: must be 1"),
        ({"network": {"nat_instance_type": "t9.huge"}}, 'network.nat_instance_type="t9.huge": must be one of'),
        (
            {"network": {"existing_subnets": {"public": ["subnet-0123abcd"]}}},
            'network.existing_subnets="set": needs network.existing_vpc_id',
        ),
        (
            {"network": {"existing_vpc_id": "vpc-0123abcd", "existing_subnets": {"private": ["subnet-1"]}}},
            'network.existing_subnets.private[0]="subnet-1": must match',
        ),
        (
            {"network": {"existing_vpc_id": "vpc-0123abcd", "vpc_cidr": "10.1.0.0/16"}},
            'network.vpc_cidr="10.1.0.0/16": must be left out with existing_vpc_id',
        ),
        (
            {"network": {"existing_vpc_id": "vpc-0123abcd", "nat_instance_type": "t3.nano"}},
            'network.nat_instance_type="t3.nano": must be left out with existing_vpc_id',
        ),
        (
            {
                "network": {
                    "existing_vpc_id": "vpc-0123abcd",
                    "existing_subnets": {"public": ["subnet-0123abcd"], "private": ["subnet-0123abcd"]},
                }
            },
            'network.existing_subnets.private="subnet-0123abcd": a subnet cannot be both public and private',
        ),
        (
            {
                "network": {
                    "existing_vpc_id": "vpc-0123abcd",
                    "existing_subnets": {"public": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef0"]},
                }
            },
            'network.existing_subnets.public[1]="subnet-0123456789abcdef0": listed twice (also public[0])',
        ),
        (
            {"front_door": "alb", "network": {"azs": 1, "existing_vpc_id": "vpc-0123abcd"}},
            "network.azs=1: must be >= 2 when front_door is 'alb'",
        ),
    ],
)
def test_each_bad_field_is_one_clear_line(data: dict[str, Any], expected: str, tmp_path: Path) -> None:
    lines = problems(data, tmp_path)
    assert len(lines) == 1, lines
    assert lines[0].startswith(expected), lines[0]


def test_all_problems_at_once(tmp_path: Path) -> None:
    lines = problems(
        {
            "architecture": "vm",
            "front_door": "cdn",
            "serverless": {"memory_mb": 64},
            "pipeline": {"enabled": "sometimes"},
        },
        tmp_path,
    )
    assert [line.split("=")[0] for line in lines] == [
        "architecture",
        "front_door",
        "serverless.memory_mb",
        "pipeline.enabled",
    ]


def test_malformed_and_missing_files(tmp_path: Path) -> None:
    bad = tmp_path / "plan.json"
    bad.write_text('{"name": "x",}')
    with pytest.raises(InputError, match=r"malformed JSON at line 1 column 14"):
        load_plan(bad)
    with pytest.raises(InputError, match="file not found"):
        load_plan(tmp_path / "nope.json")
    bad.write_text("[1, 2]")
    with pytest.raises(InputError, match=r"\(top level\)=\[1, 2\]: must be a JSON object"):
        load_plan(bad)


@pytest.mark.parametrize(
    ("field", "value"),
    [("target_value", 50), ("disable_scale_in", True), ("scale_out_cooldown_s", 60), ("scale_in_cooldown_s", 60)],
)
def test_target_tracking_fields_are_refused_with_a_step_policy(field: str, value: object) -> None:
    """A step policy does not read them: given, they were silently ignored."""
    with pytest.raises(InputError, match=rf"container.scaling.{field}=.*: applies to policy 'target_tracking' only"):
        validate(Plan, {"container": {"scaling": {field: value}}})
