"""A value added to a float sum many times in a row, in a few steps, with the very float the additions
one by one give (IEEE 754 double, round to nearest even).

While the sum stays within one binade [2^(e-1), 2^e) every representable value is a multiple of its
ulp ``u = 2^(e-53)``, so adding ``v`` rounds to the nearest multiple of ``u``: the sum moves by the same
``delta = fl(sum + v) - sum`` at every addition, unless ``v`` sits exactly half way between two multiples
(then the tie goes to the even one and the step alternates). Whole runs of additions inside a binade are
then one multiplication in integers of ``u``; ties, small or negative values, zeros and NaN are added
one by one.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, cast

import numba
from llvmlite import ir  # type: ignore[import-untyped]
from numba import types
from numba.extending import intrinsic

from tinysim.float_bits import float_bits

__all__ = ["repeat_add"]


def _bits_float(typingctx: Any, x: Any) -> Any:  # pragma: no cover - compiled
    if not isinstance(x, types.Integer):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


#: ``bits_float(b)`` in compiled code: the float64 whose IEEE 754 bits are the int64 ``b`` (``float_bits``'s inverse).
bits_float = cast(Callable[[int], float], intrinsic(_bits_float))
_MANTISSA = (1 << 52) - 1

_NORMAL = 2.0**-969  # below this (near the subnormals) the sums are added one by one


@numba.njit(cache=True, nogil=True)
def repeat_add(total: float, v: float, times: int) -> float:  # pragma: no cover - compiled
    """``total`` after ``times`` additions of ``v`` (``total += v`` each time), bit for bit."""
    if times <= 0:
        return total
    if math.isnan(total):
        return total  # NaN absorbs every addition
    if times == 1:
        return total + v  # what the loop below gives for a single addition, without its checks
    if v == 0:
        return total + v  # only a zero's sign can change, and only at the first addition
    if not (v > 0 and total >= 0 and math.isfinite(v) and math.isfinite(total)):
        for _ in range(times):
            total += v
        return total
    while times > 0:
        nxt = total + v
        if nxt == total:
            return total  # ``v`` is below half an ulp: nothing moves, now or later
        b, bn = float_bits(total), float_bits(nxt)
        if total < _NORMAL or bn >> 52 != b >> 52:
            total, times = nxt, times - 1  # near the subnormals, or this addition leaves the binade
            continue
        # in the binade, the multiples of the ulp u are the consecutive bit patterns: nxt is d of them on
        d = bn - b
        delta = nxt - total  # exact: both multiples of u in one binade
        if abs(v - delta) * 2.0 == delta / d:  # a tie (v half way between multiples): the last bit decides
            total, times = nxt, times - 1
            continue
        # every later sum plus v stays in the binade while the mantissa has room for one more d
        n = min(times, (_MANTISSA - (b & _MANTISSA)) // d)
        if n == 0:
            total, times = nxt, times - 1
            continue
        total = bits_float(b + n * d)
        times -= n
    return total
