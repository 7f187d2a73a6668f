"""The front door's plan fields: ``front_door_throttle`` and ``https``, each refused in one line naming the
field, the value and what is allowed; and what they put in the blueprint."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from models import InputError, Plan, load_plan
from models.blueprint import blueprint
from models.front_door import TLS_POLICY, StageThrottle

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0b1d3c5e-7f9a-4b2d-8c6e-1a3b5c7d9e0f"


def problems(data: Any, tmp_path: Path) -> list[str]:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    with pytest.raises(InputError) as info:
        load_plan(path)
    return list(info.value.problems)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"front_door": "alb", "front_door_throttle": {"rps": 100, "burst": 200}},
            """front_door_throttle={"rps": 100.0, "burst": 200}: needs front_door 'apigw-http' or 'apigw-rest'""",
        ),
        (
            {"front_door": "apigw-rest", "https": {"certificate_arn": CERT}},
            f"https={{\"certificate_arn\": \"{CERT}\"}}: needs front_door 'alb', not 'apigw-rest'",
        ),
        ({"front_door_throttle": {"rps": 0, "burst": 10}}, "front_door_throttle.rps=0: must be > 0"),
        ({"front_door_throttle": {"rps": 10, "burst": 0}}, "front_door_throttle.burst=0: must be >= 1"),
        ({"front_door_throttle": {"rps": 10}}, "front_door_throttle.burst: required"),
        (
            {"front_door": "alb", "https": {"certificate_arn": "arn:aws:iam::123456789012:server-certificate/x"}},
            'https.certificate_arn="arn:aws:iam::123456789012:server-certificate/x": must match',
        ),
    ],
)
def test_each_bad_front_door_field_is_one_clear_line(data: dict[str, Any], expected: str, tmp_path: Path) -> None:
    lines = problems(data, tmp_path)
    assert len(lines) == 1, lines
    assert lines[0].startswith(expected), lines[0]


def _kinds(plan: Plan) -> dict[str, str]:
    return {r.key: r.kind for r in blueprint(plan).resources}


def test_rest_in_front_of_containers_is_an_internal_nlb_a_vpc_link_and_a_usage_plan() -> None:
    plan = Plan.model_validate({"front_door": "apigw-rest", "front_door_throttle": {"rps": 200, "burst": 400}})
    bp = blueprint(plan)
    kinds = _kinds(plan)
    for key, kind in {
        "tg": "target_group",
        "nlb": "nlb",
        "nlb-listener": "listener",
        "rest-vpclink": "rest_vpc_link",
        "rest-api": "rest_api",
        "usage-plan": "usage_plan",
        "log-api": "log_group",
    }.items():
        assert kinds[key] == kind
    assert not {"http-api", "vpclink", "namespace", "namespace-zone", "alb"} & set(kinds)
    nlb = bp.resource("nlb")
    assert [b.item for b in nlb.billed] == ["network_load_balancer"]  # internal: no public address
    assert set(nlb.deps) == {"sg-front", "subnet-private-0", "subnet-private-1"}
    assert "nlb-listener" in bp.resource("service").deps  # the service registers to the NLB's target group
    assert bp.stage_throttle == StageThrottle(200.0, 400)


def test_the_stage_throttle_in_force_is_capped_by_the_account() -> None:
    # The stage asks 200/s burst 400; an account lowered to 150/s burst 1,000 lets 150/s burst 400 through.
    plan = Plan.model_validate({"front_door": "apigw-rest", "front_door_throttle": {"rps": 200, "burst": 400}})
    from models.account import Account

    assert blueprint(plan, Account(apigw_throttle_rps=150.0, apigw_throttle_burst=1000)).api_throttle() == (
        StageThrottle(150.0, 400)
    )
    assert blueprint(Plan()).api_throttle() == StageThrottle(10_000.0, 5_000)  # the account's defaults
    assert blueprint(Plan(front_door="alb")).api_throttle() is None


def test_https_adds_a_listener_only_behind_an_alb() -> None:
    with_https = Plan.model_validate({"front_door": "alb", "https": {"certificate_arn": CERT}})
    assert _kinds(with_https)["listener-https"] == "listener"
    assert "listener-https" not in _kinds(Plan(front_door="alb"))
    assert TLS_POLICY.startswith("ELBSecurityPolicy-TLS13-")
