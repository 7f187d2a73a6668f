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
CERT = "arn:aws:acm:us-east-1:123456789012:certificate/0b1d3c5e-7f9a-4b2d-8c6e-1a3b5c7d9e0f"


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
        ({"alerts": {"email": "ops at example"}}, 'alerts.email="ops at example": must be an e-mail address'),
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
            'pipeline.source.repository="shop": must be owner/name for GitHub (1 parts given',
        ),
        (
            {"pipeline": {"source": {**GITHUB, "connection_arn": "arn:aws:s3:::bucket"}}},
            'pipeline.source.connection_arn="arn:aws:s3:::bucket": must match',
        ),
        (
            {"region": "eu-west-1", "pipeline": {"source": GITHUB}},
            'pipeline.source.connection_arn="arn:aws:codeconnections:|: is in us-east-1; the pipeline needs a '
            "connection in eu-west-1",
        ),
        # an ARN names its partition: aws, aws-cn or aws-us-gov (docs.aws.amazon.com/IAM/latest/UserGuide/
        # reference-arns.html); the plan's Region fixes which one
        (
            {"pipeline": {"source": {**GITHUB, "connection_arn": ARN.replace("arn:aws:", "arn:awsfoo:")}}},
            'pipeline.source.connection_arn="arn:awsfoo:codeconnections:|: must match',
        ),
        (
            {"pipeline": {"source": {**GITHUB, "connection_arn": ARN.replace("arn:aws:", "arn:aws-cn:")}}},
            "pipeline.source.connection_arn=\"arn:aws-cn:|: is in partition 'aws-cn'; region us-east-1 is in 'aws'",
        ),
        (
            {"front_door": "alb", "https": {"certificate_arn": CERT.replace("us-east-1", "eu-west-1")}},
            'https.certificate_arn="arn:aws:acm:eu-west-1:|: is in eu-west-1; the ALB needs a certificate in us-east-1',
        ),
        (
            {"front_door": "alb", "https": {"certificate_arn": CERT.replace("arn:aws:", "arn:aws-us-gov:")}},
            "https.certificate_arn=\"arn:aws-us-gov:|: is in partition 'aws-us-gov'; region us-east-1 is in 'aws'",
        ),
        # GitHub never nests (owner/name); no path segment is '.' or '..'
        (
            {"pipeline": {"source": {**GITHUB, "repository": "a/b/c"}}},
            'pipeline.source.repository="a/b/c": must be owner/name for GitHub (3 parts given; only GitLab nests',
        ),
        (
            {"pipeline": {"source": {**GITHUB, "repository": "../.."}}},
            'pipeline.source.repository="../..": must be owner/name, each part letters, digits',
        ),
        (
            {"pipeline": {"source": {**GITHUB, "provider": "gitlab", "repository": "group/../name"}}},
            'pipeline.source.repository="group/../name": must be group/project (groups may nest',
        ),
        # git-scm.com/docs/git-check-ref-format: no '..' (rule 3), no space (rule 4)
        (
            {"pipeline": {"source": {**GITHUB, "branch": "a..b"}}},
            "pipeline.source.branch=\"a..b\": must be a valid git branch name (git check-ref-format): no '..'",
        ),
        (
            {"pipeline": {"source": {**GITHUB, "branch": "my branch"}}},
            'pipeline.source.branch="my branch": must be a valid git branch name (git check-ref-format): no spaces',
        ),
        (
            {"pipeline": {"source": {**GITHUB, "branch": "topic.lock"}}},
            'pipeline.source.branch="topic.lock": must be a valid git branch name (git check-ref-format): no part',
        ),
        (
            {"pipeline": {"enabled": False, "source": GITHUB}},
            'pipeline.source.provider="github": needs enabled true (no pipeline, no source)',
        ),
        ({"network": {"nat_instance_type": "t4g.small"}}, 'network.nat_instance_type="t4g.small": applies to nat '),
        (
            {"network": {"nat": "none", "nat_instance_type": "t4g.nano"}},  # written, even at its default
            "network.nat_instance_type=\"t4g.nano\": applies to nat 'instance' only, not 'none'; leave it out",
        ),
        # RFC 5321/5322: no empty domain label, no unquoted '"' or '<' in the local part
        ({"alerts": {"email": "a@b..com"}}, 'alerts.email="a@b..com": must be an e-mail address like ops@'),
        ({"alerts": {"email": 'a"<x>@b.com'}}, 'alerts.email="a\\"<x>@b.com": must be an e-mail address like ops@'),
        (
            {"alerts": {"http_5xx_pct": None, "pipeline_failures": False}},
            'alerts={"http_5xx_pct": null, "pipeline_failures": false}: no alert is on; drop `alerts`',
        ),
        (
            {
                "architecture": "serverless",
                "alerts": {"http_5xx_pct": None, "lambda_errors_pct": None, "pipeline_failures": False},
            },
            "alerts={|: no alert is on; drop `alerts`",
        ),
        (
            {"pipeline": {"enabled": False}, "alerts": {"http_5xx_pct": None}},
            "alerts={|: no alert is on; drop `alerts`",
        ),
        (
            {"architecture": "serverless", "alerts": {"unhealthy_hosts": 1}},  # written, even at its default
            "alerts.unhealthy_hosts=1: needs architecture 'container' with front_door 'alb'",
        ),
        (
            {"alerts": {"lambda_errors_pct": 5}},
            "alerts.lambda_errors_pct=5.0: needs architecture 'serverless'",
        ),
        (
            {"pipeline": {"enabled": False}, "alerts": {"pipeline_failures": True}},
            "alerts.pipeline_failures=true: needs pipeline.enabled true",
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
        {"pipeline": {"enabled": False}, "alerts": {"pipeline_failures": False}},
        {"architecture": "serverless", "alerts": {"unhealthy_hosts": None, "pipeline_failures": False}},
        {"network": {"nat": "instance", "nat_instance_type": "t4g.small"}},
        {"network": {"nat": "instance"}, "alerts": {"email": "ops@example.com"}},
        {"pipeline": {"source": {**GITHUB, "provider": "gitlab", "repository": "group/sub/name"}}},
        {"pipeline": {"source": {**GITHUB, "branch": "feature/x-1.2"}}},
        {
            "pipeline": {
                "source": {
                    **GITHUB,
                    "connection_arn": ARN.replace(":aws:", ":aws-cn:").replace("us-east-1", "cn-north-1"),
                }
            },
            "region": "cn-north-1",
        },
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
