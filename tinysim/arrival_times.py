"""Arrival times within seconds, compiled: k sorted uniforms on a second are the first k partial
sums of k+1 standard exponentials over their total, so a block of seconds needs no sort.

The exponentials are drawn from the block's generator as they are used, in the order NumPy's
``rng.standard_exponential(counts.sum() + secs.size)`` gives them (:mod:`tinysim.draws`), and the
arithmetic is the same, operation for operation, as the vectorised NumPy form it replaces (one
running sum of the exponentials; ``sec + (partial - before) / span``), so a seed gives bit-identical
arrival times.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["sorted_within_seconds"]


@numba.njit(cache=True, nogil=True)
def sorted_within_seconds(
    rng: np.random.Generator, counts: np.ndarray, secs: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """Arrival times, sorted: ``counts[j]`` uniform points in ``[secs[j], secs[j] + 1)``.

    Draws ``counts.sum() + secs.size`` standard exponentials from ``rng``, second by second (each
    second's ``counts[j] + 1``, the last one closing the second). Shapes: ``counts`` (int64) and
    ``secs`` (seconds, float) of one length; returns ``counts.sum()`` times in seconds.
    """
    total = 0
    for j in range(counts.shape[0]):
        total += counts[j]
    out = np.empty(total)
    running = 0.0  # the running sum of every exponential so far
    w = 0  # next output
    for j in range(counts.shape[0]):
        c = counts[j]
        before = running
        first = w
        for _ in range(c):
            running += rng.standard_exponential()
            out[w] = running
            w += 1
        running += rng.standard_exponential()
        span = running - before
        sec = secs[j]
        for i in range(first, w):
            out[i] = sec + (out[i] - before) / span
    return out
