"""The fluid fidelity offers exactly the requests the traffic integrates to, for every traffic kind.

The right values are hand computations (closed-form integrals of the rate) and the request engine's
count (Poisson around the same expectation: within 4 standard deviations, sqrt(expected) each).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models import Scenario, load_scenario
from models.scenario import MONTH_S
from tinysim.simulate import simulate
from tinysim.traffic import rate_function

EXAMPLES = Path(__file__).parents[2] / "examples"
FARGATE = {"container": {"launch_type": "fargate", "task": {"cpu_units": 1024, "memory_mb": 2048}}}


def _scenario(traffic: dict[str, Any], horizon_s: int, **extra: Any) -> Scenario:
    data: dict[str, Any] = {"plan": FARGATE, "traffic": traffic, "horizon_s": horizon_s, "seed": 3, **extra}
    return Scenario.model_validate(data)


def _offered(sc: Scenario, fidelity: str) -> int:
    return simulate(sc.model_copy(update={"fidelity": fidelity})).summary.requests.offered


@pytest.mark.parametrize("start_s", [0.0, 29.0, 59.0, 119.5])
def test_a_two_second_spike_offers_its_requests_wherever_it_falls(start_s: float) -> None:
    # 50,000 requests/s for 2 s is 100,000 requests, whichever 60-s step(s) it falls in (sampling each
    # step's middle lost it at 0 and 59 s and made 60 s of it, 3,000,000, at 29 s); the request engine
    # draws Poisson counts around the same 100,000 (sd 316).
    traffic = {"kind": "spike", "base_rps": 0, "spike_rps": 50_000, "start_s": start_s, "duration_s": 2}
    sc = _scenario(traffic, 600)
    assert _offered(sc, "fluid") == 100_000
    assert abs(_offered(sc, "request") - 100_000) <= 4 * math.sqrt(100_000)


def test_a_one_second_spike_in_a_month_bills_like_the_request_engine() -> None:
    # one second of 100,000 requests on top of 1 request/s for a day
    traffic = {"kind": "spike", "base_rps": 1, "spike_rps": 100_000, "start_s": 43_229, "duration_s": 1}
    sc = _scenario(traffic, 86_400)
    assert _offered(sc, "fluid") == 86_399 + 100_000


def test_diurnal_half_day_is_the_integral_of_the_cosine() -> None:
    # r(t) = m + a cos(w t - phi), w = 2 pi / 86,400 s, phi = 2 pi x 14 / 24: the integral over 12 h is
    # m x 43,200 + a / w x (sin(w 43,200 - phi) - sin(-phi))
    m, a = 100.0, 60.0
    w, phi = 2 * math.pi / 86_400, 2 * math.pi * 14 / 24
    want = m * 43_200 + a / w * (math.sin(w * 43_200 - phi) - math.sin(-phi))
    rate = rate_function(
        Scenario.model_validate({"traffic": {"kind": "diurnal", "mean_rps": m, "peak_rps": m + a}}).traffic
    )
    got = rate.expected_between(np.array([0.0, 43_200.0]))
    assert got[0] == pytest.approx(want, rel=1e-12)
    steps = rate.step_rates(60.0, 720) * 60
    assert steps.sum() == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("shape", ["exponential", "linear"])
def test_growth_over_a_month_is_its_closed_form(shape: str) -> None:
    # exponential: s M (e^{k T} - 1) / (k M) with k = ln(1 + g) / M; linear: s (T + g T^2 / (2 M))
    s, g, horizon = 10.0, 0.5, MONTH_S
    want = s * MONTH_S * g / math.log1p(g) if shape == "exponential" else s * (horizon + g * horizon**2 / (2 * MONTH_S))
    spec = {"kind": "growth", "start_rps": s, "monthly_growth_pct": 50, "shape": shape}
    rate = rate_function(Scenario.model_validate({"traffic": spec}).traffic)
    n = int(horizon // 60)
    assert (rate.step_rates(60.0, n) * 60).sum() == pytest.approx(want, rel=1e-9)


def test_weekly_multipliers_and_a_traffic_future_scale_whole_days() -> None:
    # 2 requests/s for a week with day factors 1..7: 2 x 86,400 x 28 requests; with daily_sigma each day
    # also takes its own drawn factor (the same draw the request engine uses)
    weekly = (1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0)
    spec = {"kind": "constant", "rps": 2, "weekly": weekly}
    rate = rate_function(Scenario.model_validate({"traffic": spec}).traffic)
    assert (rate.step_rates(60.0, 7 * 1440) * 60).sum() == pytest.approx(2 * 86_400 * 28, rel=1e-12)
    # steps that do not divide a day (a 7-s CloudWatch-like step) still cut the factors at midnight
    assert (rate.step_rates(7.0, 7 * 86_400 // 7) * 7).sum() == pytest.approx(2 * 86_400 * 28, rel=1e-12)
    future = rate_function(Scenario.model_validate({"traffic": {**spec, "daily_sigma": 0.5}}).traffic, seed=4)
    assert future.daily is not None
    want = 2 * 86_400 * sum(w * d for w, d in zip(weekly, future.daily[:7], strict=True))
    assert (future.step_rates(60.0, 7 * 1440) * 60).sum() == pytest.approx(want, rel=1e-12)


@pytest.mark.parametrize("counts", ["exact", "poisson"])
@pytest.mark.parametrize("missing", ["zero", "hold", "skip"])
def test_a_trace_offers_its_counts_in_every_mode(tmp_path: Path, counts: str, missing: str) -> None:
    # a 10-minute trace with a gap at minute 4 (timestamps every 60 s): zero counts it as 0, hold repeats
    # minute 3's count, skip cuts the minute out of the run
    rows = [(0, 100), (60, 200), (120, 300), (180, 400), (300, 500), (360, 600), (420, 700), (480, 800), (540, 900)]
    path = tmp_path / "t.csv"
    path.write_text("ts,requests\n" + "".join(f"{1_767_571_200 + t},{n}\n" for t, n in rows))
    want = {"zero": 4500, "hold": 4900, "skip": 4500}[missing]
    traffic = {"kind": "trace", "csv": str(path), "timestamp_column": "ts", "missing": missing, "counts": counts}
    sc = _scenario(traffic, 600)
    assert _offered(sc, "fluid") == want
    got = _offered(sc, "request")
    assert got == want if counts == "exact" else abs(got - want) <= 4 * math.sqrt(want)


def test_the_trace_example_offers_the_same_in_both_fidelities() -> None:
    sc = load_scenario(EXAMPLES / "trace_replay.json").model_copy(update={"horizon_s": 7200})
    assert _offered(sc, "fluid") == _offered(sc, "request")
