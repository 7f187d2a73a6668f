"""CloudWatch metric alarm evaluation, one datapoint at a time: M of N with the four ``TreatMissingData``
behaviours. Compiled with numba so the request engine (from Python) and the fluid kernel (from compiled
code) evaluate alarms with the same code.

An alarm's memory is a small ``int64`` array made by :func:`new_alarm_state`:
``[state, seen, breaching, missing, ring...]`` where the ring holds the classification of the last
``evaluation_periods`` periods (breaching, not breaching or missing), ``seen`` counts up to the ring's
length and then cycles through the next ``evaluation_periods`` values (the ring's slot needs no
division), and the two counts are those of the ring, kept up to date as it advances, so a datapoint
costs the same whatever the evaluation range. A missing datapoint is ``NaN``.

How CloudWatch treats missing data (docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/
AlarmThatSendsAlarmsToSNS.html, "Configuring how CloudWatch alarms treat missing data"):

- with every datapoint of the evaluation range present, the alarm is ALARM when at least
  ``datapoints_to_alarm`` of the last ``evaluation_periods`` breach, OK otherwise; the setting is not used;
- ``notBreaching`` / ``breaching``: a missing datapoint counts as within / beyond the threshold;
- ``ignore``: the current state is kept;
- ``missing``: missing datapoints are not considered; when every datapoint of the range is missing the alarm
  goes to INSUFFICIENT_DATA.

tinysim's evaluation range is the last ``evaluation_periods`` periods (CloudWatch retrieves a few more
when some are missing; how many is not documented). With some datapoints missing, ``ignore`` and
``missing`` change the state only when the present datapoints decide it whatever the missing ones
were: ALARM when ``datapoints_to_alarm`` present ones breach, OK when even all missing ones breaching
could not reach it; otherwise the state is kept (and with every datapoint so far missing, ``ignore``
keeps the state and ``missing`` gives INSUFFICIENT_DATA). Before its first datapoint an alarm is
INSUFFICIENT_DATA, as a new CloudWatch alarm is; periods before the run (the stack did not exist) are
not in its range and count as not breaching.
"""

from __future__ import annotations

import math

import numba
import numpy as np

__all__ = [
    "ALARM",
    "BREACHING",
    "COMPARISONS",
    "GREATER",
    "GREATER_OR_EQUAL",
    "IGNORE",
    "INSUFFICIENT_DATA",
    "LESS",
    "LESS_OR_EQUAL",
    "MISSING",
    "NOT_BREACHING",
    "OK",
    "STATE_NAMES",
    "TREAT_MISSING",
    "alarm_observe",
    "breaches",
    "fresh_alarm_state",
    "new_alarm_state",
]

# alarm states (StateValue)
OK = 0
ALARM = 1
INSUFFICIENT_DATA = 2
STATE_NAMES = ("OK", "ALARM", "INSUFFICIENT_DATA")

# TreatMissingData codes
MISSING = 0
NOT_BREACHING = 1
BREACHING = 2
IGNORE = 3
TREAT_MISSING = {"missing": MISSING, "notBreaching": NOT_BREACHING, "breaching": BREACHING, "ignore": IGNORE}

# ComparisonOperator codes
GREATER = 0
GREATER_OR_EQUAL = 1
LESS = 2
LESS_OR_EQUAL = 3
COMPARISONS = {
    "GreaterThanThreshold": GREATER,
    "GreaterThanOrEqualToThreshold": GREATER_OR_EQUAL,
    "LessThanThreshold": LESS,
    "LessThanOrEqualToThreshold": LESS_OR_EQUAL,
}

# ring classifications
_BEFORE = -2  # a period before the run
_ABSENT = -1  # a missing datapoint
_GOOD = 0
_BAD = 1
# header: state, periods seen (s, or n + s % n once the ring of n is full), breaching and missing
# periods in the ring
_STATE, _SEEN, _BAD_COUNT, _ABSENT_COUNT, _HEADER = 0, 1, 2, 3, 4


