"""The C library's ``exp``, computed inline in compiled loops: the same double for the same argument.

A lognormal service time is ``exp(mu + sigma * z)``, and NumPy's ``Generator.lognormal`` takes that
exponential from the C library. Called from a compiled loop, the library's ``exp`` costs about
7 ns a value here (a call per value, checks of special arguments), as much as drawing the normal.
Computed inline with the same operations it costs about 2 ns, and the results stay bit-identical to
NumPy's draws.

The algorithm is glibc's since 2.28 (``sysdeps/ieee754/dbl-64/e_exp.c``, from Arm's
optimized-routines, as its x86-64 build for FMA processors runs it): ``x = k ln2/128 + r`` with
``k`` rounded to an integer by adding ``1.5 * 2**52``; ``exp(x) = 2**(k/128) * exp(r)`` with
``2**(j/128)`` from a 128-entry table (a double ``H`` and a relative correction ``T``, here computed
in 60-digit decimal arithmetic) and ``exp(r) - 1`` a degree-5 polynomial; products and sums are fused
(FMA) where that build fuses them. Constants: ``__exp_data`` (``e_exp_data.c``): ``N/ln2 =
0x1.71547652b82fep0 * 128``, ``-ln2/N = -0x1.62e42fefa0000p-8 - 0x1.cf79abc9e3b3ap-47``, polynomial
``0x1.ffffffffffdbdp-2, 0x1.555555555543cp-3, 0x1.55555cf172b91p-5, 0x1.1111167a4d017p-7``.

Arguments outside ``2**-54 <= |x| < 512`` (where the library takes its special paths), and every
argument on a machine whose library computes otherwise (another algorithm, no FMA: see
:func:`matches_libm`), go to the library's ``exp`` itself.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from decimal import Decimal, localcontext
from typing import Any, cast

import numba
import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]
from numba import types
from numba.extending import intrinsic

from tinysim.float_bits import float_bits

__all__ = ["exp", "exp_in_place", "matches_libm"]

TABLE_BITS = 7
N = 1 << TABLE_BITS
INV_LN2_N = float.fromhex("0x1.71547652b82fep0") * N
ROUND_SHIFT = float.fromhex("0x1.8p52")  # adding it rounds to an integer held in the low bits
NEG_LN2_HI_N = float.fromhex("-0x1.62e42fefa0000p-8")
NEG_LN2_LO_N = float.fromhex("-0x1.cf79abc9e3b3ap-47")
C2 = float.fromhex("0x1.ffffffffffdbdp-2")
C3 = float.fromhex("0x1.555555555543cp-3")
C4 = float.fromhex("0x1.55555cf172b91p-5")
C5 = float.fromhex("0x1.1111167a4d017p-7")
# the fast path's exponent field range: 2**-54 <= |x| < 512
TOP_LO = 0x3C9
TOP_HI = 0x408
MASK = N - 1
MANTISSA_BITS = 52


def _table() -> np.ndarray:
    """int64 (2N,): ``[bits of T[j], bits of H[j] - (j << 45)]`` per ``j``, where ``H[j]`` is
    ``2**(j/N)`` rounded to a double and ``T[j] = (2**(j/N) - H[j]) / H[j]`` rounded."""
    out = np.empty(2 * N, dtype=np.int64)
    with localcontext() as ctx:
        ctx.prec = 60
        ln2 = Decimal(2).ln()
        for j in range(N):
            exact = (ln2 * j / N).exp()
            head = float(exact)
            tail = float((exact - Decimal(head)) / Decimal(head))
            out[2 * j] = np.array(tail).view(np.int64)
            out[2 * j + 1] = int(np.array(head).view(np.int64)) - (j << (MANTISSA_BITS - TABLE_BITS))
    return out


TABLE = _table()


def _bits_float(typingctx: Any, x: Any) -> Any:  # pragma: no cover - compiled
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.DoubleType())

    return types.float64(types.int64), codegen


def _fma(typingctx: Any, a: Any, b: Any, c: Any) -> Any:  # pragma: no cover - compiled
    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        dbl = ir.DoubleType()
        fn = builder.module.declare_intrinsic("llvm.fma", [dbl], ir.FunctionType(dbl, [dbl, dbl, dbl]))
        return builder.call(fn, args)

    return types.float64(types.float64, types.float64, types.float64), codegen


bits_float = cast(Callable[[int], float], intrinsic(_bits_float))
fma = cast(Callable[[float, float, float], float], intrinsic(_fma))


@numba.njit(inline="always")
def _fast(x: float) -> float:  # pragma: no cover - compiled
    kd = fma(INV_LN2_N, x, ROUND_SHIFT)
    ki = float_bits(kd)
    kd -= ROUND_SHIFT
    r = fma(kd, NEG_LN2_LO_N, fma(kd, NEG_LN2_HI_N, x))
    j2 = (ki & MASK) * 2
    tail = bits_float(TABLE[j2])
    scale = bits_float(TABLE[j2 + 1] + (ki << (MANTISSA_BITS - TABLE_BITS)))
    r2 = r * r
    poly = fma(r2 * r2, fma(r, C5, C4), fma(r2, fma(r, C3, C2), tail + r))
    return fma(scale, poly, scale)


@numba.njit(inline="always")
def _in_fast_range(x: float) -> bool:  # pragma: no cover - compiled
    """Whether ``2**-54 <= |x| < 512`` (by the exponent field), where the library takes no special path."""
    top = (float_bits(x) >> MANTISSA_BITS) & 0x7FF
    return (top >= TOP_LO) & (top < TOP_HI)


@numba.njit(inline="always")
def exp(x: float, inline: bool) -> float:  # pragma: no cover - compiled
    """``math.exp(x)``, computed inline when ``inline`` (pass :func:`matches_libm`) and ``x`` is in
    the library's fast range."""
    if inline and _in_fast_range(x):
        return _fast(x)
    return math.exp(x)


