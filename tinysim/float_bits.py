"""The bit pattern of a double as an int64, in compiled code (for non-negative doubles the
patterns order as the values do, which makes cheap, exact bucket keys)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

from llvmlite import ir  # type: ignore[import-untyped]
from numba import types
from numba.extending import intrinsic

__all__ = ["float_bits"]


def _float_bits(typingctx: Any, x: Any) -> Any:  # pragma: no cover - compiled
    if not isinstance(x, types.Float):
        return None

    def codegen(context: Any, builder: Any, signature: Any, args: Any) -> Any:
        return builder.bitcast(args[0], ir.IntType(64))

    return types.int64(types.float64), codegen


#: ``float_bits(x)`` in compiled code: the IEEE 754 bits of the float64 ``x`` as an int64.
float_bits = cast(Callable[[float], int], intrinsic(_float_bits))
