"""The same stacks against moto's server, a second emulator independent of LocalStack's providers."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from models import load_plan
from provision.api import apply_plan, connect, destroy_stack, plan_changes, read_status
from tests.provision.conftest import owned, relevant, unique

pytestmark = pytest.mark.localstack  # an emulator the suite starts itself
PLANS = Path(__file__).parents[2] / "examples" / "plans"


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 30
    while True:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1)
            break
        except OSError:
            assert time.time() < deadline and server.poll() is None, "moto server did not start"
            time.sleep(0.3)
    yield url
    server.terminate()
    server.wait(timeout=10)


@pytest.fixture
def moto_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)


@pytest.mark.usefixtures("moto_credentials")
@pytest.mark.parametrize("name", sorted(p.name for p in PLANS.glob("*.json")))
def test_stack_round_trip_on_moto(name: str, moto_endpoint: str) -> None:
    plan = unique(load_plan(PLANS / name), "m")

    def ctx():  # type: ignore[no-untyped-def]
        return connect(plan, target="aws", endpoint_url=moto_endpoint)

    if plan.front_door == "apigw-rest":  # the account's API Gateway logs role, set once per Region as the
        # README says (a fresh moto account has none; LocalStack's has one)
        role = "arn:aws:iam::123456789012:role/apigateway-logs"
        ops = [{"op": "replace", "path": "/cloudwatchRoleArn", "value": role}]
        ctx().clients("apigateway").update_account(patchOperations=ops)
    apply_plan(plan, ctx=ctx(), progress=lambda line: None)
    status = read_status(ctx())
    assert status is not None and status.plan is not None and relevant(status.plan) == relevant(plan)
    assert {c.action for c in plan_changes(plan, ctx())} == {"no-op"}
    destroy_stack(ctx(), progress=lambda line: None)
    assert owned(ctx()) == {}
