"""Scenario shell: defaults, plan inline or by file, relative paths, bad traffic."""

import json
from pathlib import Path

import pytest

from models import InputError, Plan, load_scenario


def test_defaults_and_plan_file(tmp_path: Path) -> None:
    (tmp_path / "plan.json").write_text(Plan(name="shop").model_dump_json())
    (tmp_path / "s.json").write_text(
        json.dumps({"plan_file": "plan.json", "traffic": {"kind": "trace", "csv": "t.csv"}})
    )
    s = load_scenario(tmp_path / "s.json")
    assert s.resolved_plan().name == "shop"
    assert s.traffic.csv == str(tmp_path / "t.csv")  # type: ignore[union-attr]


def test_bad_scenarios(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(
        json.dumps({"traffic": {"kind": "constant", "rps": -1}, "horizon": 5, "workload": {"dispatch": "fastest"}})
    )
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert list(info.value.problems) == [
        "traffic.rps=-1: must be >= 0",
        "workload.dispatch=\"fastest\": must be one of 'round_robin', 'least_outstanding', 'random' or 'central_queue'",
        "horizon: unknown field; allowed: account, fidelity, horizon_s, operations, plan, plan_file, price_book, "
        "seed, start, timings, traffic, workload",
    ]
    path.write_text(json.dumps({"traffic": {"kind": "tidal"}}))
    with pytest.raises(InputError, match=r"traffic=\"tidal\": must be one of"):
        load_scenario(path)
    path.write_text(json.dumps({"plan_file": "missing.json"}))
    with pytest.raises(InputError, match=r"plan_file: plan=.*missing.json'?: file not found"):
        load_scenario(path)


def test_a_reservation_leaves_lambda_its_unreserved_hundred(tmp_path: Path) -> None:
    """Lambda keeps 100 of the account's concurrency unreserved: reserved and provisioned concurrency may be
    at most the account's concurrency minus 100 (docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html).
    A reservation above the account quota used to be simulated as if the quota were not there."""
    plan = {"architecture": "serverless", "serverless": {"reserved_concurrency": 800}}
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"plan": plan, "account": {"lambda_concurrency": 300}}))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert list(info.value.problems) == [
        "plan.serverless.reserved_concurrency=800: must be <= account.lambda_concurrency - 100 (200): "
        "Lambda keeps 100 unreserved"
    ]
    path.write_text(json.dumps({"plan": {**plan, "serverless": {"provisioned_concurrency": 950}}}))
    with pytest.raises(InputError, match=r"plan.serverless.provisioned_concurrency=950: must be <= .* \(900\)"):
        load_scenario(path)
    path.write_text(json.dumps({"plan": plan, "account": {"lambda_concurrency": 900}}))
    assert load_scenario(path).resolved_plan().serverless.reserved_concurrency == 800
    (tmp_path / "p.json").write_text(json.dumps(plan))
    path.write_text(json.dumps({"plan_file": "p.json", "account": {"lambda_concurrency": 300}}))
    with pytest.raises(InputError, match=r"reserved_concurrency=800: must be <="):
        load_scenario(path)


@pytest.mark.parametrize(
    ("start", "rule"),
    [
        ("9999-12-31T00:00:00Z", "must be from 1970-01-01T00:00:00Z to 2199-12-31T00:00:00Z"),
        ("0001-01-01T00:00:00+14:00", "must be from 1970-01-01T00:00:00Z to 2199-12-31T00:00:00Z"),
        (0, "must be an ISO 8601 date and time with its time zone"),
        (1.5e9, "must be an ISO 8601 date and time with its time zone"),
    ],
)
def test_start_is_an_iso_instant_within_the_cron_years(tmp_path: Path, start: object, rule: str) -> None:
    """Starts near the calendar's ends used to crash with OverflowError (exit 1); numbers were taken as Unix
    times, which the schema does not promise."""
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"start": start}))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert problem.startswith("start=") and rule in problem


def test_scheduled_firings_are_bounded_before_any_work(tmp_path: Path) -> None:
    """50 actions naming every minute over 400 days fire 50 x 576,000 = 28.8 M times: a run used to build
    an object per firing and grow past 11 GB. Counted per whole day, the refusal is immediate."""
    every = [{"name": f"a{i}", "cron": "cron(* * ? * * *)", "min": 1, "max": 5} for i in range(50)]
    plan = {"container": {"scaling": {"scheduled": every}}}
    path = tmp_path / "s.json"
    path.write_text(json.dumps({"plan": plan, "horizon_s": 34_560_000}))
    with pytest.raises(InputError) as info:
        load_scenario(path)
    assert list(info.value.problems) == [
        'plan.container.scaling.scheduled="50 action(s)": fire 28,800,000 times within horizon_s (34,560,000 s); '
        "at most 50,000 are allowed (name fewer minutes in the cron, or a shorter horizon)"
    ]
    plan["container"]["scaling"]["scheduled"] = every[:1]  # type: ignore[index]
    path.write_text(json.dumps({"plan": plan, "horizon_s": 30 * 86_400, "start": "2026-01-05T00:30:00Z"}))
    assert load_scenario(path).horizon_s == 30 * 86_400  # 43,200 firings: allowed


def test_firings_counted_by_hand() -> None:
    """cron(0 8 ? * MON-FRI *) from Monday 2026-01-05 09:00 for 7 days: Tue-Fri this week and Mon next
    week at 08:00 -> 5 (Monday's 08:00 is before the start)."""
    from datetime import UTC, datetime, timedelta

    from models.cron import parse_cron

    start = datetime(2026, 1, 5, 9, tzinfo=UTC)
    assert parse_cron("cron(0 8 ? * MON-FRI *)").firings_between(start, start + timedelta(days=7)) == 5
    assert parse_cron("cron(*/15 * ? * * *)").firings_between(start, start + timedelta(hours=2)) == 8
