"""Arrays a fluid run writes its output into, reused by a later run on the same thread once nothing
refers to them any longer.

A month's run writes about 9 MB of output (its steps and its datapoints); memory fresh from the operating
system costs a page fault on its first write, which costs more than the write itself. A result keeps what
it returns (its timeline's columns are views of the kernel's output), so an array is handed out again only
when its reference count shows that no result, view or other object holds it: a result a caller keeps never
shares memory with a later run's. Arrays come uninitialised (``np.empty``): the caller writes every cell it
reads.
"""

from __future__ import annotations

import sys
import threading

import numpy as np

__all__ = ["output_array"]

_KEPT = 12  # arrays kept per thread (a run takes five; two runs' worth, when a caller keeps the last result)


def _held_only_here() -> int:
    """The reference count ``output_array`` sees for an array that only its pool holds (the list, the
    loop's name and the call's argument in CPython 3.11), measured the way it checks, not assumed."""
    pool = [np.empty(1)]
    for a in pool:
        return sys.getrefcount(a)
    raise AssertionError  # pragma: no cover - the loop returns


_OURS = _held_only_here()


class _Pool(threading.local):
    def __init__(self) -> None:
        self.arrays: list[np.ndarray] = []


_POOL = _Pool()


def output_array(shape: tuple[int, ...], dtype: type | np.dtype = np.float64, order: str = "C") -> np.ndarray:
    """An uninitialised array of ``shape``, ``dtype`` and memory ``order`` ("C" or "F") that nothing else
    refers to: one this thread handed out before and that every holder has let go of, else a new one."""
    want = np.dtype(dtype)
    pool = _POOL.arrays
    for a in pool:
        if a.shape == shape and a.dtype == want and _ordered(a, order) and sys.getrefcount(a) == _OURS:
            return a
    a = np.empty(shape, dtype=want, order="F" if order == "F" else "C")
    if len(pool) >= _KEPT:
        del pool[0]  # the oldest: a result may still hold it, it is simply no longer reused
    pool.append(a)
    return a


def _ordered(a: np.ndarray, order: str) -> bool:
    return bool(a.flags.f_contiguous) if order == "F" else bool(a.flags.c_contiguous)
