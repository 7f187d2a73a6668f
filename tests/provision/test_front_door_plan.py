"""The front door's plan fields at the provisioner's command line: refused in one line each, before any
AWS client exists; and an HTTPS listener adds nothing to the month's bill."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from models import Plan, load_plan, load_price_book
from provision.cli import main as provision_main
from provision.graph import resources_for
from tinysim.costs import price_usage
from tinysim.steady import SteadyLoad, steady_usage

PLANS = Path(__file__).parents[2] / "examples" / "plans"
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0b1d3c5e-7f9a-4b2d-8c6e-1a3b5c7d9e0f"


def test_front_door_fields_are_refused_before_any_aws_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    import provision.session as session

    real_init = session.Clients.__init__

    def spy(self: Any, *args: Any, **kwargs: Any) -> None:
        calls.append("clients")
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(session.Clients, "__init__", spy)
    path = tmp_path / "plan.json"
    path.write_text(
        '{"front_door": "alb", "front_door_throttle": {"rps": 100, "burst": 200}, '
        '"https": {"certificate_arn": "arn:aws:acm:us-east-1:1:certificate/x"}}'
    )
    assert provision_main(["apply", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        'provision: https.certificate_arn="arn:aws:acm:us-east-1:1:certificate/x": must match '
        "'^arn:aws(-cn|-us-gov)?:acm:[a-z0-9-]+:[0-9]{12}:certificate/[0-9a-f-]{1,64}$'"
    ]
    path.write_text(json.dumps({"https": {"certificate_arn": CERT}}))
    assert provision_main(["plan", str(path)]) == 1
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert (
        line.startswith('provision: https={"certificate_arn": ') and "needs front_door 'alb', not 'apigw-http'" in line
    )
    assert calls == []


def test_the_http_listener_redirects_once_https_is_on() -> None:
    plan = Plan.model_validate(
        {**load_plan(PLANS / "fargate_alb.json").model_dump(), "https": {"certificate_arn": CERT}}
    )
    by_key = {r.key: r for r in resources_for(plan, ["a", "b"])}
    assert by_key["listener"].props["action"] == "redirect"
    assert by_key["listener-https"].props["certificate"] == CERT
    assert (443, "0.0.0.0/0") in by_key["sg-front"].props["ingress"]
    plain = {r.key: r for r in resources_for(load_plan(PLANS / "fargate_alb.json"), ["a", "b"])}
    assert plain["listener"].props["action"] == "forward" and "listener-https" not in plain
    assert plain["sg-front"].props["ingress"] == [(80, "0.0.0.0/0")]


def test_https_adds_nothing_to_the_bill() -> None:
    # ELB pricing (aws.amazon.com/elasticloadbalancing/pricing/) charges ALB-hours and LCUs; a listener or a
    # certificate from ACM (aws.amazon.com/certificate-manager/pricing/: public certificates are free) adds
    # nothing, so the month costs the same to the cent.
    base = load_plan(PLANS / "fargate_alb.json")
    https = Plan.model_validate({**base.model_dump(), "https": {"certificate_arn": CERT}})
    book = load_price_book("aws-us-east-1-2026-09")
    a, b = (price_usage(steady_usage(p, SteadyLoad(1_000_000)), book) for p in (base, https))
    assert a.total_usd == b.total_usd > Decimal(0)


def test_rest_stops_before_any_change_without_the_accounts_logs_role() -> None:
    # An account whose API Gateway settings carry no CloudWatch Logs role (a fresh account): the REST API is
    # read with the rest of the stack, and that read stops the run with one line saying how to set it.
    import boto3
    from botocore.stub import Stubber

    from provision import StepFailed
    from provision.resources import Context, Resource
    from provision.services.apigw_rest import RestApi

    gw = boto3.client("apigateway", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="x")
    ctx = Context(lambda name: gw, "s", "us-east-1", {})
    with Stubber(gw) as stub:
        stub.add_response("get_account", {"throttleSettings": {"burstLimit": 5000, "rateLimit": 10000.0}})
        with pytest.raises(StepFailed, match=r"no CloudWatch Logs role in us-east-1.*update-account"):
            RestApi().find(ctx, Resource("rest-api", "rest_api", "s"))
        stub.assert_no_pending_responses()
    with Stubber(gw) as stub:  # status reads a stack back without the check
        stub.add_response("get_rest_apis", {"items": []}, {"limit": 500})
        assert RestApi(check_logs_role=False).find(ctx, Resource("rest-api", "rest_api", "s")) is None
