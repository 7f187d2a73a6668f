"""Compute Savings Plans applied hour by hour (docs.aws.amazon.com/savingsplans/latest/userguide/sp-applying.html)."""

from decimal import Decimal
from typing import Any

from models import PriceBook
from tests.conftest import amounts, bill_of

# A 1 vCPU / 2 GB Fargate task costs $0.04048 + 2 x $0.004445 = $0.04937 an hour on demand (us-east-1).
FARGATE = {"tasks": 1, "vcpu": 1, "memory_gb": 2}


def _sp(commitment: str, **usage: Any) -> dict[str, Any]:
    return {"savings_plan": {"commitment_usd_per_hour": commitment, "term_years": 1, "payment": "no_upfront"}, **usage}


def test_commitment_zero_is_on_demand(now: PriceBook) -> None:
    usage = {"fargate": FARGATE, "lambda": {"requests": 10**7, "duration_ms": 100}, "nat_gateway": {}}
    assert bill_of(_sp("0", **usage), now).lines == bill_of(usage, now).lines


def test_a_commitment_above_eligible_usage_bills_commitment_plus_the_rest(now: PriceBook) -> None:
    # $1/h covers all of the task's $0.04937/h at any discount: the bill is 730 x $1 plus what no plan
    # covers (the NAT gateway, 730 x $0.045 = $32.85; Lambda requests, 10 M x $0.20 = $2.00).
    usage = {"fargate": FARGATE, "lambda": {"requests": 10**7, "duration_ms": 0}, "nat_gateway": {}}
    assert bill_of(_sp("1", **usage), now).total_usd == Decimal("730.00") + Decimal("32.85") + Decimal("2.00")


def test_hand_computed_diurnal_fargate_month(now: PriceBook) -> None:
    # 2 tasks from 00:00 to 08:00 and from 20:00, 6 tasks from 08:00 to 20:00; a 730-hour month is 30 days
    # + 10 hours, so 368 hours at 2 tasks and 362 at 6: 2,908 task-hours. On demand: 2,908 vCPU-h x $0.04048
    # = $117.72 and 5,816 GB-h x $0.004445 = $25.85. Commitment $0.15/h at the Fargate 1-year no-upfront
    # discount of 20% (plan rate 0.8 x $0.04937 = $0.039496 per task-hour):
    # - a 2-task hour spends 2 x 0.039496 = $0.078992 and covers its $0.09874 of on demand;
    # - a 6-task hour spends all $0.15 and covers 0.15 / 0.8 = $0.1875 of on demand; the rest spills.
    # Covered: 368 x 0.09874 + 362 x 0.1875 = $104.21132; used: 368 x 0.078992 + 362 x 0.15 = $83.369056;
    # unused: 730 x 0.15 - 83.369056 = $26.130944. Total 117.72 + 25.85 - 104.21 + 83.37 + 26.13 = $148.86.
    day = [2] * 8 + [6] * 12 + [2] * 4
    usage = _sp("0.15", fargate={**FARGATE, "hours": 2908}, compute_hourly_weights=day)
    bill = bill_of(usage, now)
    assert amounts(bill) == {
        "vCPU-hours x86_64": Decimal("117.72"),
        "memory GB-hours x86_64": Decimal("25.85"),
        "fargate usage covered (20% off on demand)": Decimal("-104.21"),
        "commitment used (1-year no upfront)": Decimal("83.37"),
        "commitment unused (1-year no upfront)": Decimal("26.13"),
    }
    assert bill.total_usd == Decimal("148.86")
    # Spread evenly the same task-hours (3.98 tasks every hour) use the whole commitment: nothing unused.
    flat = amounts(bill_of(_sp("0.15", fargate={**FARGATE, "hours": 2908}), now))
    assert "commitment unused (1-year no upfront)" not in flat
