"""The fluid fidelity against the request engine and against Erlang C."""

from __future__ import annotations

from pathlib import Path

import pytest

from models import load_scenario
from tests.tinysim.helpers import fixed_service
from tests.tinysim.test_control_loop import FARGATE, scenario, timeline
from tinysim.queueing import mmc_mean_wait
from tinysim.simulate import simulate

EXAMPLES = Path(__file__).parents[2] / "examples"
KINDS = {
    "scale_out",
    "scale_in",
    "task_serving",
    "task_placed",
    "task_stop",
    "instance_launch",
    "instance_ready",
    "instance_terminate",
}


def fluid(sc):  # type: ignore[no-untyped-def]
    return simulate(sc.model_copy(update={"fidelity": "fluid"}))


@pytest.mark.parametrize("plan", [FARGATE, {}], ids=["fargate", "ec2"])
def test_same_control_timeline_as_the_request_engine(plan: dict[str, object]) -> None:
    sc = scenario(plan)
    exact, approx = simulate(sc), fluid(sc)
    assert sorted(timeline(approx, KINDS)) == sorted(timeline(exact, KINDS))
    assert abs(approx.bill.total_exact_usd / exact.bill.total_exact_usd - 1) < 0.01


def test_stationary_mean_latency_is_erlang_c() -> None:
    c, lam, mu = 3, 240.0, 100.0
    result = fluid(fixed_service(c, "central_queue", lam, 10, 3600))
    expected_ms = (mmc_mean_wait(c, lam, mu) + 1 / mu + 0.001) * 1000  # wait + service + ALB overhead
    assert result.summary.latency_ms.mean == pytest.approx(expected_ms, rel=1e-9)
    assert result.summary.requests.offered == pytest.approx(lam * 3600, rel=1e-9)


@pytest.mark.parametrize("name", ["seed_dev_stack.json", "seed_hyperscale_alb.json", "trace_replay.json"])
def test_examples_cost_about_the_same_in_both_fidelities(name: str) -> None:
    sc = load_scenario(EXAMPLES / name)
    exact, approx = simulate(sc), fluid(sc)
    assert abs(approx.bill.total_exact_usd / exact.bill.total_exact_usd - 1) < 0.05
    r_exact, r_fluid = exact.summary.requests, approx.summary.requests
    assert r_fluid.offered == pytest.approx(r_exact.offered, rel=0.01)


def test_fluid_timeline_shape_matches() -> None:
    sc = scenario(FARGATE)
    assert list(fluid(sc).timeline.columns) == list(simulate(sc).timeline.columns)
