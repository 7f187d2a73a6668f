"""AWS six-field cron: what AWS accepts, and one line naming the field, value and what is allowed
(docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from models.cron import CronError, parse_cron
from models.errors import InputError
from models.plan import load_plan


def test_fields_lists_ranges_increments_and_names() -> None:
    c = parse_cron("cron(0/15 8-10,18 ? JAN-MAR MON,WED-FRI 2026-2027)")
    assert c.minutes == {0, 15, 30, 45} and c.hours == {8, 9, 10, 18}
    assert c.months == {1, 2, 3} and c.days_of_week == {2, 4, 5, 6} and c.days_of_month is None
    assert c.years == {2026, 2027}


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("cron(60 8 ? * MON *)", "minutes value 60 is out of range: allowed 0-59"),
        ("cron(0 8 * * MON *)", "exactly one of them must be '?'"),
        ("cron(0 8 L * ? *)", "day-of-month 'L' uses the wildcard L (last)"),
        ("cron(0 8 ? * MON#2 *)", "uses the wildcard # (nth weekday)"),
        ("cron(0 8 15W * ? *)", "uses the wildcard W (weekday)"),
        ("cron(0 8 ? * FUN *)", "day-of-week value 'FUN' is not a number from 1 to 7 or SUN-SAT"),
        ("cron(0 8 ? * MON)", "has 5 fields; AWS's cron has six"),
        ("cron(0 10-8 ? * MON *)", "hours range '10-8' runs backwards"),
    ],
)
def test_refusals_name_the_field(expression: str, message: str) -> None:
    with pytest.raises(CronError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_cron(expression)


def test_a_bad_cron_in_a_plan_is_one_line(tmp_path: Path) -> None:
    plan = {
        "container": {"scaling": {"scheduled": [{"name": "p", "cron": "cron(0 24 ? * MON *)", "min": 2, "max": 5}]}}
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    with pytest.raises(InputError) as err:
        load_plan(path)
    text = str(err.value)
    assert "\n" not in text.strip()
    assert "container.scaling.scheduled[0].cron" in text and "hours value 24 is out of range: allowed 0-23" in text


@pytest.mark.parametrize(
    "expression",
    [
        "cron(\u0663 8 ? * * *)",
        "cron(0 8 ? * * \uff12\uff10\uff12\uff16)",
        "cron(0\t8\t?\t*\t*\t*)",
        "cron(\u00b2 8 ? * * *)",
    ],
)
def test_only_ascii_digits_and_single_spaces(expression: str) -> None:
    """AWS's cron takes ASCII digits and space-separated fields; ``str.isdigit`` accepted other scripts'
    digits (and crashed on a superscript two), ``split()`` accepted tabs."""
    with pytest.raises(CronError, match="may hold only ASCII letters, digits"):
        parse_cron(expression)


def test_fields_are_separated_by_single_spaces() -> None:
    with pytest.raises(CronError, match="single spaces"):
        parse_cron("cron(0  8 ? * * *)")
