"""Latency quantiles of the fluid fidelity, taken the way the request engine takes them: of the latency
distribution itself (a step's for its minute, the mixture of every step's, weighted by requests served, for
the run), not as sums of quantiles or quantiles of per-step quantiles.

A step's latency is ``overhead + W + S`` with the service time ``S`` independent of the wait ``W``. ``S`` is
a set of points (its quantiles, :func:`service_points`); ``W`` is ``d0`` with probability ``1 - pa`` and
``d1 + E`` with probability ``pa``, ``E`` exponential of rate ``theta`` (none when ``theta`` <= 0).
Container steps: Erlang C's wait (``pa`` = P(wait), ``theta`` = (c mu - lambda) / ((1 + SCV) / 2)), or
everyone waits a backlog's drain time ``d0``. Lambda steps: ``d1`` = INIT for the cold-started share ``pa``.
"""

from __future__ import annotations

import math
from statistics import NormalDist

import numba
import numpy as np

from tinysim.distributions import Distribution
from tinysim.float_sums import repeat_add

__all__ = ["N_POINTS", "latency_cdf", "run_quantiles", "service_points", "step_quantiles"]

N_POINTS = 64
#: Cell boundaries (cumulative probabilities) of the service points: the body evenly, the tail finely.
_LEVELS = np.unique(
    np.concatenate([np.linspace(1 / 40, 38 / 40, 38), np.linspace(0.955, 0.995, 17), [0.996, 0.997, 0.998, 0.999]])
)
_TOP = 0.9999  # the last cell (up to 1) sits at most at this quantile


def service_points(d: Distribution) -> np.ndarray:
    """``(2, N_POINTS)``: service times (s) and their probabilities: cells between fixed probability levels
    (fine in the tail), each cell's probability at its middle quantile."""
    edges = np.concatenate([[0.0], _LEVELS, [1.0]])
    probs = np.diff(edges)
    levels = np.minimum((edges[:-1] + edges[1:]) / 2, _TOP)  # each cell's mass at its middle quantile
    if d.kind == "exponential":
        s = -np.log1p(-levels) * d.mean_s
    elif d.kind == "constant":
        s = np.full(levels.size, d.mean_s)
    elif d.kind == "lognormal":
        mu = math.log(d.mean_s) - d.sigma**2 / 2
        z = np.array([NormalDist().inv_cdf(float(u)) for u in levels])
        s = np.exp(mu + d.sigma * z)
    else:
        s = np.quantile(np.asarray(d.samples_s), levels, method="inverted_cdf")
    out = np.zeros((2, N_POINTS))
    out[0, : s.size], out[1, : s.size] = s, probs
    out[0, s.size :] = s[-1]
    return out


@numba.njit(cache=True, nogil=True)
def _f(svc: np.ndarray, y: float) -> float:  # pragma: no cover - compiled
    """P(S <= y)."""
    acc = 0.0
    for j in range(svc.shape[1]):
        if svc[0, j] <= y:
            acc += svc[1, j]
    return acc


@numba.njit(cache=True, nogil=True)
def _h(svc: np.ndarray, y: float, theta: float) -> float:  # pragma: no cover - compiled
    """P(S + E <= y), E exponential of rate ``theta``."""
    acc = 0.0
    for j in range(svc.shape[1]):
        if svc[0, j] < y:
            acc += svc[1, j] * -math.expm1(-theta * (y - svc[0, j]))
    return acc


@numba.njit(cache=True, nogil=True)
def latency_cdf(
    x: float, pa: float, theta: float, d0: float, d1: float, overhead_s: float, svc: np.ndarray
) -> float:  # pragma: no cover - compiled
    """P(latency <= x) of one step (seconds)."""
    y = x - overhead_s
    tail = _h(svc, y - d1, theta) if theta > 0 else _f(svc, y - d1)
    return (1 - pa) * _f(svc, y - d0) + pa * tail if pa > 0 else _f(svc, y - d0)


