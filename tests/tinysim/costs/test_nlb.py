"""The Network Load Balancer in front of containers behind API Gateway REST, priced by hand.

AWS's us-east-1 prices (aws.amazon.com/elasticloadbalancing/pricing/, Network Load Balancer tab):
$0.0225 per NLB-hour, $0.006 per NLCU-hour; an NLCU (TCP) is 800 new flows/s, 100,000 active flows or
1 GB processed an hour, whichever is the most. REST API requests $3.50 per million (aws.amazon.com/
api-gateway/pricing/). The NLB is internal: no public IPv4 address of its own.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from models import PriceBook, Scenario, load_plan
from models.usage import Usage
from tinysim.costs import nlb, price_usage
from tinysim.simulate import simulate
from tinysim.steady import SteadyLoad, steady_usage

ROOT = Path(__file__).resolve().parents[3]
REST = ROOT / "examples" / "plans" / "seed_container_rest.json"


def _lines(usage: Usage, book: PriceBook) -> dict[tuple[str, str], tuple[Decimal, Decimal]]:
    return {(li.service, li.item): (li.quantity, li.amount_usd) for li in price_usage(usage, book).lines}


def test_the_steady_bill_of_the_rest_stack_by_hand(now: PriceBook) -> None:
    # 1M requests a month of 2 KB in + 10 KB out = 12 GB through the NLB: 12/730 GB an hour is 0.0164 NLCU,
    # more than 1M / 2,628,000 s = 0.38 new flows/s (0.0005 NLCU): 12 NLCU-hours x $0.006 = $0.072 -> $0.07.
    # 730 NLB-hours x $0.0225 = $16.425 -> $16.43. REST: 1M x $3.50/M = $3.50. One address: the NAT's
    # Elastic IP, 730 x $0.005 = $3.65; no Route 53 zone (no Cloud Map namespace behind REST).
    lines = _lines(steady_usage(load_plan(REST), SteadyLoad(1_000_000)), now)
    assert lines[("NLB", "load balancer hours")] == (Decimal(730), Decimal("16.43"))
    assert lines[("NLB", "NLCU-hours (max of 3 dimensions: processed bytes)")] == (Decimal(12), Decimal("0.07"))
    assert lines[("API Gateway", "REST API requests (first 333 M requests)")][1] == Decimal("3.50")
    assert lines[("Public IPv4", "address-hours")] == (Decimal(730), Decimal("3.65"))
    assert not any(service == "Route 53" for service, _ in lines)


def test_nlcus_take_the_largest_dimension(now: PriceBook) -> None:
    # 1,600 new flows/s = 2 NLCU; 250,000 active flows = 2.5 NLCU; 3 GB an hour = 3 NLCU: 3 (processed bytes)
    u = Usage.model_validate(
        {"nlb": {"new_flows_per_s": 1600, "active_flows": 250_000, "processed_gb_per_hour": 3}, "month_hours": 730}
    )
    assert nlb.nlcus(u.nlb[0], now) == (Decimal(3), "processed bytes")
    # 3 x 730 = 2,190 NLCU-hours x $0.006 = $13.14
    assert _lines(u, now)[("NLB", "NLCU-hours (max of 3 dimensions: processed bytes)")][1] == Decimal("13.14")


def test_the_simulated_bill_carries_the_nlb() -> None:
    # One hour at a constant 10 requests/s (fluid: exactly 36,000), repeated to fill 730 hours: 26.28M requests
    # x 12 KB = 315.36 GB, 0.432 GB an hour -> 315.36 NLCU-hours x $0.006 = $1.89; 730 NLB-hours $16.43.
    sc = Scenario.model_validate(
        {
            "plan": load_plan(REST).model_dump(),
            "traffic": {"kind": "constant", "rps": 10},
            "horizon_s": 3600,
            "fidelity": "fluid",
            "price_book": "aws-us-east-1-2026-09",
        }
    )
    bill = simulate(sc).bill
    lines = {(li.service, li.item): (li.quantity, li.amount_usd) for li in bill.lines}
    assert lines[("NLB", "load balancer hours")] == (Decimal(730), Decimal("16.43"))
    assert lines[("NLB", "NLCU-hours (max of 3 dimensions: processed bytes)")][1] == Decimal("1.89")
