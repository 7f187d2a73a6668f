"""Repeated additions taken a binade at a time give the float that adding one by one gives, bit for bit."""

from __future__ import annotations

import math

import numpy as np
import pytest

from tinysim.float_sums import repeat_add


def _one_by_one(total: float, v: float, times: int) -> float:
    for _ in range(times):
        total += v
    return total


def _same(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


@pytest.mark.parametrize("seed", range(6))
def test_random_sums_match_one_by_one(seed: int) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(300):
        total = float(rng.choice([0.0, 1.0, 3e7, 2.0**52, 0.1]) * rng.random() * 10.0 ** int(rng.integers(-3, 8)))
        v = float(10 ** rng.uniform(-6, 6)) * float(rng.choice([1.0, 1.0, 1.0, -1.0]))
        times = int(rng.integers(0, 3000))
        assert _same(repeat_add(total, v, times), _one_by_one(total, v, times)), (total, v, times)
    for _ in range(20):  # long runs from zero, as a month of steady steps adds
        v, times = float(10 ** rng.uniform(-4, 5)), int(rng.integers(10000, 100000))
        assert _same(repeat_add(0.0, v, times), _one_by_one(0.0, v, times)), (v, times)


@pytest.mark.parametrize(
    ("total", "v", "times"),
    [
        (0.0, 166.66666666666666 * 60, 43200),  # a month of a steady step: many binades crossed
        (-0.0, 0.0, 5),  # -0.0 + 0.0 is +0.0
        (-0.0, -0.0, 5),
        (0.0, -0.0, 5),
        (3.5, -0.0, 5),
        (0.0, 0.015, 100000),
        (2.0**53 - 2, 1.0, 10),  # past 2^53 the step of 1 stops moving the sum
        (2.0**52, 0.5, 9),  # exact ties: round half to even alternates
        (2.0**52 + 1, 0.5, 9),
        (2.0**53, 1.0, 7),  # ties one binade up
        (1.0, 2.0**-53, 10),  # exactly half an ulp: ties
        (1.0, 2.0**-54, 10),  # below half an ulp: nothing moves
        (1.0, 3 * 2.0**-53, 1000),  # one and a half ulps: ties alternating 1 and 2 ulps
        (5e-324, 5e-324, 1000),  # subnormals
        (1e308, 1e307, 20),  # overflow to inf
        (float("nan"), 1.0, 3),
        (1.0, float("nan"), 3),
        (1.0, float("inf"), 3),
        (1e10, -1.0, 1000),
        (-5.0, 0.25, 1000),  # a negative sum crossing zero
    ],
)
def test_edge_sums_match_one_by_one(total: float, v: float, times: int) -> None:
    assert _same(repeat_add(total, v, times), _one_by_one(total, v, times))