@numba.njit(cache=True, nogil=True)
def _upper(
    pa: float, theta: float, d0: float, d1: float, overhead_s: float, svc: np.ndarray, q: float
) -> float:  # pragma: no cover - compiled
    """A latency at which the CDF is at least ``q`` (the sum of the parts' quantiles)."""
    top = overhead_s + max(d0, d1) + float(svc[0, svc.shape[1] - 1])
    if pa > 0 and theta > 0 and pa > 1 - q:
        top += math.log(pa / (1 - q)) / theta
    return top * 1.0001 + 1e-9


@numba.njit(cache=True, nogil=True)
def _quantile(
    q: float, pa: float, theta: float, d0: float, d1: float, o: float, svc: np.ndarray
) -> float:  # pragma: no cover - compiled
    """The q-quantile of one step's latency (s), by bisection to 0.01%."""
    lo, hi = o + min(d0, d1), _upper(pa, theta, d0, d1, o, svc, q)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if latency_cdf(mid, pa, theta, d0, d1, o, svc) >= q:
            hi = mid
        else:
            lo = mid
        if hi - lo <= 1e-4 * hi:
            break
    return hi


@numba.njit(cache=True, nogil=True)
def step_quantiles(
    out: np.ndarray, same: np.ndarray, overhead_s: float, svc: np.ndarray, svc_q: np.ndarray
) -> None:  # pragma: no cover - compiled
    """Fill columns 4-6 (p50, p95, p99 in ms) of every step from its wait parameters (columns 16-19).

    Steps whose parameters are those of the last step computed (to 1e-9, float noise of a steady load)
    reuse its quantiles; a step marked in ``same`` (a copy of the step before) takes the step before's
    quantiles, whole stretches of them at once (what the parameters' comparison would give it)."""
    qs = (0.5, 0.95, 0.99)
    last = np.full(4, -1.0)
    last_q = np.zeros(3)
    n = out.shape[0]
    i = -1
    while i + 1 < n:
        i += 1
        if same[i]:  # i > 0: the first step is never a copy
            j = i + 1
            while j < n and same[j]:
                j += 1
            for k in range(3):
                out[i:j, 4 + k] = out[i - 1, 4 + k]
            i = j - 1
            continue
        pa, theta, d0, d1 = out[i, 16], out[i, 17], out[i, 18], out[i, 19]
        near = abs(pa - last[0]) <= 1e-9 * pa and abs(theta - last[1]) <= 1e-9 * theta
        if near and abs(d0 - last[2]) <= 1e-9 * d0 and d1 == last[3] and i > 0:
            for k in range(3):
                out[i, 4 + k] = last_q[k]
            continue
        last[0], last[1], last[2], last[3] = pa, theta, d0, d1
        for k in range(3):
            exact = overhead_s + d0 + svc_q[k]  # without waiting: the service quantile, shifted
            out[i, 4 + k] = 1000 * (exact if pa <= 0 else _quantile(qs[k], pa, theta, d0, d1, overhead_s, svc))
            last_q[k] = out[i, 4 + k]


_OCTAVE_BINS = 64


@numba.njit(cache=True, nogil=True)
def _slot(v: float) -> int:  # pragma: no cover - compiled
    """Geometric bin of a positive value (64 per octave, 2^-64 .. 2^63), 1 + the bin; 0 for v <= 0."""
    if v <= 0:
        return 0
    m, e = math.frexp(v)
    e = min(63, max(-64, e))
    return 1 + (e + 64) * _OCTAVE_BINS + int((m - 0.5) * 2 * _OCTAVE_BINS)


