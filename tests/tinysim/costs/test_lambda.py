"""Lambda: AWS's published examples, 1 ms billing, architecture tiers, storage, provisioned concurrency."""

from decimal import Decimal

import pytest

from models import PriceBook, PriceMissing
from tests.conftest import amounts, bill_of


def test_aws_example_512mb_3m_invocations_1s_with_free_tier(july2021: PriceBook) -> None:
    # 3 M x 1 s x 0.5 GB = 1.5 M GB-s - 400 k free = 1.1 M x $0.0000166667 = $18.33;
    # (3 M - 1 M free) x $0.20 = $0.40; total $18.73.
    bill = bill_of(
        {"free_tier": True, "lambda": {"requests": 3_000_000, "duration_ms": 1000, "memory_mb": 512}}, july2021
    )
    assert amounts(bill) == {"requests": Decimal("0.40"), "duration x86_64": Decimal("18.33")}
    assert bill.total_usd == Decimal("18.73")


def test_aws_example_128mb_30m_invocations_200ms(july2021: PriceBook) -> None:
    # 30 M x 0.2 s x 0.125 GB = 750 k GB-s - 400 k = 350 k -> $5.83; 29 M requests -> $5.80.
    bill = bill_of(
        {"free_tier": True, "lambda": {"requests": 30_000_000, "duration_ms": 200, "memory_mb": 128}}, july2021
    )
    assert bill.total_usd == Decimal("11.63")


def test_duration_is_billed_in_whole_milliseconds(now: PriceBook) -> None:
    a = bill_of({"lambda": {"requests": 1_000_000, "duration_ms": "1.2", "memory_mb": 1024}}, now)
    b = bill_of({"lambda": {"requests": 1_000_000, "duration_ms": 2, "memory_mb": 1024}}, now)
    assert a.lines[1].quantity == b.lines[1].quantity == 2000  # GB-s


def test_x86_volume_tiers_apply_to_the_month_total(now: PriceBook) -> None:
    # 7 B GB-s: 6 B at 0.0000166667 + 1 B at 0.000015.
    requests = 7_000_000_000
    bill = bill_of({"lambda": {"requests": requests, "duration_ms": 1000, "memory_mb": 1024}}, now)
    dur = [li for li in bill.lines if li.item.startswith("duration")]
    assert [li.quantity for li in dur] == [6_000_000_000, 1_000_000_000]
    assert [li.amount_usd for li in dur] == [Decimal("100000.20"), Decimal("15000.00")]


def test_arm_is_cheaper_now_and_absent_in_july_2021(now: PriceBook, july2021: PriceBook) -> None:
    fn = {"requests": 1_000_000, "duration_ms": 100, "memory_mb": 1024}
    x86 = bill_of({"lambda": fn}, now).total_exact_usd
    arm = bill_of({"lambda": {**fn, "arch": "arm64"}}, now).total_exact_usd
    assert arm < x86
    with pytest.raises(PriceMissing, match=r"lambda\.duration\.arm64"):
        bill_of({"lambda": {**fn, "arch": "arm64"}}, july2021)


def test_ephemeral_storage_beyond_512_mb(now: PriceBook) -> None:
    bill = bill_of({"lambda": {"requests": 1_000_000, "duration_ms": 1000, "ephemeral_storage_mb": 10240}}, now)
    storage = next(li for li in bill.lines if "ephemeral" in li.item)
    assert storage.quantity == 1_000_000 * Decimal(9728) / 1024  # GB-s above the free 512 MB


