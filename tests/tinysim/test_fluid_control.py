"""The fluid kernel's alarm memory and rule are the request engine's: same fresh memory, same states."""

from __future__ import annotations

import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from tinysim.control import new_alarm_state
from tinysim.control.alarm_rule import BREACHING, GREATER, IGNORE, MISSING, NOT_BREACHING, alarm_observe
from tinysim.fluid_control import alarm_memory, observe


def test_a_fresh_fluid_alarm_is_the_request_engines() -> None:
    for n in (1, 3, 5, 15):
        assert np.array_equal(alarm_memory(n), new_alarm_state(n))


@settings(max_examples=100, deadline=None)
@given(
    points=st.lists(st.sampled_from([80.0, 20.0, math.nan]), max_size=40),
    n=st.integers(1, 6),
    treat=st.sampled_from([MISSING, NOT_BREACHING, BREACHING, IGNORE]),
)
def test_the_fluid_alarm_moves_as_the_request_engines(points: list[float], n: int, treat: int) -> None:
    fluid, request = alarm_memory(n), new_alarm_state(n)
    m = max(1, n - 1)
    for v in points:
        assert observe(fluid, v, 50.0, GREATER, m, treat) == alarm_observe(request, v, 50.0, GREATER, m, treat)