@numba.njit(cache=True, nogil=True)
def _add_wait(
    total: float,
    w: float,
    pa: float,
    theta: float,
    d0: float,
    d1: float,
    times: int,
    a_w: np.ndarray,
    a_d: np.ndarray,
    b_w: np.ndarray,
    b_t: np.ndarray,
) -> float:  # pragma: no cover - compiled
    """Add ``times`` steps of weight ``w`` > 0 and wait (pa, theta, d0, d1) into ``run_quantiles``'s bins,
    term by term in step order (the sums are those of adding each step in turn); returns ``total`` + each
    ``w``. A fixed shift ``d0`` (weight ``w (1 - pa)``) goes to bin ``_slot(d0)``; when ``pa`` > 0, an
    exponential part of rate ``theta`` to ``b_*[_slot(theta)]`` or, without one, the shift ``d1`` to
    ``a_*[_slot(d1)]`` (which may be ``d0``'s bin: its two terms then alternate)."""
    k0 = _slot(d0)
    c1, c2 = w * (1 - pa), w * (1 - pa) * d0
    aw, ad = a_w[k0], a_d[k0]
    if not pa > 0:
        a_w[k0], a_d[k0] = repeat_add(aw, c1, times), repeat_add(ad, c2, times)
        return repeat_add(total, w, times)
    # the waiting part's bins: an exponential's, or a shift's (d0's own bin when both shifts share it)
    second_w, second_x = (b_w, b_t) if theta > 0 else (a_w, a_d)
    k1 = _slot(theta) if theta > 0 else _slot(d1)
    c3, c4 = w * pa, w * pa * (theta if theta > 0 else d1)
    if not theta > 0 and k1 == k0:
        for _ in range(times):
            total += w
            aw += c1
            ad += c2
            aw += c3
            ad += c4
    else:
        total, aw, ad = repeat_add(total, w, times), repeat_add(aw, c1, times), repeat_add(ad, c2, times)
        second_w[k1], second_x[k1] = repeat_add(second_w[k1], c3, times), repeat_add(second_x[k1], c4, times)
    a_w[k0], a_d[k0] = aw, ad
    return total


@numba.njit(cache=True, nogil=True)
def run_quantiles(
    out: np.ndarray, same: np.ndarray, weights: np.ndarray, overhead_s: float, svc: np.ndarray, qs: np.ndarray
) -> np.ndarray:  # pragma: no cover - compiled
    """Quantiles (ms) of the run's latency: the mixture of every step's distribution weighted by
    ``weights`` (requests served). Waits are gathered in 1%-wide geometric bins first (shift ``d`` and rate
    ``theta``), so the cost does not grow with the run's length. NaN without weight. A row marked in
    ``same`` (a copy of the row before, weight included) is not read again."""
    size = 1 + 128 * _OCTAVE_BINS
    a_w, a_d = np.zeros(size), np.zeros(size)  # a fixed shift d (no exponential part)
    b_w, b_t = np.zeros(size), np.zeros(size)  # an exponential part of rate theta (shift 0)
    total = 0.0
    n = out.shape[0]
    i = 0
    while i < n:
        w, pa, theta, d0, d1 = weights[i], out[i, 16], out[i, 17], out[i, 18], out[i, 19]
        j = i + 1
        while j < n and same[j]:  # rows i..j-1 are one step's copies: each adds the same terms in turn
            j += 1
        if w > 0:
            total = _add_wait(total, w, pa, theta, d0, d1, j - i, a_w, a_d, b_w, b_t)
        i = j
    res = np.full(qs.shape[0], np.nan)
    if total <= 0:
        return res
    na = nb = 0
    for k in range(size):
        na += a_w[k] > 0
        nb += b_w[k] > 0
    aw, ad, bw, bt = np.empty(na), np.empty(na), np.empty(nb), np.empty(nb)
    ia = ib = 0
    d_max, t_min = 0.0, math.inf
    for k in range(size):
        if a_w[k] > 0:
            aw[ia], ad[ia] = a_w[k] / total, a_d[k] / a_w[k]
            d_max = max(d_max, ad[ia])
            ia += 1
        if b_w[k] > 0:
            bw[ib], bt[ib] = b_w[k] / total, b_t[k] / b_w[k]
            t_min = min(t_min, bt[ib])
            ib += 1
    s_max = svc[0, svc.shape[1] - 1]
    for qi in range(qs.shape[0]):
        q = qs[qi]
        lo = overhead_s
        hi = overhead_s + d_max + s_max + (math.log(1 / (1 - q)) / t_min if nb > 0 else 0.0)
        hi = hi * 1.0001 + 1e-9
        for _ in range(60):
            mid = 0.5 * (lo + hi)
            y = mid - overhead_s
            c = 0.0
            for j in range(na):
                c += aw[j] * _f(svc, y - ad[j])
            for j in range(nb):
                c += bw[j] * _h(svc, y, bt[j])
            if c >= q:
                hi = mid
            else:
                lo = mid
            if hi - lo <= 1e-4 * hi:
                break
        res[qi] = 1000 * hi
    return res
