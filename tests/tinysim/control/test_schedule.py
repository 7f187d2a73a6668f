"""Scheduled actions on the run's clock: the cron's minutes counted from the scenario start (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime

from models.blueprint import ScheduledActionSpec
from tinysim.control.schedule import BoundsChange, bounded_desired, bounds_changes

MONDAY = datetime(2026, 1, 5, tzinfo=UTC)  # the default start


def test_weekday_mornings_over_a_week() -> None:
    action = ScheduledActionSpec("peak", "cron(30 8 ? * MON-FRI *)", 3, 5)
    times = [c.time_s for c in bounds_changes((action,), MONDAY, 7 * 86400)]
    assert times == [d * 86400 + 8 * 3600 + 1800 for d in range(5)]  # Monday to Friday 08:30


def test_anchored_at_a_start_that_is_not_midnight() -> None:
    # start Wednesday 2026-01-07 23:50; Thursday 00:00 is 600 s later
    start = datetime(2026, 1, 7, 23, 50, tzinfo=UTC)
    action = ScheduledActionSpec("thu", "cron(0 0 ? * THU *)", 2, 4)
    assert bounds_changes((action,), start, 3600) == (BoundsChange(600.0, "thu", 2, 4),)


def test_only_within_the_run_and_in_time_order() -> None:
    a = ScheduledActionSpec("late", "cron(0 1 * * ? *)", 1, 2)
    b = ScheduledActionSpec("early", "cron(0/30 0 * * ? 2026)", 3, 3)
    changes = bounds_changes((a, b), MONDAY, 3600)
    assert [(c.time_s, c.name) for c in changes] == [(0.0, "early"), (1800.0, "early")]  # 01:00 is the horizon
    assert bounds_changes((b,), datetime(2027, 1, 4, tzinfo=UTC), 86400) == ()  # the year field


def test_desired_moves_into_the_new_range() -> None:
    assert bounded_desired(1, 3, 5) == 3
    assert bounded_desired(6, 3, 5) == 5
    assert bounded_desired(4, 3, 5) == 4
