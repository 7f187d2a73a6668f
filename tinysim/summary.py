"""The run summary: a typed record of what one forecast offered, served, failed, cost and how fast it
answered, with the SLO metrics computed here once for every face (CLI, dashboard, sweep, notebooks).

Its JSON form (``RunSummary.as_json``, what ``tinysim run --json`` prints and ``summary.json`` holds) keeps
every key of the first form and adds, under ``"version": 2``, ``failures`` (failed requests by cause) and
``latency_all_ms`` (percentiles over all requests, a failed request counting as an SLO miss).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import numpy as np

from tinysim.costs import Bill
from tinysim.stats import LogHistogram

__all__ = [
    "SUMMARY_VERSION",
    "Failures",
    "LambdaStats",
    "LatencyStats",
    "RequestCounts",
    "RunSummary",
    "Scaling",
    "ServedLatency",
    "SloReport",
]

SUMMARY_VERSION = 2
#: A latency percentile that falls among failed requests: the request never got an answer in time.
FAILED = math.inf


@dataclass(frozen=True)
class RequestCounts:
    """Requests by outcome over the run. ``offered = served + throttled + timed_out + in_flight + failed``."""

    offered: int
    served: int
    throttled: int  # refused: by the front door, for want of a serving task, or by Lambda
    timed_out: int  # admitted but not answered within the front door's (or the function's) timeout
    in_flight: int  # still being served when the run ended (neither served nor failed)
    failed: int = 0  # answered, but the answer broke a payload limit (502/413)


@dataclass(frozen=True)
class Failures:
    """Failed requests by cause. ``total == throttled + timed_out + failed`` of the run's ``RequestCounts``.

    ``front_door`` counts requests the front door refused: API Gateway's throttle (429) and the 503 it
    or the ALB returns while no task is serving. ``lambda_throttled`` counts requests Lambda refused at
    its concurrency limit (429). ``timed_out`` counts requests cut off at the integration timeout (API
    Gateway 29 s, ALB idle timeout) or at the function's own timeout. ``payload`` counts answers over a
    payload limit of the front door or the function (``tinysim.payload_limits``).
    """

    front_door: int
    lambda_throttled: int
    timed_out: int
    payload: int = 0

    @property
    def total(self) -> int:
        return self.front_door + self.lambda_throttled + self.timed_out + self.payload

    def as_json(self) -> dict[str, int]:
        return {
            "front_door": self.front_door,
            "lambda_throttled": self.lambda_throttled,
            "timed_out": self.timed_out,
            "payload": self.payload,
            "total": self.total,
        }


@dataclass(frozen=True)
class LatencyStats:
    """Mean, percentiles and maximum in ms (``None`` when nothing was measured; ``inf`` for a
    percentile that falls among failed requests; NaN for what the run cannot know: a fluid run's
    maximum, since it has the latency distribution but not the single slowest request). ``as_json``
    writes ``inf`` as ``"failed"`` and NaN as ``null``."""

    mean: float | None
    p50: float | None
    p95: float | None
    p99: float | None
    max: float | None

    def as_json(self) -> dict[str, float | str | None]:
        def show(v: float | None) -> float | str | None:
            if v is not None and math.isnan(v):
                return None
            return "failed" if v is not None and math.isinf(v) else v

        return {k: show(getattr(self, k)) for k in ("mean", "p50", "p95", "p99", "max")}


@dataclass(frozen=True)
class Scaling:
    max_tasks: int
    scale_out_events: int
    scale_in_events: int


@dataclass(frozen=True)
class LambdaStats:
    max_concurrency: int
    cold_starts: int
    throttles: int


@dataclass(frozen=True)
class ServedLatency:
    """The latency distribution of served requests (seconds), for quantiles and shares within a bound.

    A request-level run keeps its exact-count log histogram (relative error < 0.05%); a fluid run has
    only its whole-run p50/p95/p99 and the largest minute p99, and the curve is linear between them.
    """

    histogram: LogHistogram | None = None
    knots_ms: tuple[float, ...] = ()  # fluid: p50, p95, p99, max
    knots_q: tuple[float, ...] = (0.5, 0.95, 0.99, 1.0)

    def quantile_ms(self, q: float) -> float | None:
        """The q-quantile of served latency in ms, ``None`` when nothing was served."""
        if self.histogram is not None:
            return None if not self.histogram.n else self.histogram.quantile(q) * 1000
        if not self.knots_ms:
            return None
        return float(np.interp(q, self.knots_q, self.knots_ms))

    def share_within(self, bound_ms: float) -> float:
        """The share of served requests answered within ``bound_ms`` (1.0 when nothing was served)."""
        if self.histogram is not None:
            return self.histogram.share_at_most(bound_ms / 1000)
        if not self.knots_ms:
            return 1.0
        return float(np.interp(bound_ms, (0.0, *self.knots_ms), (0.0, *self.knots_q)))


@dataclass(frozen=True)
class SloReport:
    """How a run meets a latency SLO: every offered request answered within ``latency_ms``.

    ``availability`` is requests served within the SLO over requests offered (1.0 with no traffic);
    a throttled or timed-out request is a miss, and so is a request served too slowly.
    """

    latency_ms: float
    offered: int
    served_within: int
    failed: int

    @property
    def availability(self) -> float:
        return self.served_within / self.offered if self.offered else 1.0

    @property
    def misses(self) -> int:
        return self.offered - self.served_within


@dataclass(frozen=True)
class RunSummary:
    """One forecast's summary. Money is the month's bill (the run scaled by ``month_factor`` to 730 h)."""

    fidelity: str
    seed: int
    horizon_s: int
    requests: RequestCounts
    failures: Failures
    latency_ms: LatencyStats  # over served requests
    latency_all_ms: LatencyStats  # over all finished requests, a failed one counting as a miss
    wait_ms: LatencyStats  # queueing before service, over served requests
    scaling: Scaling
    lambda_: LambdaStats
    bill: Bill
    month_factor: float
    itemised: bool = True  # whether ``as_json`` writes the bill's lines
    served: ServedLatency = field(default_factory=ServedLatency, compare=False, repr=False)

    @property
    def total_usd(self) -> Decimal:
        return self.bill.total_usd

    @property
    def price_book(self) -> str:
        return self.bill.price_book

    @property
    def monthly_requests(self) -> float:
        """Requests offered in a month at the run's pace."""
        return self.requests.offered * self.month_factor

    @property
    def usd_per_million_requests(self) -> Decimal | None:
        """The month's bill over the month's offered requests, per million (``None`` with no traffic)."""
        if self.requests.offered <= 0:
            return None
        per_million = self.total_usd / Decimal(repr(self.monthly_requests / 1e6))
        return per_million.quantize(Decimal("0.01"))

    @property
    def served_share(self) -> float:
        """Served requests over offered requests, whatever their latency (1.0 with no traffic)."""
        return self.requests.served / self.requests.offered if self.requests.offered else 1.0

    @property
    def failed_share(self) -> float:
        """Failed requests over offered requests (0.0 with no traffic)."""
        return self.failures.total / self.requests.offered if self.requests.offered else 0.0

    @property
    def extrapolated(self) -> bool:
        """Whether the bill scales a run shorter or longer than a month (730 h)."""
        return not math.isclose(self.month_factor, 1.0)

    def slo(self, latency_ms: float) -> SloReport:
        """Served-within-SLO counts for a latency bound in ms."""
        within = round(self.requests.served * self.served.share_within(latency_ms))
        return SloReport(float(latency_ms), self.requests.offered, within, self.failures.total)

    def as_json(self) -> dict[str, Any]:
        """The JSON form: the first form's keys plus ``version``, ``failures`` and ``latency_all_ms``."""
        r, sc, lam = self.requests, self.scaling, self.lambda_
        bill = self.bill
        return {
            "version": SUMMARY_VERSION,
            "fidelity": self.fidelity,
            "seed": self.seed,
            "horizon_s": self.horizon_s,
            "requests": {
                "offered": r.offered,
                "served": r.served,
                "throttled": r.throttled,
                "timed_out": r.timed_out,
                "in_flight": r.in_flight,
                "failed": r.failed,
            },
            "failures": self.failures.as_json(),
            "latency_ms": self.latency_ms.as_json(),
            "latency_all_ms": self.latency_all_ms.as_json(),
            "wait_ms": self.wait_ms.as_json(),
            "total_usd": str(bill.total_usd),
            "month_factor": self.month_factor,
            "bill": bill.as_json()
            if self.itemised
            else {"price_book": bill.price_book, "total_usd": str(bill.total_usd)},
            "scaling": {
                "max_tasks": sc.max_tasks,
                "scale_out_events": sc.scale_out_events,
                "scale_in_events": sc.scale_in_events,
            },
            "lambda": {
                "max_concurrency": lam.max_concurrency,
                "cold_starts": lam.cold_starts,
                "throttles": lam.throttles,
            },
        }


def latency_over_all(served: ServedLatency, stats: LatencyStats, n_served: int, n_failed: int) -> LatencyStats:
    """Percentiles over served and failed requests, failed ones ranked above every served one.

    The q-quantile of all requests is the served distribution's (q * all / served)-quantile while that
    is at most 1, and ``inf`` (a failure) beyond. The mean and maximum are left out (``None``) when any
    request failed: an unanswered request has no duration to average.
    """
    n_all = n_served + n_failed
    if n_all == 0:
        return LatencyStats(None, None, None, None, None)

    def pct(q: float) -> float | None:
        if n_served == 0:
            return FAILED
        q_served = q * (n_all - 1) / max(n_served - 1, 1) if n_served > 1 else 0.0
        if q * (n_all - 1) > n_served - 1:
            return FAILED
        return served.quantile_ms(min(1.0, q_served))

    if n_failed == 0:
        return stats
    return LatencyStats(None, pct(0.5), pct(0.95), pct(0.99), FAILED)
