"""The inline ``exp`` gives the C library's double for every argument, bit for bit: on random
arguments over the fast range, on the arguments next to the rounding ties of ``k = x * 128/ln2``
(where only a fused multiply-add for ``k`` gives the library's result), at the ends of the fast
range and outside it (the library itself)."""

from __future__ import annotations

import numpy as np
import pytest

from tinysim import libm_exp
from tinysim.libm_exp import _both, check_values, matches_libm


def _same_bits(x: np.ndarray) -> bool:
    inline, library = _both(x)
    return bool(np.array_equal(inline.view(np.int64), library.view(np.int64)))


def test_the_library_here_is_the_one_computed_inline() -> None:
    assert matches_libm()  # the project's machines run glibc's FMA exp: the fast path is in use


@pytest.mark.parametrize(("lo", "hi"), [(-20.0, 20.0), (-511.0, 511.0), (-1e-6, 1e-6), (-12.0, 3.0)])
def test_random_arguments_give_the_librarys_bits(lo: float, hi: float) -> None:
    x = np.random.default_rng(int(hi * 7)).uniform(lo, hi, 2_000_000)
    assert _same_bits(x)


def test_arguments_next_to_rounding_ties_give_the_librarys_bits() -> None:
    # x within 12 doubles of (k + 1/2) ln2/128: rounding x * 128/ln2 in two steps instead of one
    # picks the other k for some of them (266 of 9.6 million such arguments differed in a test)
    base = (np.arange(-90_000, 90_000) + 0.5) / libm_exp.INV_LN2_N
    x = [base]
    for direction in (np.inf, -np.inf):
        step = base
        for _ in range(12):
            step = np.nextafter(step, direction)
            x.append(step)
    assert _same_bits(np.concatenate(x))


def test_the_table_is_two_to_the_j_over_128() -> None:
    j = np.arange(libm_exp.N)
    head = (libm_exp.TABLE[1::2] + (j << 45)).view(np.float64)
    tail = libm_exp.TABLE[0::2].view(np.float64)
    near = 2.0 ** (j / libm_exp.N)  # pow: within a unit in the last place
    assert np.all(np.abs(head - near) <= np.spacing(near))  # H[j]: 2**(j/128) rounded
    assert np.all(np.abs(tail) <= 2.0**-53)  # the rest, relative: within half a unit of H[j]
    assert head[0] == 1.0 and tail[0] == 0.0
    # published values (glibc's e_exp_data.c, __exp_data.tab) for j = 1
    assert libm_exp.TABLE[2] == 0x3C9B3B4F1A88BF6E and libm_exp.TABLE[3] == 0x3FEFF63DA9FB3335


@pytest.mark.parametrize(
    "x",
    [0.0, -0.0, 2.0**-55, 2.0**-54, 511.99999999999994, 512.0, -512.0, 709.0, 710.0, -745.0, -746.0,
     float("inf"), float("-inf"), float("nan")],
)  # fmt: skip
def test_arguments_at_and_past_the_ends_of_the_fast_range(x: float) -> None:
    assert _same_bits(np.array([x]))  # the library itself past the ends (inf, 0, NaN as it gives)


def test_the_check_covers_the_fast_range() -> None:
    x = check_values()
    top = (x.view(np.int64) >> 52) & 0x7FF
    inside = (top >= libm_exp.TOP_LO) & (top < libm_exp.TOP_HI)
    assert inside.mean() > 0.99 and x.min() < -500 and x.max() > 500


@pytest.mark.parametrize("outside", [None, 600.0, 0.0, float("nan")])
@pytest.mark.parametrize("inline", [True, False])
def test_exp_in_place_gives_the_librarys_bits(outside: float | None, inline: bool) -> None:
    # all in the fast range (one vectorised pass), or one value outside it (value by value)
    x = np.random.default_rng(4).normal(-4.0, 2.0, 10_001)
    if outside is not None:
        x[5_000] = outside
    want = _both(x)[1]
    libm_exp.exp_in_place(x, inline)
    assert np.array_equal(x.view(np.int64), want.view(np.int64))
