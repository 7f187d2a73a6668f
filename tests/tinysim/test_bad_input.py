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
        ('{"seed": ' + "9" * 5000 + "}", ["seed=1.000e+5000", "<= 9223372036854775807"]),
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
        (["sweep", "s.json", "--grid", "g.json", "--seeds", "3,1,3"], ["seeds: 3 is named twice"]),
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
    refused(cli("run", scenario, "--quiet"), "2,000,000 requests/s", "11.2 GiB", "1.0 GiB is available")


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


# -- types are strict: a string, a boolean or a fraction is not silently turned into a number -------
@pytest.mark.parametrize(
    ("scenario", "needles"),
    [
        (
            {**SMALL, "traffic": {"kind": "constant", "rps": True}},
            ["traffic.rps=true", "must be a number from 0 to 10000000.0"],
        ),
        (
            {**SMALL, "traffic": {"kind": "constant", "rps": "5"}},
            ['traffic.rps="5"', "must be a number from 0 to 10000000.0"],
        ),
        ({**SMALL, "horizon_s": "3600"}, ['horizon_s="3600"', "must be an integer from 1 to 34560000"]),
        ({**SMALL, "horizon_s": 600.5}, ["horizon_s=600.5", "must be an integer from 1 to 34560000"]),
        ({**SMALL, "operations": {"free_tier": "yes"}}, ['operations.free_tier="yes"', "must be a valid boolean"]),
    ],
)
def test_scenario_types_are_strict(tmp_path: Path, scenario: Any, needles: list[str]) -> None:
    refused(cli("run", put(tmp_path, "s.json", scenario), "--quiet"), *needles)


def test_usage_types_are_strict(tmp_path: Path) -> None:
    refused(cli("cost", put(tmp_path, "u.json", {"free_tier": "yes"})), 'free_tier="yes"', "must be a valid boolean")
    refused(cli("cost", put(tmp_path, "u.json", {"free_tier": 1})), "free_tier=1", "must be a valid boolean")


def test_strict_types_still_take_json_numbers_for_money(tmp_path: Path) -> None:
    # Decimal quantities load from JSON integers and fractions; floats fields take integers
    usage = put(tmp_path, "u.json", {"free_tier": False, "fargate": {"tasks": 2, "vcpu": 0.25, "memory_gb": 1}})
    result = cli("cost", usage)
    assert result.code == 0, result.err
    assert (
        cli("run", put(tmp_path, "s.json", {**SMALL, "traffic": {"kind": "constant", "rps": 2}}), "--quiet").code == 0
    )


# -- JSON: repeated keys, huge integers ------------------------------------------------------------
@pytest.mark.parametrize(
    ("scenario", "needles"),
    [
        ('{"horizon_s": 600, "horizon_s": 3600}', ["key horizon_s appears more than once"]),
        ('{"traffic": {"kind": "constant", "rps": 1, "rps": 2}}', ["key traffic.rps appears more than once"]),
        ('{"horizon_s": 1e308}', ["horizon_s=1e+308", "must be an integer from 1 to 34560000"]),
        (
            '{"traffic": {"kind": "constant", "rps": ' + "9" * 5000 + "}}",
            ["traffic.rps=1.000e+5000", "must be a number from 0 to 10000000.0"],
        ),
        ('{"plan": {"container": {"task": {"memory_mb": 1e308}}}}', ["memory_mb=1e+308", "from 128 to 122880"]),
    ],
)
def test_json_repeated_keys_and_huge_integers(tmp_path: Path, scenario: str, needles: list[str]) -> None:
    refused(cli("run", put(tmp_path, "s.json", scenario), "--quiet"), *needles)


@pytest.mark.parametrize("cell", ["1e308", "1" + "0" * 300, "864000000001"])
def test_trace_count_beyond_physical_bound(tmp_path: Path, cell: str) -> None:
    # 10 million requests per second (the highest scenario rate) for a day: 864,000,000,000 per interval
    put(tmp_path, "t.csv", f"minute,requests\n0,10\n1,{cell}\n2,10\n")
    scenario = {**SMALL, "traffic": {"kind": "trace", "csv": "t.csv", "interval_s": 60}, "fidelity": "fluid"}
    result = cli("run", put(tmp_path, "s.json", scenario), "--quiet")
    refused(result, "row 3", "from 0 to 864,000,000,000 per interval")
    assert len(result.lines[0]) < 200, result.lines[0]


