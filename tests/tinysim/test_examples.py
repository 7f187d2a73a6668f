"""The shipped examples run, and their bills agree with the cost model's hand-checked figures."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pandas as pd
import pytest

from models import load_price_book, load_scenario
from tests.conftest import BOOK_NOW
from tinysim.costs import price_usage
from tinysim.simulate import simulate
from tinysim.steady import SteadyLoad, steady_usage

EXAMPLES = Path(__file__).parents[2] / "examples"


def run(name: str, **update: object) -> object:
    scenario = load_scenario(EXAMPLES / name)
    return simulate(scenario.model_copy(update=update) if update else scenario)


@pytest.mark.parametrize("book", ["aws-us-east-1-2021-07", BOOK_NOW])
def test_seed_dev_stack_bill_matches_the_steady_bill(book: str) -> None:
    scenario = load_scenario(EXAMPLES / "seed_dev_stack.json")
    result = simulate(scenario.model_copy(update={"price_book": book}))
    steady = price_usage(
        steady_usage(scenario.resolved_plan(), SteadyLoad(1_000_000, scenario.workload)), load_price_book(book)
    )
    # $48.54 in July 2021 and $52.19 now; Poisson arrivals move the request-driven lines by cents at most
    assert abs(result.bill.total_usd - steady.total_usd) <= Decimal("0.05")
    for service in ("NAT Gateway", "EBS", "Route 53"):  # one instance all month: its root volume, $2.40
        assert result.bill.by_service()[service] == steady.by_service()[service]


def test_seed_hyperscale_example_lcus() -> None:
    result = run("seed_hyperscale_alb.json")
    lines = {li.item.split(" (")[0]: li for li in result.bill.lines if li.service == "ALB"}  # type: ignore[attr-defined]
    assert lines["load balancer hours"].amount_usd == Decimal("16.43")
    lcu = lines["LCU-hours"]
    assert "new connections" in lcu.item  # 6.67 LCU of connections beat 3 GB/h of bytes
    assert abs(lcu.amount_usd - Decimal("38.93")) <= Decimal("0.10")


def test_serverless_burst_hits_reserved_concurrency() -> None:
    result = run("serverless_burst.json")
    summary = result.summary  # type: ignore[attr-defined]
    assert summary.lambda_.max_concurrency == 800
    assert summary.lambda_.throttles > 0
    r = summary.requests
    assert r.offered == r.served + r.throttled + r.timed_out + r.in_flight


def test_trace_replay_offers_what_the_trace_holds() -> None:
    result = run("trace_replay.json")
    counts = pd.read_csv(EXAMPLES / "traces" / "shop_day.csv")["requests"].sum()
    offered = result.summary.requests.offered  # type: ignore[attr-defined]
    assert offered == counts  # each minute replays exactly its count
    assert result.summary.scaling.scale_out_events >= 1  # type: ignore[attr-defined]  # the flash crowd
