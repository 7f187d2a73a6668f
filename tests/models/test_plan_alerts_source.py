"""plan.alerts and plan.pipeline.source: each bad field one line naming field, value and what is allowed
(and the CLI refuses it before any AWS call, exit 1); defaults that do not apply are not refused, so a
plan round-trips through JSON."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from models import Plan
from tests.models.test_plan import problems

ARN = "arn:aws:codeconnections:us-east-1:123456789012:connection/0c1b2a39-8d7e-4f60-9a1b-2c3d4e5f6a7b"
GITHUB = {"provider": "github", "connection_arn": ARN, "repository": "acme/shop"}


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (
            {"alerts": {"lambda_errors_pct": 2}},
            "alerts.lambda_errors_pct=2.0: needs architecture 'serverless'",
        ),
        (
            {"architecture": "serverless", "alerts": {"unhealthy_hosts": 3}},
            "alerts.unhealthy_hosts=3: needs architecture 'container' with front_door 'alb'",
        ),
        ({"alerts": {"http_5xx_pct": 0}}, "alerts.http_5xx_pct=0: must be > 0"),
        ({"alerts": {"email": "ops at example"}}, 'alerts.email="ops at example": must match'),
        ({"alerts": {"page": True}}, "alerts.page: unknown field; allowed: email, http_5xx_pct"),
        (
            {"pipeline": {"source": {"provider": "github", "repository": "acme/shop"}}},
            "pipeline.source.connection_arn=null: is needed with provider 'github'",
        ),
        (
            {"pipeline": {"source": {"provider": "bitbucket"}}},
            'pipeline.source.provider="bitbucket": must be one of',
        ),
        (
            {"pipeline": {"source": {"connection_arn": ARN}}},
            "pipeline.source.connection_arn=\"arn:aws:codeconnections:|: applies to provider 'github' or 'gitlab' only",
        ),
        (
            {"pipeline": {"repository": "shop", "source": GITHUB}},
            "pipeline.repository=\"shop\": names the S3 source; with source.provider 'github' use source.repository",
        ),
        (
            {"pipeline": {"source": {**GITHUB, "repository": "shop"}}},
            'pipeline.source.repository="shop": must match',
        ),
        (
            {"pipeline": {"source": {**GITHUB, "connection_arn": "arn:aws:s3:::bucket"}}},
            'pipeline.source.connection_arn="arn:aws:s3:::bucket": must match',
        ),
        (
            {"region": "eu-west-1", "pipeline": {"source": GITHUB}},
            "pipeline.source.connection_arn=\"arn:aws:codeconnections:|: must be a connection in region 'eu-west-1'",
        ),
    ],
)
def test_each_bad_field_is_one_clear_line(data: dict[str, Any], expected: str, tmp_path: Path) -> None:
    lines = problems(data, tmp_path)
    assert len(lines) == 1, lines
    head, _, tail = expected.partition("|")  # a long value is shortened in the line: its start, then the rule
    assert lines[0].startswith(head) and tail in lines[0], lines[0]


def test_defaults_that_do_not_apply_round_trip() -> None:
    for data in (
        {"architecture": "serverless", "alerts": {}},
        {"front_door": "alb", "alerts": {"email": "ops@example.com"}},
        {"pipeline": {"enabled": False}, "alerts": {"pipeline_failures": True}},
        {"pipeline": {"source": {**GITHUB, "branch": "release"}}},
        {"pipeline": {"source": {**GITHUB, "connection_arn": ARN.replace("codeconnections", "codestar-connections")}}},
    ):
        plan = Plan.model_validate(data)
        assert Plan.model_validate_json(plan.model_dump_json()) == plan


def test_the_provisioner_refuses_a_bad_source_before_any_call(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"pipeline": {"source": {"provider": "gitlab"}}}))
    # an endpoint nothing listens on: a call would fail differently (and slowly)
    env = {"TINYSIM_LOCALSTACK_ENDPOINT": "http://127.0.0.1:9", "PATH": "/usr/bin:/bin"}
    run = subprocess.run(
        [sys.executable, "-m", "provision", "plan", str(path)], capture_output=True, text=True, timeout=60, env=env
    )
    assert run.returncode == 1
    lines = run.stderr.strip().splitlines()
    assert "Traceback" not in run.stderr and len(lines) <= 3, run.stderr
    assert "pipeline.source.connection_arn=null: is needed with provider 'gitlab'" in run.stderr