@numba.njit(cache=True, nogil=True)
def fresh_alarm_state(evaluation_periods: int) -> np.ndarray:
    """A fresh alarm's memory (INSUFFICIENT_DATA, nothing seen, no breaching or missing period):
    ``int64[4 + evaluation_periods]``, made in compiled or Python code; ``evaluation_periods >= 1``
    (not checked here: :func:`new_alarm_state` checks it)."""
    state = np.full(_HEADER + evaluation_periods, _BEFORE, dtype=np.int64)
    state[_STATE] = INSUFFICIENT_DATA
    state[_SEEN] = 0
    state[_BAD_COUNT] = 0
    state[_ABSENT_COUNT] = 0
    return state


def new_alarm_state(evaluation_periods: int) -> np.ndarray:
    """A fresh alarm's memory (INSUFFICIENT_DATA, nothing seen): ``int64[4 + evaluation_periods]``.

    Raises ``ValueError`` when ``evaluation_periods < 1``."""
    if evaluation_periods < 1:
        raise ValueError(f"evaluation_periods must be >= 1, got {evaluation_periods}")
    return fresh_alarm_state(evaluation_periods)


@numba.njit(cache=True, nogil=True)
def breaches(value: float, threshold: float, comparison: int) -> bool:
    """Whether a present datapoint is beyond the threshold under ``comparison`` (a code above)."""
    if comparison == GREATER:
        return value > threshold
    if comparison == GREATER_OR_EQUAL:
        return value >= threshold
    if comparison == LESS:
        return value < threshold
    return value <= threshold


@numba.njit(cache=True, nogil=True)
def _decide(current: int, bad: int, absent: int, filled: int, datapoints_to_alarm: int, treat_missing: int) -> int:
    """The new state from the range's breaching and missing counts (``filled``: periods in the range)."""
    if absent == 0 or treat_missing == NOT_BREACHING:
        return ALARM if bad >= datapoints_to_alarm else OK
    if treat_missing == BREACHING:
        return ALARM if bad + absent >= datapoints_to_alarm else OK
    if absent == filled:  # nothing present: missing -> no data; ignore -> as it was
        return INSUFFICIENT_DATA if treat_missing == MISSING else current
    if bad >= datapoints_to_alarm:  # the present datapoints decide ALARM ...
        return ALARM
    if bad + absent < datapoints_to_alarm:  # ... or OK, whatever the missing ones were
        return OK
    return current


@numba.njit(cache=True, nogil=True)
def alarm_observe(
    state: np.ndarray,
    value: float,
    threshold: float,
    comparison: int,
    datapoints_to_alarm: int,
    treat_missing: int,
) -> int:
    """Record one period's datapoint (``NaN`` when missing) and return the alarm's new state.

    ``state`` comes from :func:`new_alarm_state` (its length fixes ``evaluation_periods``) and is updated
    in place; ``comparison`` and ``treat_missing`` are the codes above. Returns OK, ALARM or
    INSUFFICIENT_DATA."""
    n = state.shape[0] - _HEADER
    seen = state[_SEEN]  # the periods seen, s, kept as n + s % n once the ring is full (no division)
    slot = _HEADER + (seen if seen < n else seen - n)
    leaving = state[slot]  # the period that drops out of the range
    if leaving == _BAD:
        state[_BAD_COUNT] -= 1
    elif leaving == _ABSENT:
        state[_ABSENT_COUNT] -= 1
    if math.isnan(value):
        state[slot] = _ABSENT
        state[_ABSENT_COUNT] += 1
    elif breaches(value, threshold, comparison):
        state[slot] = _BAD
        state[_BAD_COUNT] += 1
    else:
        state[slot] = _GOOD
    state[_SEEN] = n if seen + 1 == 2 * n else seen + 1
    filled = min(seen + 1, n)
    new = _decide(
        int(state[_STATE]),
        int(state[_BAD_COUNT]),
        int(state[_ABSENT_COUNT]),
        filled,
        datapoints_to_alarm,
        treat_missing,
    )
    state[_STATE] = new
    return new
