"""CloudWatch alarm evaluation by hand: M of N and the four TreatMissingData behaviours.

Source: docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsAlarmsToSNS.html
("Evaluating an alarm", "Configuring how CloudWatch alarms treat missing data"). Threshold 50,
GreaterThanThreshold; X = 80 (breaching), G = 20 (not breaching), M = missing.
"""

from __future__ import annotations

import math

import pytest

from tinysim.control.alarm_rule import (
    ALARM,
    BREACHING,
    GREATER,
    IGNORE,
    INSUFFICIENT_DATA,
    LESS,
    MISSING,
    NOT_BREACHING,
    OK,
    alarm_observe,
    new_alarm_state,
)

X, G, M = 80.0, 20.0, math.nan


def run(points: list[float], n: int, m: int, treat: int, comparison: int = GREATER) -> list[int]:
    state = new_alarm_state(n)
    return [alarm_observe(state, v, 50.0, comparison, m, treat) for v in points]


def test_a_new_alarm_has_insufficient_data() -> None:
    assert new_alarm_state(3)[0] == INSUFFICIENT_DATA


def test_n_of_n_needs_n_consecutive_breaches() -> None:
    # 3 of 3: ALARM on the third X in a row, OK on the first G after
    assert run([X, X, G, X, X, X, G], 3, 3, NOT_BREACHING) == [OK, OK, OK, OK, OK, ALARM, OK]


def test_m_of_n_counts_breaches_within_the_last_n() -> None:
    # 2 of 3: X G X has two breaches in the last three -> ALARM; G X G and G G X have one -> OK
    assert run([X, G, X, G, G, X], 3, 2, NOT_BREACHING) == [OK, OK, ALARM, OK, OK, OK]


def test_less_than_comparisons() -> None:
    assert run([G, G], 2, 2, NOT_BREACHING, LESS) == [OK, ALARM]


@pytest.mark.parametrize(
    ("treat", "expected"),
    [
        (NOT_BREACHING, [OK, OK, ALARM, OK, OK, OK]),  # a missing point is good
        (BREACHING, [OK, OK, ALARM, ALARM, ALARM, ALARM]),  # a missing point is bad
        (IGNORE, [OK, OK, ALARM, ALARM, ALARM, ALARM]),  # the state is kept while data is missing
        (MISSING, [OK, OK, ALARM, ALARM, ALARM, INSUFFICIENT_DATA]),  # a range of nothing: no data
    ],
)
def test_treat_missing_data(treat: int, expected: list[int]) -> None:
    # 3 of 3: X X X (ALARM), then missing points; after three the whole range is missing
    assert run([X, X, X, M, M, M], 3, 3, treat) == expected


def test_missing_and_ignore_change_state_when_present_points_decide() -> None:
    # 2 of 3. "X - G": one present breach, two if the missing one breached: undecided, ALARM is kept;
    # "- G G": at most one breach whatever the missing one was -> OK; "X - X": two present breaches -> ALARM
    assert run([X, X, X, M, G], 3, 2, MISSING)[-1] == ALARM
    assert run([X, X, X, M, G, G], 3, 2, MISSING)[-1] == OK
    assert run([G, G, G, X, M, X], 3, 2, IGNORE)[-1] == ALARM


def test_all_missing_from_the_start() -> None:
    assert run([M, M], 2, 2, MISSING) == [INSUFFICIENT_DATA, INSUFFICIENT_DATA]
    assert run([M, M], 2, 2, NOT_BREACHING) == [OK, OK]
    assert run([M, M], 2, 2, BREACHING) == [OK, ALARM]  # the first missing point of two: 1 < 2 breaches
    assert run([M, M], 2, 2, IGNORE) == [INSUFFICIENT_DATA, INSUFFICIENT_DATA]


def test_evaluation_periods_must_be_positive() -> None:
    with pytest.raises(ValueError, match="evaluation_periods"):
        new_alarm_state(0)
