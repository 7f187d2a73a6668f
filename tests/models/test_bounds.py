"""Names and bounds: each bad usage or price book value is one line and exit 2, never a traceback."""

import json
from pathlib import Path
from typing import Any

import pytest

from models import Plan, Usage
from models.prices import BUILTIN_PRICE_DIR
from tests.conftest import BOOK_NOW
from tinysim.cli import main


def _cost(tmp_path: Path, usage: Any, capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, list[str]]:
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(usage) if not isinstance(usage, str) else usage)
    code = main(["cost", str(path), *extra])
    return code, capsys.readouterr().err.strip().splitlines()


@pytest.mark.parametrize(
    ("usage", "expected"),
    [
        ('{"data_transfer_out_gb": 1e300}', "data_transfer_out_gb=1e+300: must be <= 1000000000000000"),
        ('{"nat_gateway": {"processed_gb": Infinity}}', "nat_gateway[0].processed_gb=Infinity: must be a finite"),
        ('{"lambda": {"requests": 1, "provisioned_concurrency": 1e300}}', "lambda[0].provisioned_concurrency="),
        (
            {"month_hours": 24, "alb": {"hourly": [{"new_connections_per_s": 1}] * 25}},
            'alb[0].hourly="25 hours": must have at most month_hours (24)',
        ),
    ],
)
def test_bad_usage_values_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], usage: Any, expected: str
) -> None:
    code, err = _cost(tmp_path, usage, capsys)
    assert code == 2
    assert len(err) == 1 and expected in err[0], err


@pytest.mark.parametrize(("bound", "expected"), [("-5", 'upto="-5": must be > 0'), ("1e300", "must be <=")])
def test_price_book_tier_bounds_are_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], bound: str, expected: str
) -> None:
    book = json.loads((BUILTIN_PRICE_DIR / f"{BOOK_NOW}.json").read_text())
    book["id"] = "edited"
    book["entries"]["egress.internet"]["tiers"][0]["upto"] = bound
    (tmp_path / "book.json").write_text(json.dumps(book))
    code, err = _cost(tmp_path, {"data_transfer_out_gb": 1}, capsys, "--prices", str(tmp_path / "book.json"))
    assert code == 2
    assert len(err) == 1 and "egress.internet.tiers[0].upto" in err[0] and expected in err[0], err


def test_codebuild_compute_types_by_either_name() -> None:
    # aws.amazon.com/codebuild/pricing/ says general1.medium; the API says BUILD_GENERAL1_MEDIUM.
    page = Usage.model_validate({"codebuild": {"compute_type": "general1.medium"}})
    assert page.codebuild[0].compute_type == "BUILD_GENERAL1_MEDIUM"
    plan = Plan.model_validate({"pipeline": {"compute_type": "general1.large"}})
    assert plan.pipeline.compute_type == "BUILD_GENERAL1_LARGE"
    assert Plan.model_validate({"pipeline": {"compute_type": "BUILD_GENERAL1_SMALL"}}).pipeline.compute_type
