"""The CLI as a user runs it: a subprocess, its output and its exit code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import BOOK_2021, BOOK_NOW


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tinysim", *args], capture_output=True, text=True, timeout=60)


def write(tmp_path: Path, data: Any, name: str = "usage.json") -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return str(path)


def test_cost_json_shape(tmp_path: Path) -> None:
    usage = write(
        tmp_path,
        {
            "alb": {
                "new_connections_per_s": 1,
                "active_connections_per_min": 120,
                "processed_gb_per_hour": 1.08,
                "requests_per_s": 5,
                "rules": 60,
            }
        },
    )
    out = run("cost", usage, "--json")
    assert out.returncode == 0, out.stderr
    data = json.loads(out.stdout)
    assert data["price_book"] == BOOK_NOW and data["total_usd"] == "22.74"
    assert set(data["lines"][0]) >= {"service", "item", "quantity", "unit", "unit_usd", "amount_usd"}


def test_cost_with_price_book_by_id_and_path(tmp_path: Path) -> None:
    usage = write(tmp_path, {"public_ipv4": {"addresses": 1}})
    assert json.loads(run("cost", usage, "--json", "--prices", BOOK_2021).stdout)["total_usd"] == "0.00"
    book = Path(__file__).parents[2] / "models" / "prices" / f"{BOOK_NOW}.json"
    assert json.loads(run("cost", usage, "--json", "--prices", str(book)).stdout)["total_usd"] == "3.65"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ('{"apigw": {"requests": "many"}}', 'tinysim: apigw[0].requests="many": must be a valid decimal'),
        ('{"apigw": {"type": "soap"}}', "tinysim: apigw[0].type=\"soap\": must be one of 'http' or 'rest'"),
        ('{"nat_gateway": {"hours": -1}}', "tinysim: nat_gateway[0].hours=-1: must be >= 0"),
        ('{"apigw": {', "tinysim: usage="),
        ('{"ec2": {"instance_type": "z1.tiny"}}', "tinysim: ec2[0].instance_type='z1.tiny': price book"),
    ],
)
def test_bad_usage_file_exits_2_with_one_line(tmp_path: Path, content: str, expected: str) -> None:
    out = run("cost", write(tmp_path, content))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), out.stderr
    assert "Traceback" not in out.stderr


def test_unknown_price_book_and_missing_file(tmp_path: Path) -> None:
    out = run("cost", write(tmp_path, {}), "--prices", "aws-moon")
    assert out.returncode == 2 and out.stderr.startswith('tinysim: --prices="aws-moon": unknown price book')
    out = run("cost", str(tmp_path / "none.json"))
    assert out.returncode == 2 and "file not found" in out.stderr


def test_bad_plan_lists_every_problem(tmp_path: Path) -> None:
    plan = write(tmp_path, {"container": {"tasks": {"min": 3, "max": 2}}, "front_door": "cdn"}, "plan.json")
    out = run("bill", plan)
    assert out.returncode == 2
    assert out.stderr.strip().splitlines() == [
        "tinysim: front_door=\"cdn\": must be one of 'apigw-http', 'apigw-rest' or 'alb'",
        "tinysim: container.tasks.max=2: must be >= container.tasks.min (3)",
    ]


def test_bill_prints_the_seed_stack_under_both_books() -> None:
    out = run("bill")
    assert out.returncode == 0, out.stderr
    assert f"price book {BOOK_2021}" in out.stdout and f"price book {BOOK_NOW}" in out.stdout
    assert "t3.micro on-demand" in out.stdout and "NAT Gateway" in out.stdout


def test_breakeven_json() -> None:
    out = run("breakeven", "--json", "--prices", BOOK_2021)
    data = json.loads(out.stdout)
    http = next(r for r in data["results"] if r["api"] == "apigw-http")
    assert http["requests_per_month"] > 10_000_000 and http["seed_claim_holds"] is False


def test_usage_error_is_one_line() -> None:
    out = run("cost")
    assert out.returncode == 2 and len(out.stderr.strip().splitlines()) == 1


EXAMPLES = Path(__file__).parents[2] / "examples"


def test_run_json_and_out(tmp_path: Path) -> None:
    scenario = write(tmp_path, {"traffic": {"kind": "constant", "rps": 5}, "horizon_s": 900}, "s.json")
    out = run("run", scenario, "--json", "--out", str(tmp_path / "out"), "--seed", "3")
    assert out.returncode == 0, out.stderr
    summary = json.loads(out.stdout)
    assert set(summary) >= {"requests", "latency_ms", "wait_ms", "total_usd", "bill", "scaling", "lambda"}
    assert set(summary["latency_ms"]) == {"mean", "p50", "p95", "p99", "max"}
    assert summary["seed"] == 3
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert written == {"timeline.csv", "events.csv", "datapoints.csv", "hourly_usage.csv", "bill.json", "summary.json"}


def test_run_text_summary_of_an_example() -> None:
    out = run("run", str(EXAMPLES / "serverless_burst.json"), "--quiet")
    assert out.returncode == 0, out.stderr
    assert "lambda: max concurrency 800" in out.stdout and "monthly bill: $" in out.stdout


@pytest.mark.parametrize(
    ("scenario", "csv", "expected"),
    [
        ({"traffic": {"kind": "constant", "rps": -2}}, None, "tinysim: traffic.rps=-2: must be >= 0"),
        ({"trafic": {}}, None, "tinysim: trafic: unknown field; allowed:"),
        ({"traffic": {"kind": "trace", "csv": "nope.csv"}}, None, "tinysim: traffic.csv="),
        ({"traffic": {"kind": "trace", "csv": "t.csv"}}, "minute,count\n0,5\n", "tinysim: traffic.csv="),
        ({"traffic": {"kind": "trace", "csv": "t.csv"}}, "requests\n5\n-3\n", "tinysim: traffic.csv="),
        ({"traffic": {"kind": "trace", "csv": "t.csv"}}, "\x00\x01\x02", "tinysim: traffic.csv="),
        ({"horizon_s": 0}, None, "tinysim: horizon_s=0: must be > 0"),
    ],
)
def test_bad_scenarios_exit_2_with_one_line(
    tmp_path: Path, scenario: dict[str, Any], csv: str | None, expected: str
) -> None:
    if csv is not None:
        (tmp_path / "t.csv").write_text(csv)
    out = run("run", write(tmp_path, scenario, "s.json"), "--quiet")
    assert out.returncode == 2, out.stdout + out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(expected), out.stderr
