"""The front doors on a real LocalStack: API Gateway REST in front of containers (internal NLB, its target
group and TCP listener, a REST VPC link, the REST API over it, the stage's throttle and access logs, a usage
plan) and the ALB's HTTPS listener with a certificate imported into ACM: each applied, read back equal by
``status``, re-planned clean, destroyed to nothing, with the security controls asserted on the live
resources (FSBP APIGateway.1/.9, ELB.1, ELB.4) and its monthly cost in ``tinysim bill``."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from models import Plan, load_plan
from models.front_door import TLS_POLICY
from provision import StackCollision, StepFailed
from provision.api import apply_plan, connect
from provision.services.apigw_rest import STAGE
from tests.provision.conftest import owned, relevant, tagged_anywhere, unique
from tests.provision.interrupt import Interrupter

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "provision", *args], capture_output=True, text=True, timeout=600)


def _self_signed(name: str) -> tuple[bytes, bytes]:
    """A self-signed P-256 certificate for ``name`` (PEM) and its key (PEM), valid for a day."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = dt.datetime.now(dt.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
        .sign(key, hashes.SHA256())
    )
    pem_key = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return cert.public_bytes(serialization.Encoding.PEM), pem_key


def _lifecycle(plan: Plan, path: Path) -> Iterator[dict[str, Any]]:
    """Apply, yield the live clients' context, and on the way out destroy and check nothing is left."""
    path.write_text(plan.model_dump_json())
    applied = cli("apply", str(path))
    assert applied.returncode == 0, applied.stdout + applied.stderr
    ctx = connect(plan)
    yield {"ctx": ctx, "path": path, "applied": applied.stdout}
    gone = cli("destroy", str(path), "--json")
    assert gone.returncode == 0, gone.stderr
    assert owned(ctx) == {} and tagged_anywhere(ctx) == []


def _read_back_and_replan(plan: Plan, path: Path) -> None:
    status = cli("status", str(path))
    assert status.returncode == 0, status.stderr
    assert relevant(Plan.model_validate(json.loads(status.stdout)["plan"])) == relevant(plan)
    again = cli("plan", str(path))
    assert again.returncode == 0, again.stdout + again.stderr  # nothing to change