def test_provisioned_concurrency_hand_computed(now: PriceBook) -> None:
    # 10 environments x 1 GB x 730 h x 3600 s = 26.28 M GB-s at $0.0000041667 = $109.50;
    # 2 M of 3 M invocations on them at 100 ms: 200 k GB-s at $0.0000097222 = $1.94;
    # the other 1 M on demand: 100 k GB-s at $0.0000166667 = $1.67.
    bill = bill_of(
        {
            "lambda": {
                "requests": 3_000_000,
                "duration_ms": 100,
                "memory_mb": 1024,
                "provisioned_concurrency": 10,
                "provisioned_requests": 2_000_000,
            }
        },
        now,
    )
    got = amounts(bill)
    assert got["provisioned concurrency x86_64"] == Decimal("109.50")
    assert got["duration on provisioned concurrency x86_64"] == Decimal("1.94")
    assert got["duration x86_64 (first 6 B GB-seconds)"] == Decimal("1.67")


def test_init_time_is_billed(now: PriceBook) -> None:
    base = {"requests": 1000, "duration_ms": 100, "memory_mb": 1024}
    cold = bill_of({"lambda": {**base, "init_ms_total": 1_000_000}}, now)
    assert cold.lines[1].quantity == Decimal(100) + Decimal(1000)  # 100 GB-s of duration + 1,000 of INIT


def test_aws_provisioned_concurrency_example_bills_duration_at_the_provisioned_rate(now: PriceBook) -> None:
    # aws.amazon.com/lambda/pricing/, Provisioned Concurrency Example 1: 1,024 MB, 1,000 provisioned for
    # 2 hours, 1.2 M invocations of 1 s. PC: 1,000 x 1 GB x 7,200 s = 7.2 M GB-s x $0.0000041667 = $30.00;
    # duration: 1.2 M GB-s x $0.0000097222 = $11.67; requests: 1.2 M x $0.20/M = $0.24; total $41.91.
    # Which invocations ran on the provisioned environments is not given: all fit (7.2 M s of capacity).
    fn = {"requests": 1_200_000, "duration_ms": 1000, "memory_mb": 1024}
    usage = {"lambda": {**fn, "provisioned_concurrency": 1000, "provisioned_hours": 2}}
    bill = bill_of(usage, now)
    assert amounts(bill) == {
        "requests": Decimal("0.24"),
        "provisioned concurrency x86_64": Decimal("30.00"),
        "duration on provisioned concurrency x86_64": Decimal("11.67"),
    }
    assert bill.total_usd == Decimal("41.91")
    # "The Lambda free tier does not apply to functions that have Provisioned Concurrency enabled."
    assert bill_of({**usage, "free_tier": True}, now).total_usd == Decimal("41.91")
    # Only what the environments can serve runs at the lower rate: 10 for 2 h serve 72,000 of 1.2 M.
    small = amounts(bill_of({"lambda": {**fn, "provisioned_concurrency": 10, "provisioned_hours": 2}}, now))
    assert small["duration on provisioned concurrency x86_64"] == Decimal("0.70")  # 72,000 GB-s
    assert small["duration x86_64 (first 6 B GB-seconds)"] == Decimal("18.80")  # 1,128,000 GB-s x $0.0000166667


def test_init_of_zip_functions_is_billed_only_since_august_2025(now: PriceBook, july2021: PriceBook) -> None:
    # aws.amazon.com/blogs/compute/aws-lambda-standardizes-billing-for-init-phase/: from 2025-08-01 the INIT
    # of on-demand zip functions is billed; container images were always. 1 M x 100 ms x 1 GB = 100,000 GB-s
    # ($1.67); 18,000 s of INIT at 1 GB adds 18,000 GB-s (118,000 GB-s = $1.97).
    fn = {"requests": 1_000_000, "duration_ms": 100, "memory_mb": 1024, "init_ms_total": 18_000_000}
    assert bill_of({"lambda": {**fn, "package": "zip"}}, july2021).lines[1].amount_usd == Decimal("1.67")
    assert bill_of({"lambda": {**fn, "package": "zip"}}, now).lines[1].amount_usd == Decimal("1.97")
    assert bill_of({"lambda": {**fn, "package": "image"}}, july2021).lines[1].amount_usd == Decimal("1.97")
