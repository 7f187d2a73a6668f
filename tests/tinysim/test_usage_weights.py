"""The hourly compute weights of a bill: each hour's value as an exact Decimal of its float, 0 for none."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from tinysim.usage import _decimals


def test_each_hour_is_the_decimal_of_its_float_and_nothing_below_zero_counts() -> None:
    values = np.array([0.1, 2.0, np.nan, -0.0, -3.5, 0.1, 1e-300, 0.30000000000000004])
    assert _decimals(values) == [
        Decimal("0.1"),
        Decimal("2.0"),
        Decimal("0.0"),
        Decimal("0.0"),
        Decimal("0.0"),
        Decimal("0.1"),
        Decimal("1e-300"),
        Decimal("0.30000000000000004"),  # the float's shortest repr, not 0.3
    ]
    assert [str(d) for d in _decimals(np.array([-0.0, np.nan]))] == ["0.0", "0.0"]  # never "-0.0"
