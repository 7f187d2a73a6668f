"""Weekly multipliers (Monday first), daily factors and the diurnal peak hour follow the calendar from
the scenario's ``start`` (UTC); the default start is a Monday 00:00, where time 0 is Monday."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from models import Scenario
from models.scenario import START
from tinysim.traffic import rate_function, start_week_offset_s

WEEKLY = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]  # Monday x1 ... Sunday x7
DAY = 86_400.0


def spec(**extra: object) -> Scenario:
    return Scenario.model_validate({"traffic": {"kind": "constant", "rps": 10, "weekly": WEEKLY}, **extra})


def test_default_start_is_monday() -> None:
    assert START.weekday() == 0 and start_week_offset_s(START) == 0.0
    rate = rate_function(spec().traffic, 0, START)
    assert list(rate(np.arange(7) * DAY + 1)) == [10 * w for w in WEEKLY]


def test_a_sunday_noon_start() -> None:
    s = spec(start="2026-01-11T12:00:00Z")  # a Sunday
    rate = rate_function(s.traffic, 0, s.start)
    # the first 12 hours are Sunday's (x7), then Monday (x1)
    assert list(rate(np.array([0.0, 43_199.0, 43_200.0, 43_200.0 + DAY]))) == [70.0, 70.0, 10.0, 20.0]


def test_diurnal_peak_hour_is_utc() -> None:
    traffic = {"kind": "diurnal", "mean_rps": 10, "peak_rps": 20, "peak_hour": 14}
    s = Scenario.model_validate({"traffic": traffic, "start": "2026-01-05T12:00:00Z"})
    rate = rate_function(s.traffic, 0, s.start)
    assert rate(np.array([2 * 3600.0]))[0] == pytest.approx(20.0)  # 14:00 UTC is two hours in


def test_daily_factors_follow_calendar_days() -> None:
    s = Scenario.model_validate(
        {"traffic": {"kind": "constant", "rps": 10, "daily_sigma": 0.5}, "start": "2026-01-05T18:00:00Z"}
    )
    rate = rate_function(s.traffic, 3, s.start)
    day0, day1 = rate(np.array([0.0, 6 * 3600.0]))  # 18:00 Monday, then 00:00 Tuesday
    assert day0 != day1
    assert rate(np.array([5 * 3600.0]))[0] == day0  # 23:00 Monday: still Monday's factor


def test_offset_of_an_arbitrary_start() -> None:
    assert start_week_offset_s(datetime(2026, 1, 7, 23, 50, tzinfo=UTC)) == 2 * DAY + 23 * 3600 + 50 * 60