# -- Regions: a usage file without one is in us-east-1; a book's Region is a Region code -----------
def test_cost_without_region_checks_the_book_region(tmp_path: Path) -> None:
    usage = put(tmp_path, "u.json", {"fargate": {"tasks": 1}})
    refused(cli("cost", usage, "--prices", "aws-eu-west-1-2026-09"), "prices eu-west-1", "stack is in us-east-1")
    assert cli("cost", usage, "--prices", "aws-eu-west-1-2026-09", "--allow-region-mismatch").code == 0


def test_price_book_region_must_be_a_region_code(tmp_path: Path) -> None:
    data = load_price_book().model_dump(mode="json")
    book = put(tmp_path, "book.json", {**data, "region": "mars-1"})
    refused(cli("cost", put(tmp_path, "u.json", {}), "--prices", book), 'region="mars-1"', "must match")


# -- empty paths are refused, naming the option ------------------------------------------------------
@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["cost", "u.json", "--prices", ""], "--prices='': must not be empty"),
        (["cost", "u.json", "--focus", ""], "--focus='': must not be empty"),
        (["run", "s.json", "--out", "", "--quiet"], "--out='': must not be empty"),
        (["run", "s.json", "--focus", "", "--quiet"], "--focus='': must not be empty"),
        (["bill", "--prices", "aws-us-east-1-2026-09", "--prices", " "], "--prices=' ': must not be empty"),
        (["calibrate", "a.log", "--out", ""], "--out='': must not be empty"),
        (["calibrate", "a.log", "--out", "s.json", "--plan", ""], "--plan='': must not be empty"),
    ],
)
def test_empty_path_options_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, argv: list[str], needle: str
) -> None:
    monkeypatch.chdir(tmp_path)
    put(tmp_path, "u.json", {})
    put(tmp_path, "s.json", SMALL)
    put(tmp_path, "a.log", "")
    refused(cli(*argv), needle)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.log", "s.json", "u.json"]


def test_calibrate_refuses_a_bad_plan_before_writing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    put(tmp_path, "plan.json", {"container": {"tasks": {"max": 0}}})
    put(tmp_path, "a.log", '127.0.0.1 - - [10/Oct/2024:13:55:36 +0000] "GET / HTTP/1.1" 200 512\n')
    refused(cli("calibrate", "a.log", "--out", "s.json", "--plan", "plan.json", "--quiet"), "container.tasks.max=0")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.log", "plan.json"]


def test_spike_after_the_horizon_refused(tmp_path: Path) -> None:
    spike = {"kind": "spike", "base_rps": 1, "spike_rps": 100, "start_s": 3600, "duration_s": 60}
    scenario = {**SMALL, "traffic": spike, "horizon_s": 3600}
    refused(cli("run", put(tmp_path, "s.json", scenario), "--quiet"), "traffic.start_s=3600", "< horizon_s (3600 s)")


# -- a file of the wrong kind, unknown keys: one line ---------------------------------------------------
def test_file_of_the_wrong_kind_is_one_line(tmp_path: Path) -> None:
    scenario = put(tmp_path, "s.json", SMALL)
    usage = put(tmp_path, "u.json", {})
    refused(
        cli("bill", scenario), f"plan='{scenario}': this is a scenario file, not a plan (it has horizon_s, traffic)"
    )
    refused(cli("cost", scenario), f"usage='{scenario}': this is a scenario file, not a usage file")
    refused(cli("cost", usage, "--prices", scenario), f"--prices='{scenario}': this is a scenario file, not a price")


def test_unknown_keys_of_one_object_are_one_line(tmp_path: Path) -> None:
    scenario = put(tmp_path, "s.json", {**SMALL, "bogus": 1, "bogus2": 2})
    refused(cli("run", scenario, "--quiet"), "(top level): unknown fields bogus, bogus2; allowed: account, fidelity,")


# -- sweeps: a grid naming no field is refused up front; SIGTERM ends the workers ---------------------
def test_grid_naming_no_field_refused_up_front(tmp_path: Path) -> None:
    grid = put(tmp_path, "g.json", {"plan.container.taks.max": [2, 3]})
    result = cli("sweep", put(tmp_path, "s.json", SMALL), "--grid", grid, "--executor", "inprocess", "--quiet")
    refused(result, "grid.plan.container.taks.max: no such field", "plan.container.taks: unknown field")


def _children(pid: int) -> list[str]:
    return subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()


