"""Bad input ends in one clear line, fast, with nothing half-written: every case an audit or the
fuzz test found, each failing before the fix (a hang, "unexpected ...", a lost or mixed output)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from models import load_price_book
from provision.cli import main as provision_main
from tests.tinysim.cli_harness import RUN_FILES, Outcome, assert_clear_refusal, run_cli
from tinysim import footprint
from tinysim.cli import EXIT_SOME_POINTS_FAILED
from tinysim.cli import main as tinysim_main
from tinysim.results import SimResult

SMALL = {"plan": {"name": "small"}, "traffic": {"kind": "constant", "rps": 1}, "horizon_s": 600}
SERVERLESS = {**SMALL, "plan": {"name": "fn", "architecture": "serverless"}}


def put(tmp_path: Path, name: str, data: Any) -> str:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return str(path)


def cli(*argv: str, limit_s: float = 20.0) -> Outcome:
    return run_cli(tinysim_main, argv, limit_s)


def refused(result: Outcome, *needles: str) -> None:
    """Exit 2, one clear line, within seconds, and the line names what the case is about."""
    assert_clear_refusal(result, "tinysim")
    assert len(result.lines) == 1, result.lines
    for needle in needles:
        assert needle in result.lines[0], result.lines[0]
    assert result.seconds < 10


# -- the examples -------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("scenario", "needles"),
    [
        # hung: one simulated second at a time through 11.6 days of cold start
        ({**SERVERLESS, "workload": {"cold_start_ms": 1e9}}, ["workload.cold_start_ms=1000000000.0", "<= 900000"]),
        # hung: the mean's bound was not applied to empirical samples
        (
            {**SMALL, "workload": {"service_time_ms": {"dist": "empirical", "samples": [1e12]}}},
            ["workload.service_time_ms.samples=1000000000000.0", "<= 900000 ms"],
        ),
        # "unexpected ValueError: lam value too large"
        ('{"traffic": {"kind": "constant", "rps": Infinity}}', ["traffic.rps=Infinity", "finite"]),
        # "unexpected MemoryError: ... 437 TiB"
        ({**SMALL, "traffic": {"kind": "constant", "rps": 1e12}}, ["traffic.rps=1000000000000.0", "<= 10000000"]),
        # NaN in a weekly multiplier went through and gave NaN rates
        (
            '{"traffic": {"kind": "constant", "rps": 1, "weekly": [1, 1, 1, NaN, 1, 1, 1]}}',
            ["traffic.weekly[3]=NaN", "finite"],
        ),
        # RecursionError
        ("[" * 100_000 + "]" * 100_000, ["nested 100000 levels deep", "at most 64"]),
        # a cold start longer than the function may run
        (
            {**SERVERLESS, "workload": {"cold_start_ms": 60_000}},
            ["workload.cold_start_ms=60000", "serverless.timeout_s in ms (30000)"],
        ),
        # a service time longer than the horizon
        (
            {**SMALL, "horizon_s": 60, "workload": {"service_time_ms": {"mean": 120_000}}},
            ["workload.service_time_ms.mean=120000", "horizon_s (60 s)"],
        ),
        # an integer of more than 4,300 digits: ValueError from the JSON parser
        ('{"seed": ' + "9" * 5000 + "}", ["unreadable JSON", "digits"]),
    ],
)
def test_scenario_refused_in_one_line(tmp_path: Path, scenario: Any, needles: list[str]) -> None:
    refused(cli("run", put(tmp_path, "s.json", scenario), "--quiet"), *needles)


def test_cold_start_beyond_timeout_through_plan_file(tmp_path: Path) -> None:
    put(tmp_path, "plan.json", {"architecture": "serverless", "serverless": {"timeout_s": 3}})
    scenario = put(tmp_path, "s.json", {"plan_file": "plan.json", "workload": {"cold_start_ms": 5000}})
    refused(cli("run", scenario, "--quiet"), "workload.cold_start_ms=5000", "(3000)")


def test_usage_count_beyond_exact_arithmetic(tmp_path: Path) -> None:
    # decimal.InvalidOperation: 1e40 instances x price does not fit 28 significant digits
    refused(cli("cost", put(tmp_path, "u.json", {"ec2": {"count": 1e40}})), "ec2[0].count=1e+40", "<= 10000")


@pytest.mark.parametrize(
    ("argv", "needles"),
    [
        (["bill", "--requests-per-month", "-5"], ["--requests-per-month=-5: must be >= 0"]),
        (["breakeven", "--request-kb", "-1"], ["--request-kb=-1.0: must be >= 0"]),
        (["breakeven", "--response-kb", "nan"], ["--response-kb=NaN", "finite"]),
        (["breakeven", "--azs", "0"], ["--azs=0: must be >= 1"]),
        (["breakeven", "--requests-per-connection", "inf"], ["--requests-per-connection=Infinity"]),
        (["run", "s.json", "--seed", "-3"], ["--seed=-3: must be >= 0"]),
        (["sweep", "s.json", "--grid", "g.json", "--slo-p99-ms", "-1"], ["--slo-p99-ms=-1.0: must be > 0"]),
        (["recommend", "s.json", "--space", "g.json", "--confidence", "2"], ["--confidence=2.0: must be < 1"]),
        (["recommend", "s.json", "--space", "g.json", "--availability", "nan"], ["--availability=NaN"]),
        (
            ["sweep", "s.json", "--grid", "g.json", "--seeds", "999999999"],
            ["--seeds='999999999'", "from 1 to 10,000 seeds"],
        ),
        (["sweep", "s.json", "--grid", "g.json", "--scheduler", "not an address"], ["--scheduler='not an address'"]),
        (["bill", "--requests-per-month", "x"], ["--requests-per-month: invalid int value"]),
        (
            ["calibrate", "examples/logs/access.log", "--interval-s", "0", "--out", "x.json"],
            ["--interval-s=0: must be >= 1"],
        ),
        (["calibrate", "nope.log", "--out", "s.json/x.json"], ["--out='s.json/x.json'", "is a file"]),
    ],
)
def test_options_refused_like_fields(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], needles: list[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    put(tmp_path, "a.log", "")
    put(tmp_path, "s.json", SMALL)
    put(tmp_path, "g.json", {"plan.container.tasks.max": [5]})
    result = cli(*argv, "--quiet") if argv[0] in ("run", "sweep", "recommend") else cli(*argv)
    assert_clear_refusal(result, "tinysim")
    assert len(result.lines) == 1, result.lines
    for needle in needles:
        assert needle in result.lines[0]


def test_scaffold_onto_a_file(tmp_path: Path) -> None:
    target = put(tmp_path, "notes.txt", "mine")
    result = run_cli(provision_main, ["scaffold", target])
    assert_clear_refusal(result, "provision", codes=(1,))
    assert "is a file" in result.err
    assert Path(target).read_text() == "mine"


def test_bom_accepted(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(json.dumps(SMALL), encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    result = cli("run", str(path), "--quiet", "--json")
    assert result.code == 0, result.err
    assert json.loads(result.out)["horizon_s"] == 600


def test_folder_is_not_file_not_found(tmp_path: Path) -> None:
    refused(cli("run", str(tmp_path), "--quiet"), "is a folder")
    (tmp_path / "trace").mkdir()
    scenario = put(tmp_path, "s.json", {"traffic": {"kind": "trace", "csv": "trace"}, "horizon_s": 600})
    refused(cli("run", scenario, "--quiet"), "traffic.csv=", "folder holds no log files")


def test_public_names_not_internal_ones(tmp_path: Path) -> None:
    result = cli("cost", put(tmp_path, "u.json", {"lamda": {}}))
    assert_clear_refusal(result, "tinysim")
    assert "lambda," in result.err and "lambda_" not in result.err


def test_wrong_price_book_file_is_named(tmp_path: Path) -> None:
    book = put(tmp_path, "book.json", {"id": "x", "region": "r", "as_of": "2020-01-01", "entries": {}})
    good = put(tmp_path, "book2.json", load_price_book().model_dump(mode="json"))
    data = json.loads(Path(good).read_text())
    data["entries"]["alb.lcu.new_connections_per_s"]["value"] = "0"  # a divisor: division by zero before
    zero = put(tmp_path, "book3.json", data)
    usage = put(tmp_path, "u.json", {"alb": {"new_connections_per_s": 1}})
    result = cli("cost", usage, "--prices", book)
    assert_clear_refusal(result, "tinysim")
    assert all(f"--prices='{book}'" in line for line in result.lines)
    refused(cli("cost", usage, "--prices", zero), f"--prices='{zero}'", "must be > 0")


# -- outputs: checked before any work, written whole ------------------------------------------------
@pytest.mark.parametrize("command", ["run", "sweep", "recommend"])
def test_unwritable_out_refused_before_work(tmp_path: Path, command: str) -> None:
    scenario = put(tmp_path, "s.json", SMALL)
    grid = put(tmp_path, "g.json", {"plan.container.tasks.max": [5]})
    blocker = put(tmp_path, "file", "x")
    out = f"{blocker}/results"  # a path under a file can never be created
    argv = {
        "run": ["run", scenario, "--out", out],
        "sweep": ["sweep", scenario, "--grid", grid, "--executor", "inprocess", "--out", out],
        "recommend": ["recommend", scenario, "--space", grid, "--p99-ms", "500", "--out", out],
    }[command]
    refused(cli(*argv, "--quiet", limit_s=5), "--out=")


def test_failed_write_leaves_previous_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario = put(tmp_path, "s.json", SMALL)
    out = tmp_path / "results"
    assert cli("run", scenario, "--out", str(out), "--quiet").code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    assert set(before) == RUN_FILES
    real_write = SimResult.write

    def write_then_fail(self: SimResult, out_dir: str | Path, fmt: str = "csv") -> list[Path]:
        real_write(self, out_dir, fmt)
        os.remove(Path(out_dir) / "summary.json")
        raise OSError(28, "No space left on device")  # after 5 of 6 files

    monkeypatch.setattr(SimResult, "write", write_then_fail)
    result = cli("run", scenario, "--out", str(out), "--quiet", "--seed", "9")
    assert result.code == 1 and "No space left" in result.err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".results")] == []


def test_new_run_replaces_an_older_one_whole(tmp_path: Path) -> None:
    scenario = put(tmp_path, "s.json", SMALL)
    out = tmp_path / "results"
    assert cli("run", scenario, "--out", str(out), "--quiet", "--parquet").code == 0
    assert cli("run", scenario, "--out", str(out), "--quiet").code == 0
    assert {p.name for p in out.iterdir()} == RUN_FILES  # no parquet left beside the new CSVs


def test_out_folder_with_other_files_is_not_replaced(tmp_path: Path) -> None:
    scenario = put(tmp_path, "s.json", SMALL)
    (tmp_path / "mine").mkdir()
    (tmp_path / "mine" / "thesis.tex").write_text("keep")
    refused(cli("run", scenario, "--out", str(tmp_path / "mine"), "--quiet"), "thesis.tex")
    assert (tmp_path / "mine" / "thesis.tex").read_text() == "keep"


# -- sweeps isolate failures --------------------------------------------------------------------------
@pytest.mark.parametrize(
    "grid",
    [
        {"workload.cold_start_ms": [100, 1e9]},
        {"workload.service_time_ms": [{"dist": "empirical", "samples": [1e12]}, {"dist": "constant", "mean": 50}]},
    ],
)
def test_sweep_with_a_hanging_value_completes(tmp_path: Path, grid: dict[str, Any]) -> None:
    scenario = put(tmp_path, "s.json", SERVERLESS)
    out = tmp_path / "table.csv"
    argv = ["sweep", scenario, "--grid", put(tmp_path, "g.json", grid), "--executor", "inprocess"]
    result = cli(*argv, "--quiet", "--out", str(out))
    assert result.code == EXIT_SOME_POINTS_FAILED, result.err
    assert result.lines[-1] == "tinysim: 1 of 2 configurations failed: the error column says why"
    rows = out.read_text().splitlines()
    assert len(rows) == 3
    assert sum("must be <=" in row for row in rows) == 1


def test_sweep_point_failing_at_run_time_is_a_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(footprint, "available_memory_bytes", lambda: 2.0**30)
    scenario = put(tmp_path, "s.json", {**SMALL, "plan": {"front_door": "alb"}})
    grid = put(tmp_path, "g.json", {"traffic.rps": [1, 2_000_000]})
    result = cli("sweep", scenario, "--grid", grid, "--executor", "inprocess", "--quiet", "--json")
    assert result.code == EXIT_SOME_POINTS_FAILED, result.err
    rows = json.loads(result.out)
    assert [r["error"] == "" for r in rows] == [True, False]
    assert "needs about 11.2 GiB" in rows[1]["error"]  # 2e6/s x 60 s x 100 B + 600 s x 24 B
    assert rows[0]["monthly_usd"] is not None


def test_run_too_large_refused_with_estimate(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(footprint, "available_memory_bytes", lambda: 2.0**30)
    scenario = put(tmp_path, "s.json", {**SMALL, "traffic": {"kind": "constant", "rps": 2_000_000}})
    refused(cli("run", scenario, "--quiet"), "2,000,000 requests/s", "11.2 GiB", "1.0 GiB is free")


def test_broken_pipe_is_quiet() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tinysim", "bill"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader is gone before the first line (it takes the CLI a second to start)
    err = proc.stderr.read()
    proc.stderr.close()
    assert proc.wait(timeout=60) == 141  # 128 + SIGPIPE, as a shell reports a piped command
    assert err == ""


def test_every_builtin_book_within_bounds() -> None:
    # the bounds must not refuse the books that ship (they are validated on load)
    for book_id in ("aws-us-east-1-2021-07", "aws-us-east-1-2026-09"):
        assert load_price_book(book_id).entries


# -- found by the fuzz test ------------------------------------------------------------------------------
def test_calibrate_folder_of_json_files(tmp_path: Path) -> None:
    # sniffed as a CloudWatch export from its first file, then read as a file: IsADirectoryError
    put(tmp_path, "scenario.json", SMALL)
    put(tmp_path, "grid.json", {"plan.container.tasks.max": [3]})
    refused(cli("calibrate", str(tmp_path), "--out", str(tmp_path / "x.json")), "a folder", "access logs")


def test_cloudwatch_export_nested_too_deep(tmp_path: Path) -> None:
    export = put(tmp_path, "export.json", '{"MetricDataResults": ' + "[" * 50_000 + "]" * 50_000 + "}")
    refused(cli("calibrate", export, "--out", str(tmp_path / "x.json")), "nested 50001 levels deep")
