"""A block's draws in compiled loops that run NumPy's PCG64 inline: NumPy's numbers, faster.

NumPy's ``Generator`` turns each 64-bit output of its bit generator into a double, an exponential or
a normal (``numpy/random/src/distributions/distributions.c``: ``next_double`` is the top 53 bits
times 2**-53; the ziggurats take the layer from the low byte, 256 layers, tables ``ke/we/fe`` and
``ki/wi/fi``). Calling the bit generator through a function pointer for every value, and NumPy's
branch on each normal's sign, cost more than the arithmetic. Here the generator runs inline
(:mod:`tinysim.pcg64`) and the same algorithms, with the same tables (numba's copy of NumPy's,
``numba.np.random._constants``), read its outputs in order: the same values as the ``Generator``
methods, bit for bit, in about half the time.

Each function takes the generator's state words (:func:`tinysim.pcg64.pcg64_words`) and leaves them
advanced past what it drew, so calls in a row continue one stream. The ``Generator`` itself is not
advanced: draw nothing else from it afterwards.
"""

from __future__ import annotations

import math

import numba
import numpy as np
from numba.np.random._constants import (
    fe_double,
    fi_double,
    ke_double,
    ki_double,
    we_double,
    wi_double,
    ziggurat_exp_r,
    ziggurat_nor_inv_r,
    ziggurat_nor_r,
)

from tinysim import libm_exp
from tinysim.pcg64 import U64, next_double, next_uint64

__all__ = ["SERVICE_KINDS", "arrival_times", "service_times", "uniforms"]

#: Service-time kinds drawn here, by code: ``scale * exponential``, ``scale``, ``exp(mu + sigma * normal)``.
SERVICE_KINDS = {"exponential": 0, "constant": 1, "lognormal": 2}
_U1, _U3, _U8, _BYTE = np.uint64(1), np.uint64(3), np.uint64(8), np.uint64(0xFF)
_MANTISSA = np.uint64(0x000FFFFFFFFFFFFF)


@numba.njit(inline="always")
def _exponential(lo: U64, hi: U64, il: U64, ih: U64) -> tuple[float, U64, U64]:  # pragma: no cover
    """NumPy's ``random_standard_exponential``, and the new state."""
    while True:
        ri, lo, hi = next_uint64(lo, hi, il, ih)
        ri >>= _U3
        idx = ri & _BYTE
        ri >>= _U8
        x = ri * we_double[idx]
        if ri < ke_double[idx]:
            return x, lo, hi
        u, lo, hi = next_double(lo, hi, il, ih)
        if idx == 0:
            return ziggurat_exp_r - math.log1p(-u), lo, hi
        if (fe_double[idx - 1] - fe_double[idx]) * u + fe_double[idx] < math.exp(-x):
            return x, lo, hi


@numba.njit(inline="always")
def _normal(lo: U64, hi: U64, il: U64, ih: U64) -> tuple[float, U64, U64]:  # pragma: no cover
    """NumPy's ``random_standard_normal``, and the new state."""
    while True:
        r, lo, hi = next_uint64(lo, hi, il, ih)
        idx = r & _BYTE
        r >>= _U8
        rabs = (r >> _U1) & _MANTISSA
        # the sign as a factor of exactly -1.0 or 1.0 (the same value as NumPy's negation), not a
        # branch: a branch on a random bit is mispredicted half the time
        x = rabs * wi_double[idx] * (1.0 - 2.0 * float(r & _U1))
        if rabs < ki_double[idx]:
            return x, lo, hi
        if idx == 0:
            while True:
                u, lo, hi = next_double(lo, hi, il, ih)
                v, lo, hi = next_double(lo, hi, il, ih)
                xx = -ziggurat_nor_inv_r * math.log1p(-u)
                yy = -math.log1p(-v)
                if yy + yy > xx * xx:
                    tail = ziggurat_nor_r + xx
                    return (-tail if (rabs >> _U8) & _U1 else tail), lo, hi
        u, lo, hi = next_double(lo, hi, il, ih)
        if (fi_double[idx - 1] - fi_double[idx]) * u + fi_double[idx] < math.exp(-0.5 * x * x):
            return x, lo, hi


@numba.njit(cache=True, nogil=True)
def arrival_times(words: np.ndarray, counts: np.ndarray, secs: np.ndarray) -> np.ndarray:  # pragma: no cover
    """Sorted arrival times: ``counts[j]`` uniform points in ``[secs[j], secs[j] + 1)``.

    k sorted uniforms on a second are the first k partial sums of k + 1 standard exponentials over
    their total, so no sort is needed; the operations are those of the vectorised NumPy form (one
    running sum of the exponentials; ``sec + (partial - before) / span``). Draws ``counts.sum() +
    secs.size`` exponentials, second by second. Shapes: ``counts`` (int64), ``secs`` (float) of one
    length.
    """
    lo, hi, il, ih = words[0], words[1], words[2], words[3]
    total = 0
    for j in range(counts.shape[0]):
        total += counts[j]
    out = np.empty(total)
    running = 0.0
    w = 0
    for j in range(counts.shape[0]):
        before = running
        first = w
        for _ in range(counts[j]):
            e, lo, hi = _exponential(lo, hi, il, ih)
            running += e
            out[w] = running
            w += 1
        e, lo, hi = _exponential(lo, hi, il, ih)
        running += e
        span = running - before
        sec = secs[j]
        for k in range(first, w):
            out[k] = sec + (out[k] - before) / span
    words[0], words[1] = lo, hi
    return out


@numba.njit(cache=True, nogil=True)
def service_times(
    words: np.ndarray, kind: int, scale: float, mu: float, sigma: float, n: int, inline_exp: bool
) -> np.ndarray:  # pragma: no cover
    """``n`` service times (s) of a :data:`SERVICE_KINDS` kind, as ``rng.exponential(scale, n)``,
    ``np.full(n, scale)`` or ``rng.lognormal(mu, sigma, n)`` give them. ``inline_exp``: take the
    lognormal's exponential inline (:func:`tinysim.libm_exp.exp`; pass
    :func:`tinysim.libm_exp.matches_libm`)."""
    lo, hi, il, ih = words[0], words[1], words[2], words[3]
    out = np.empty(n)
    if kind == 1:
        out[:] = scale
    elif kind == 0:
        for k in range(n):
            e, lo, hi = _exponential(lo, hi, il, ih)
            out[k] = scale * e
    else:
        for k in range(n):
            z, lo, hi = _normal(lo, hi, il, ih)
            out[k] = mu + sigma * z
        # the exponentials apart, in a pass of their own that the compiler vectorises
        libm_exp.exp_in_place(out, inline_exp)
    words[0], words[1] = lo, hi
    return out


@numba.njit(cache=True, nogil=True)
def uniforms(words: np.ndarray, n: int) -> np.ndarray:  # pragma: no cover - compiled
    """``rng.random(n)``: ``n`` uniforms on [0, 1)."""
    lo, hi, il, ih = words[0], words[1], words[2], words[3]
    out = np.empty(n)
    for k in range(n):
        u, lo, hi = next_double(lo, hi, il, ih)
        out[k] = u
    words[0], words[1] = lo, hi
    return out