def _still_running(pids: list[str]) -> list[str]:
    """Those of ``pids`` still running after up to 5 s."""
    alive = pids
    for _ in range(50):
        alive = [pid for pid in alive if os.path.exists(f"/proc/{pid}")]
        if not alive:
            break
        subprocess.run(["sleep", "0.1"], check=True)
    return alive


def _sweep(days: float, tmp_path: Path, stderr: int) -> subprocess.Popen[str]:
    """``tinysim sweep`` of four points of ``days`` at 200 req/s on the ``processes`` executor."""
    scenario = {**SMALL, "traffic": {"kind": "constant", "rps": 200}, "horizon_s": round(days * 86400)}
    grid = put(tmp_path, "g.json", {"plan.container.tasks.max": [2, 3, 4, 5]})
    argv = [sys.executable, "-m", "tinysim", "sweep", put(tmp_path, "s.json", scenario), "--grid", grid]
    return subprocess.Popen([*argv, "--executor", "processes", "--quiet"], stderr=stderr, text=True)


def _workers_of(proc: subprocess.Popen[str]) -> list[str]:
    """The sweep's child processes (its worker, multiprocessing's resource tracker), once started."""
    workers: list[str] = []
    for _ in range(100):
        workers = _children(proc.pid)
        if len(workers) >= 2:
            break
        subprocess.run(["sleep", "0.1"], check=True)
    assert workers, "no worker processes started"
    return workers


def test_sigterm_ends_sweep_workers(tmp_path: Path) -> None:
    proc = _sweep(1, tmp_path, subprocess.PIPE)
    try:
        workers = _workers_of(proc)
        proc.send_signal(15)  # SIGTERM
        _, err = proc.communicate(timeout=20)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130 and "interrupted" in err, err
    alive = _still_running(workers)
    assert not alive, f"worker processes still running: {alive}"


def test_a_killed_sweep_takes_its_workers_with_it(tmp_path: Path) -> None:
    """SIGKILL gives the sweep no chance to end its workers: each worker asks the kernel to kill it
    when its parent dies (Linux's PR_SET_PDEATHSIG), so none runs on to the end of its point (three
    weeks at 200 req/s: over 10 s here) with nobody to read its result."""
    proc = _sweep(21, tmp_path, subprocess.DEVNULL)
    try:
        workers = _workers_of(proc)
        subprocess.run(["sleep", "2"], check=True)  # the worker is up and in its first point
        proc.kill()
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    alive = _still_running(workers)  # up to 5 s
    assert not alive, f"worker processes still running: {alive}"


@pytest.mark.parametrize("after_s", [0.5, 1.5, 3.0, 5.0])  # workers starting, loading, running points
def test_ctrl_c_at_the_terminal_ends_a_sweep_quietly(tmp_path: Path, after_s: float) -> None:
    """A Ctrl-C reaches every process of the terminal's foreground group: the sweep and its worker
    processes. Whenever it comes, the sweep ends with one line and exit 130, and no process prints
    a traceback or stays behind."""
    # ten days a point: the sweep is still running at the last moment (four days a point ended in
    # about 5 s once the last points took up the cores left free, and the Ctrl-C then met a process
    # ending, which dies by the signal: exit -2)
    scenario = put(tmp_path, "s.json", {**SMALL, "traffic": {"kind": "constant", "rps": 200}, "horizon_s": 10 * 86400})
    grid = put(tmp_path, "g.json", {"plan.container.tasks.max": [2, 3, 4, 5]})
    argv = [sys.executable, "-m", "tinysim", "sweep", scenario, "--grid", grid, "--executor", "processes", "--quiet"]
    proc = subprocess.Popen(argv, stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        subprocess.run(["sleep", str(after_s)], check=True)
        group = [str(proc.pid), *_children(proc.pid)]
        os.killpg(proc.pid, 2)  # SIGINT to the whole group, as the terminal sends it
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, 9)
            proc.communicate()
    assert proc.returncode == 130 and err.strip() == "tinysim: interrupted", err
    alive = _still_running(group)
    assert not alive, f"processes still running: {alive}"


def test_plan_given_as_scenario_is_one_line(tmp_path: Path) -> None:
    plan = put(tmp_path, "p.json", {"name": "dev", "tags": {"team": "a"}})
    refused(cli("run", plan, "--quiet"), f"scenario='{plan}': this is a plan, not a scenario file (it has name, tags)")
    # a scenario with one stray key is a misspelling, not another kind of file
    stray = put(tmp_path, "s.json", {**SMALL, "name": "x"})
    refused(cli("run", stray, "--quiet"), "name: unknown field; allowed: account, fidelity,")
