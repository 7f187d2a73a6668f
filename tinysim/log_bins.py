"""The run histograms' log bins of durations, found from a value's bit pattern instead of a logarithm.

``log_bin`` takes a logarithm per value, about a quarter of a request's time in the ECS window. For
non-negative doubles the bit patterns order as the values do, and the sign, exponent and top 10 mantissa
bits cut the line into buckets at most 2^-10 (0.098%) wide: narrower than a bin (0.1%,
``stats.GROWTH``), so each bucket holds at most one bin edge. A table gives, per bucket, the bin of its
smallest value and the bit pattern of the first value in the next bin; a value's bin is then one lookup
and one comparison.

The table is built from ``log_bin`` itself (each edge found by bisecting the bucket's bit patterns), so
``fast_bin(x) == log_bin(x)`` for every non-negative ``x`` wherever the platform's ``log`` is monotonic
(IEEE 754 division by a constant is; a correctly rounded or faithful ``log`` is).
Shape: ``int64[buckets, 2]`` = [bin of the bucket's first value, bits of its edge or ``EDGE_NONE``].
"""

from __future__ import annotations

import functools
import math

import numba
import numpy as np

from tinysim.float_bits import float_bits
from tinysim.stats import GROWTH, N_BINS, X_MIN

__all__ = ["BUCKET_SHIFT", "LOG_GROWTH", "bin_table", "fast_bin", "log_bin"]

BUCKET_SHIFT = 42  # keep the sign, the 11 exponent bits and the top 10 mantissa bits
GUESS_FLOATS = 1 << 16  # half the bracket around an edge's closed form X_MIN x GROWTH^bin, in floats
LOG_GROWTH = math.log(GROWTH)
EDGE_NONE = np.iinfo(np.int64).max  # a bucket without a bin edge
KEY_FIRST = int(np.array(X_MIN).view(np.int64)) >> BUCKET_SHIFT
KEY_LAST = int(np.array(1e7).view(np.int64)) >> BUCKET_SHIFT  # past the last bin's start (~1e6 s)


@numba.njit(cache=True, nogil=True, inline="always")
def log_bin(x: float) -> int:  # pragma: no cover - compiled
    """The LogHistogram bin of a duration (seconds)."""
    if x < X_MIN:
        return 0
    v = math.log(x / X_MIN) / LOG_GROWTH
    if v > N_BINS - 2:
        v = N_BINS - 2
    return int(v) + 1


@numba.njit(cache=True, nogil=True)
def _build(first: int, last: int, shift: int) -> np.ndarray:  # pragma: no cover - compiled
    table = np.empty((last - first + 1, 2), dtype=np.int64)
    word = np.empty(1, dtype=np.int64)
    value = word.view(np.float64)  # the same 8 bytes: a bit pattern in, its double out
    for k in range(first, last + 1):
        lo_bits, hi_bits = k << shift, ((k + 1) << shift) - 1
        word[0] = lo_bits
        base = log_bin(value[0])
        table[k - first, 0] = base
        table[k - first, 1] = EDGE_NONE
        word[0] = hi_bits
        if log_bin(value[0]) != base:  # the edge: the first bits whose bin is past base
            a, b = lo_bits, hi_bits
            # bisect from a bracket around the edge's closed form (a few thousand floats wide), checked
            word[0] = float_bits(X_MIN * math.exp(base * LOG_GROWTH))
            guess = word[0]
            word[0] = max(lo_bits, guess - GUESS_FLOATS)
            if log_bin(value[0]) == base:
                a = word[0]
            word[0] = min(hi_bits, guess + GUESS_FLOATS)
            if log_bin(value[0]) != base:
                b = word[0]
            while b - a > 1:
                mid = a + (b - a) // 2
                word[0] = mid
                if log_bin(value[0]) == base:
                    a = mid
                else:
                    b = mid
            table[k - first, 1] = b
    return table


@functools.cache
def bin_table() -> np.ndarray:
    """The bucket table (built once per process, a few tens of milliseconds)."""
    table = _build(KEY_FIRST, KEY_LAST, BUCKET_SHIFT)
    if table[-1, 0] != N_BINS - 1:  # pragma: no cover - the table reaches past the last bin's start
        raise AssertionError("the log-bin table ends before the last bin")
    return table


@numba.njit(cache=True, nogil=True, inline="always")
def fast_bin(x: float, table: np.ndarray) -> int:  # pragma: no cover - compiled
    """``log_bin(x)`` for ``x >= 0`` (seconds) by table lookup."""
    if x < X_MIN:
        return 0
    bits = float_bits(x)
    k = (bits >> BUCKET_SHIFT) - KEY_FIRST
    if k >= table.shape[0]:
        return N_BINS - 1
    return int(table[k, 0] + (bits >= table[k, 1]))
