"""NumPy's PCG64 bit generator, inlined into compiled loops: the same 64-bit outputs as ``random_raw``.

PCG64 (O'Neill 2014, as NumPy implements it: ``numpy/random/src/pcg64/pcg64.h``) is a 128-bit linear
congruential generator, ``state <- state * 0x2360ED051FC65DA44385DF649FCCF645 + inc (mod 2**128)``,
whose output after each step is ``rotr64(high ^ low, state >> 122)`` (XSL-RR). Called through NumPy's
function pointer, each output costs a call; here the step is a 128-bit multiply LLVM emits inline
(``@intrinsic``), and the state stays in registers across a loop.

A state is four uint64 words: ``(state_lo, state_hi, inc_lo, inc_hi)``, taken from a generator by
:func:`pcg64_words`. The compiled functions return the output and the new ``(state_lo, state_hi)``.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
from llvmlite import ir  # type: ignore[import-untyped]
from numba import types
from numba.extending import intrinsic

__all__ = ["U64", "next_double", "next_uint64", "pcg64_words"]

U64 = np.uint64

_MULT_HI = 2549297995355413924  # PCG_DEFAULT_MULTIPLIER_HIGH
_MULT_LO = 4865540595714422341  # PCG_DEFAULT_MULTIPLIER_LOW
_MASK64 = (1 << 64) - 1
_TO_DOUBLE = 1.0 / 9007199254740992.0  # 2**-53: NumPy's next_double takes the top 53 bits


@intrinsic
def _step(typingctx: Any, lo: Any, hi: Any, inc_lo: Any, inc_hi: Any) -> Any:  # pragma: no cover - compiled
    """``(lo, hi) * MULT + (inc_lo, inc_hi)`` modulo 2**128, as ``(lo, hi)``."""
    u64 = types.uint64
    sig = types.UniTuple(u64, 2)(u64, u64, u64, u64)  # type: ignore[no-untyped-call]

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        i128 = ir.IntType(128)
        i64 = ir.IntType(64)
        sixty_four = ir.Constant(i128, 64)

        def wide(low: Any, high: Any) -> Any:
            return builder.or_(builder.zext(low, i128), builder.shl(builder.zext(high, i128), sixty_four))

        mult = wide(ir.Constant(i64, _MULT_LO), ir.Constant(i64, _MULT_HI))
        state = builder.add(builder.mul(wide(args[0], args[1]), mult), wide(args[2], args[3]))
        low = builder.trunc(state, i64)
        high = builder.trunc(builder.lshr(state, sixty_four), i64)
        return context.make_tuple(builder, signature.return_type, [low, high])

    return sig, codegen


@numba.njit(inline="always")
def next_uint64(lo: U64, hi: U64, inc_lo: U64, inc_hi: U64) -> tuple[U64, U64, U64]:  # pragma: no cover
    """The next output and the new ``(lo, hi)``."""
    lo, hi = _step(lo, hi, inc_lo, inc_hi)  # type: ignore[call-arg]
    x = hi ^ lo
    rot = hi >> np.uint64(58)
    return (x >> rot) | (x << ((np.uint64(64) - rot) & np.uint64(63))), lo, hi


@numba.njit(inline="always")
def next_double(lo: U64, hi: U64, inc_lo: U64, inc_hi: U64) -> tuple[float, U64, U64]:  # pragma: no cover
    """The next double on [0, 1) (as ``rng.random()``) and the new ``(lo, hi)``."""
    r, lo, hi = next_uint64(lo, hi, inc_lo, inc_hi)
    return (r >> np.uint64(11)) * _TO_DOUBLE, lo, hi


def pcg64_words(rng: np.random.Generator) -> np.ndarray | None:
    """``rng``'s PCG64 state as uint64 ``[state_lo, state_hi, inc_lo, inc_hi]``; ``None`` for another
    bit generator."""
    if not isinstance(rng.bit_generator, np.random.PCG64):
        return None
    pcg = rng.bit_generator.state["state"]
    state, inc = int(pcg["state"]), int(pcg["inc"])
    return np.array([state & _MASK64, state >> 64, inc & _MASK64, inc >> 64], dtype=np.uint64)