@pytest.fixture(scope="module")
def rest(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    plan = unique(load_plan(PLANS / "seed_container_rest.json"), "rest")
    yield from (dict(s, plan=plan) for s in _lifecycle(plan, tmp_path_factory.mktemp("rest") / "plan.json"))


def test_rest_in_front_of_containers_reads_back_and_replans_clean(rest: dict[str, Any]) -> None:
    _read_back_and_replan(rest["plan"], rest["path"])


def test_the_nlb_is_internal_and_the_rest_api_reaches_it_over_the_vpc_link(rest: dict[str, Any]) -> None:
    ctx, plan = rest["ctx"], rest["plan"]
    elbv2, gw = ctx.clients("elbv2"), ctx.clients("apigateway")
    nlb = elbv2.describe_load_balancers(Names=[f"{plan.name}-nlb"])["LoadBalancers"][0]
    assert (nlb["Type"], nlb["Scheme"]) == ("network", "internal")
    listener = elbv2.describe_listeners(LoadBalancerArn=nlb["LoadBalancerArn"])["Listeners"][0]
    assert (listener["Protocol"], listener["Port"]) == ("TCP", 80)
    tg = elbv2.describe_target_groups(Names=[f"{plan.name}-tg"])["TargetGroups"][0]
    assert (tg["Protocol"], tg["TargetType"]) == ("TCP", "ip")
    service = ctx.clients("ecs").describe_services(cluster=plan.name, services=[plan.name])["services"][0]
    assert service["loadBalancers"][0]["targetGroupArn"] == tg["TargetGroupArn"]
    link = next(v for v in gw.get_vpc_links()["items"] if v["name"] == f"{plan.name}-rest-link")
    assert link["targetArns"] == [nlb["LoadBalancerArn"]]
    api = next(a for a in gw.get_rest_apis()["items"] if a["name"] == plan.name)
    proxy = next(r for r in gw.get_resources(restApiId=api["id"])["items"] if r.get("pathPart") == "{proxy+}")
    integration = gw.get_integration(restApiId=api["id"], resourceId=proxy["id"], httpMethod="ANY")
    assert (integration["type"], integration["connectionType"]) == ("HTTP_PROXY", "VPC_LINK")
    assert integration["connectionId"] == link["id"]
    assert integration["uri"] == f"http://{nlb['DNSName']}/{{proxy}}"


def _assert_stage(ctx: Any, plan: Plan, rps: float, burst: int) -> None:
    gw = ctx.clients("apigateway")
    api = next(a for a in gw.get_rest_apis()["items"] if a["name"] == plan.name)
    stage = gw.get_stage(restApiId=api["id"], stageName=STAGE)
    every = stage["methodSettings"]["*/*"]
    assert (every["throttlingRateLimit"], every["throttlingBurstLimit"]) == (rps, burst)  # APIGateway.1/.9 family
    log = f"arn:aws:logs:{plan.region}:{ctx.account}:log-group:/tinysim/{plan.name}/api-access"
    assert stage["accessLogSettings"]["destinationArn"] == log
    assert "$context.requestId" in stage["accessLogSettings"]["format"]
    groups = ctx.clients("logs").describe_log_groups(logGroupNamePrefix=f"/tinysim/{plan.name}/api-access")
    assert groups["logGroups"][0]["retentionInDays"] == 30
    usage = next(p for p in gw.get_usage_plans()["items"] if p["name"] == f"{plan.name}-usage")
    assert (usage["throttle"]["rateLimit"], usage["throttle"]["burstLimit"]) == (rps, burst)
    assert usage["apiStages"] == [{"apiId": api["id"], "stage": STAGE}]


def test_the_rest_stage_is_throttled_as_the_plan_says_and_logs_every_request(rest: dict[str, Any]) -> None:
    _assert_stage(rest["ctx"], rest["plan"], 200.0, 400)  # examples/plans/seed_container_rest.json


def test_a_changed_throttle_is_drift_and_apply_converges_it(rest: dict[str, Any], tmp_path: Path) -> None:
    plan = Plan.model_validate({**rest["plan"].model_dump(), "front_door_throttle": {"rps": 150.0, "burst": 300}})
    path = tmp_path / "plan.json"
    path.write_text(plan.model_dump_json())
    drift = cli("plan", str(path))
    assert drift.returncode == 2 and "stage_settings" in drift.stdout and "throttle" in drift.stdout, drift.stdout
    assert cli("apply", str(path)).returncode == 0
    _assert_stage(rest["ctx"], plan, 150.0, 300)
    assert cli("plan", str(path)).returncode == 0
    rest["path"].write_text(plan.model_dump_json())  # the module's stack now has this plan
    rest["plan"] = plan


def test_the_serverless_rest_stage_is_throttled_and_logs_too(tmp_path: Path) -> None:
    plan = unique(Plan.model_validate({"architecture": "serverless", "front_door": "apigw-rest"}), "restfn")
    for stack in _lifecycle(plan, tmp_path / "plan.json"):
        _assert_stage(stack["ctx"], plan, 10_000.0, 5_000)  # the account's defaults, explicit on the stage
        _read_back_and_replan(plan, stack["path"])


def test_https_on_the_alb_redirects_http_and_reads_back(tmp_path: Path) -> None:
    base = unique(load_plan(PLANS / "fargate_alb.json"), "tls")
    cert_pem, key_pem = _self_signed(f"{base.name}.example.com")
    acm = connect(base).clients("acm")
    arn = acm.import_certificate(Certificate=cert_pem, PrivateKey=key_pem)["CertificateArn"]
    try:
        plan = Plan.model_validate({**base.model_dump(), "https": {"certificate_arn": arn}})
        for stack in _lifecycle(plan, tmp_path / "plan.json"):
            ctx = stack["ctx"]
            elbv2 = ctx.clients("elbv2")
            alb = elbv2.describe_load_balancers(Names=[f"{plan.name}-alb"])["LoadBalancers"][0]
            assert f"https://{alb['DNSName']}" in stack["applied"]  # the endpoint printed is the HTTPS one
            by_port = {
                li["Port"]: li for li in elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
            }
            https = by_port[443]  # ELB.1: HTTPS with a current TLS policy
            assert (https["Protocol"], https["SslPolicy"]) == ("HTTPS", TLS_POLICY)
            assert https["Certificates"][0]["CertificateArn"] == arn
            assert https["DefaultActions"][0]["Type"] == "forward"
            redirect = by_port[80]["DefaultActions"][0]
            assert redirect["Type"] == "redirect"
            assert redirect["RedirectConfig"]["Protocol"] == "HTTPS" and redirect["RedirectConfig"]["Port"] == "443"
            attrs = elbv2.describe_load_balancer_attributes(LoadBalancerArn=alb["LoadBalancerArn"])["Attributes"]
            assert {"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"} in attrs  # ELB.4
            group = ctx.clients("ec2").describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"][0]
            ports = {p["FromPort"] for p in group["IpPermissions"]}
            assert ports == {80, 443}
            _read_back_and_replan(plan, stack["path"])
            # dropping https closes 443, deletes the HTTPS listener and forwards HTTP again
            stack["path"].write_text(base.model_dump_json())
            assert cli("plan", str(stack["path"])).returncode == 2
            assert cli("apply", str(stack["path"])).returncode == 0
            listeners = elbv2.describe_listeners(LoadBalancerArn=alb["LoadBalancerArn"])["Listeners"]
            assert [(li["Port"], li["DefaultActions"][0]["Type"]) for li in listeners] == [(80, "forward")]
            group = ctx.clients("ec2").describe_security_groups(GroupIds=alb["SecurityGroups"])["SecurityGroups"][0]
            assert {p["FromPort"] for p in group["IpPermissions"]} == {80}
            _read_back_and_replan(base, stack["path"])
    finally:
        acm.delete_certificate(CertificateArn=arn)


def test_a_certificate_that_is_not_there_stops_the_run_before_any_change() -> None:
    plan = unique(load_plan(PLANS / "fargate_alb.json"), "nocert")
    missing = f"arn:aws:acm:{plan.region}:000000000000:certificate/00000000-0000-0000-0000-000000000000"
    plan = Plan.model_validate({**plan.model_dump(), "https": {"certificate_arn": missing}})
    counter = Interrupter()
    with pytest.raises(StepFailed, match=r"https.certificate_arn='arn:aws:acm:.*': not found in us-east-1"):
        apply_plan(plan, ctx=connect(plan, wrap=counter), progress=lambda line: None)
    assert counter.calls == []  # zero changing calls
    assert owned(connect(plan)) == {}


@pytest.mark.parametrize("kind", ["usage_plan", "rest_api", "rest_vpc_link"])
def test_an_untagged_rest_part_named_like_the_stacks_is_refused_before_any_change(kind: str) -> None:
    plan = unique(load_plan(PLANS / "seed_container_rest.json"), f"own{kind[:4]}")
    gw = connect(plan).clients("apigateway")
    if kind == "usage_plan":
        made = gw.create_usage_plan(name=f"{plan.name}-usage")["id"]
        undo = lambda: gw.delete_usage_plan(usagePlanId=made)  # noqa: E731
    elif kind == "rest_api":
        made = gw.create_rest_api(name=plan.name)["id"]
        undo = lambda: gw.delete_rest_api(restApiId=made)  # noqa: E731
    else:
        target = f"arn:aws:elasticloadbalancing:{plan.region}:000000000000:loadbalancer/net/other/0123456789abcdef"
        made = gw.create_vpc_link(name=f"{plan.name}-rest-link", targetArns=[target])["id"]
        undo = lambda: gw.delete_vpc_link(vpcLinkId=made)  # noqa: E731
    try:
        counter = Interrupter()
        with pytest.raises(StackCollision, match=f"{kind} .* belongs to nobody"):
            apply_plan(plan, ctx=connect(plan, wrap=counter), progress=lambda line: None)
        assert counter.calls == []  # zero changing calls
    finally:
        undo()