@numba.njit(cache=True, nogil=True)
def exp_in_place(x: np.ndarray, inline: bool) -> None:  # pragma: no cover - compiled
    """``x[:] = exp(x)`` (1-D float64), as :func:`exp` gives each value. When every value is in the
    fast range (the usual case) it is one pass without branches, which the compiler vectorises:
    about 1 ns a value here, against 2 ns inline in a loop that does other work and 7 ns through
    the library."""
    n = x.shape[0]
    fast = inline
    if fast:
        inside = True
        for k in range(n):
            inside &= _in_fast_range(x[k])
        fast = inside
    if fast:
        for k in range(n):
            x[k] = _fast(x[k])
    else:
        for k in range(n):
            x[k] = exp(x[k], inline)


@numba.njit(cache=True, nogil=True)
def _both(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    inline = np.empty_like(x)
    library = np.empty_like(x)
    for i in range(x.shape[0]):
        inline[i] = exp(x[i], True)
        library[i] = math.exp(x[i])
    return inline, library


def check_values() -> np.ndarray:
    """The arguments :func:`matches_libm` compares: every table entry's neighbourhood, points
    across the fast range and near its ends, and typical lognormal exponents."""
    rng = np.random.default_rng(20181)
    j = np.arange(-N * 8, N * 8) * (math.log(2) / N)
    return np.concatenate(
        [
            j,
            np.nextafter(j, np.inf),
            rng.uniform(-20.0, 20.0, 16_384),
            rng.uniform(-511.99, 511.99, 4_096),
            rng.normal(-4.0, 1.5, 8_192),
            [2.0**-54, -(2.0**-54), 511.99999999999994, -511.99999999999994, 1e-10, -1e-10],
        ]
    )


@functools.cache
def matches_libm() -> bool:
    """Whether the inline ``exp`` gives this process's C library's result on every argument of
    :func:`check_values` (computed once per process, about a millisecond)."""
    inline, library = _both(check_values())
    return bool(np.array_equal(inline.view(np.int64), library.view(np.int64)))
