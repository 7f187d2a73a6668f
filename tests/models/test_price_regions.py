"""Regions: each book prices one Region; a Region without a book, or a book of another Region, is refused."""

import json
from decimal import Decimal
from pathlib import Path

import pytest

from models import Plan, Scenario, load_price_book
from models.price_regions import books_by_region, region_book, scenario_price_book
from tests.conftest import BOOK_NOW
from tinysim.cli import main


def test_books_per_region() -> None:
    assert set(books_by_region()) == {"us-east-1", "us-west-2", "eu-west-1"}
    assert region_book("us-east-1") == BOOK_NOW
    assert region_book("eu-west-1") == "aws-eu-west-1-2026-09"


def test_every_region_book_prices_what_the_current_us_east_1_book_prices() -> None:
    keys = set(load_price_book(BOOK_NOW).entries)
    for region in ("us-west-2", "eu-west-1"):
        assert set(load_price_book(region_book(region)).entries) == keys, region


def test_ireland_is_not_priced_at_virginia_rates() -> None:
    # AWS Price List, AmazonEC2 eu-west-1 offer of 2026-09-25: EU-NatGateway-Hours $0.048 against $0.045 in
    # N. Virginia; one NAT gateway for 730 h: 730 x 0.048 = $35.04 (us-east-1: 730 x 0.045 = $32.85).
    plan = Plan.model_validate({"region": "eu-west-1"})
    assert scenario_price_book(Scenario(plan=plan), plan).region == "eu-west-1"
    ie = load_price_book(region_book("eu-west-1"))
    assert 730 * ie.usd("nat.hour") == Decimal("35.040")


def test_ireland_fargate_is_priced_at_virginia_rates() -> None:
    # AWS Price List eu-west-1: EU-Fargate-vCPU-Hours:perCPU $0.04048, EU-Fargate-GB-Hours $0.004445, the
    # us-east-1 rates; Cost Explorer for eu-west-1 bills a 0.25 vCPU / 0.5 GB task $9.01 for 730 h:
    # 730 x (0.25 x 0.04048 + 0.5 x 0.004445) = 9.010025.
    ie = load_price_book(region_book("eu-west-1"))
    vcpu, memory = ie.usd("fargate.x86_64.vcpu_hour"), ie.usd("fargate.x86_64.gb_hour")
    assert 730 * (Decimal("0.25") * vcpu + Decimal("0.5") * memory) == Decimal("9.010025")


def _run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(argv)
    out = capsys.readouterr()
    return code, out.out, out.err.strip()


def test_region_without_a_book_is_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"region": "ap-south-1"}))
    code, _, err = _run(["bill", str(plan)], capsys)
    assert code == 2 and len(err.splitlines()) == 1
    assert 'plan.region="ap-south-1": no price book for this Region; books: eu-west-1: aws-eu-west-1-2026-09' in err
    usage = tmp_path / "usage.json"
    usage.write_text(json.dumps({"region": "ap-south-1", "nat_gateway": {}}))
    code, _, err = _run(["cost", str(usage)], capsys)
    assert code == 2 and 'usage.region="ap-south-1": no price book' in err


def test_another_regions_book_needs_allow_region_mismatch(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    usage = tmp_path / "usage.json"
    usage.write_text(json.dumps({"region": "eu-west-1", "nat_gateway": {}}))
    code, out, _ = _run(["cost", str(usage)], capsys)
    assert code == 0 and "$35.04" in out and "aws-eu-west-1-2026-09" in out
    code, _, err = _run(["cost", str(usage), "--prices", BOOK_NOW], capsys)
    assert code == 2 and "prices us-east-1, but the stack is in eu-west-1" in err and len(err.splitlines()) == 1
    code, out, _ = _run(["cost", str(usage), "--prices", BOOK_NOW, "--allow-region-mismatch"], capsys)
    assert code == 0 and "$32.85" in out
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"region": "us-west-2"}))
    code, _, err = _run(["bill", str(plan), "--prices", BOOK_NOW], capsys)
    assert code == 2 and "--allow-region-mismatch" in err
    code, out, _ = _run(["bill", str(plan)], capsys)
    assert code == 0 and "aws-us-west-2-2026-09" in out


def test_serverless_example_bills_now_and_says_why_2021_cannot(capsys: pytest.CaptureFixture[str]) -> None:
    example = str(Path(__file__).parents[2] / "examples" / "plans" / "serverless.json")
    code, out, err = _run(["bill", example], capsys)
    assert code == 0, err
    assert (
        "note: no bill under price book aws-us-east-1-2021-07: Lambda on Arm (Graviton2) launched on "
        "2021-09-29, after this book's date (the book has no 'lambda.duration.arm64')"
    ) in out
    # the bill comes first; the book that cannot price the plan is a note after it, not an error before it
    assert out.index("total per month") < out.index("note: no bill under price book")
    assert "total per month (price book aws-us-east-1-2026-09)" in out
    code, _, err = _run(["bill", example, "--prices", "aws-us-east-1-2021-07"], capsys)
    assert code == 2 and "Lambda on Arm (Graviton2) launched on 2021-09-29" in err and len(err.splitlines()) == 1
