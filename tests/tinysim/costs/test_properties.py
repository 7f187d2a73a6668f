"""Properties of the whole cost model over random usage: no negative line, monotone in usage,
and with no traffic only the fixed hourly items remain."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from models import INSTANCE_TYPES, load_price_book
from tests.conftest import BOOK_NOW, bill_of

BOOK = load_price_book(BOOK_NOW)
EC2_TYPES = sorted(INSTANCE_TYPES)

#: Usage fields that grow with traffic (configuration such as memory or instance type does not).
TRAFFIC = {
    "new_connections_per_s",
    "active_connections_per_min",
    "processed_gb_per_hour",
    "rule_evaluations_per_s",
    "requests",
    "provisioned_requests",
    "init_ms_total",
    "processed_gb",
    "surplus_vcpu_hours",
    "data_transfer_out_gb",
    "logs_ingested_gb",
    "logs_stored_gb",
    "logs_insights_scanned_gb",
    "build_minutes",
    "v2_action_minutes",
    "storage_gb",
}
HOURLY_UNITS = {
    "ALB-hour",
    "NAT-gateway-hour",
    "IP-hour",
    "instance-hour",
    "vCPU-hour",
    "GB-hour",
    "cache-hour",
    "GB-s",
}


def amount(hi: int, places: int = 3) -> st.SearchStrategy[Decimal]:
    return st.decimals(min_value=0, max_value=hi, places=places, allow_nan=False, allow_infinity=False)


hours = st.one_of(st.none(), amount(744, 1))
alb = st.fixed_dictionaries(
    {
        "count": st.integers(0, 3),
        "hours": hours,
        "target": st.sampled_from(["ip", "lambda"]),
        "new_connections_per_s": amount(500),
        "active_connections_per_min": amount(50_000),
        "processed_gb_per_hour": amount(50),
        "rule_evaluations_per_s": amount(5000),
    }
)
apigw = st.fixed_dictionaries(
    {
        "type": st.sampled_from(["http", "rest"]),
        "requests": amount(3 * 10**9, 0),
        "request_kb": amount(2000, 1),
    }
)


@st.composite
def lambdas(draw: st.DrawFn) -> dict[str, Any]:
    requests = draw(amount(10**9, 0))
    return {
        "requests": requests,
        "duration_ms": draw(amount(5000, 2)),
        "memory_mb": draw(st.integers(128, 10240)),
        "arch": draw(st.sampled_from(["x86_64", "arm64"])),
        "ephemeral_storage_mb": draw(st.integers(512, 10240)),
        "provisioned_concurrency": draw(st.integers(0, 5)),
        "provisioned_requests": draw(st.decimals(min_value=0, max_value=requests, places=0)),
        "init_ms_total": draw(amount(10**7, 0)),
    }


usages = st.fixed_dictionaries(
    {
        "free_tier": st.booleans(),
        "alb": st.lists(alb, max_size=2),
        "apigw": st.lists(apigw, max_size=2),
        "lambda": st.lists(lambdas(), max_size=2),
        "fargate": st.lists(
            st.fixed_dictionaries(
                {
                    "tasks": amount(10, 0),
                    "vcpu": st.sampled_from(["0.25", "1", "4"]),
                    "memory_gb": amount(30, 1),
                    "hours": hours,
                }
            ),
            max_size=2,
        ),
        "ec2": st.lists(
            st.fixed_dictionaries(
                {
                    "instance_type": st.sampled_from(EC2_TYPES),
                    "count": amount(5, 0),
                    "hours": hours,
                    "surplus_vcpu_hours": amount(100, 1),
                }
            ),
            max_size=2,
        ),
        "nat_gateway": st.lists(st.fixed_dictionaries({"hours": hours, "processed_gb": amount(10_000)}), max_size=1),
        "public_ipv4": st.lists(st.fixed_dictionaries({"addresses": amount(4, 0), "hours": hours}), max_size=1),
        "data_transfer_out_gb": amount(200_000),
        "cloudwatch": st.lists(
            st.fixed_dictionaries(
                {
                    "alarms": amount(20, 0),
                    "custom_metrics": amount(20_000, 0),
                    "logs_ingested_gb": amount(100),
                    "logs_stored_gb": amount(100),
                }
            ),
            max_size=1,
        ),
        "ecr": st.lists(st.fixed_dictionaries({"storage_gb": amount(50)}), max_size=1),
        "codebuild": st.lists(st.fixed_dictionaries({"build_minutes": amount(1000)}), max_size=1),
        "codepipeline": st.lists(
            st.fixed_dictionaries({"v1_active_pipelines": amount(3, 0), "v2_action_minutes": amount(1000)}), max_size=1
        ),
    }
)


def scaled(value: Any, k: Decimal) -> Any:
    """The same usage with every traffic quantity multiplied by ``k``."""
    if isinstance(value, dict):
        return {key: (v * k if key in TRAFFIC and isinstance(v, Decimal) else scaled(v, k)) for key, v in value.items()}
    if isinstance(value, list):
        return [scaled(v, k) for v in value]
    return value


def without_traffic(value: Any) -> Any:
    return scaled(value, Decimal(0))


@settings(max_examples=100, deadline=None)
@given(usages)
def test_no_negative_line(usage: dict[str, Any]) -> None:
    for li in bill_of(usage, BOOK).lines:
        assert li.quantity >= 0 and li.unit_usd >= 0 and li.amount_usd >= 0, li


@settings(max_examples=100, deadline=None)
@given(usages, st.decimals(min_value=1, max_value=5, places=2))
def test_more_usage_never_costs_less(usage: dict[str, Any], k: Decimal) -> None:
    more = scaled(usage, k)
    more["data_transfer_out_gb"] = usage["data_transfer_out_gb"] * k
    assert bill_of(more, BOOK).total_exact_usd >= bill_of(usage, BOOK).total_exact_usd


@settings(max_examples=100, deadline=None)
@given(usages)
def test_zero_traffic_leaves_only_fixed_hourly_items(usage: dict[str, Any]) -> None:
    idle = without_traffic(usage)
    idle["data_transfer_out_gb"] = Decimal(0)
    for key in ("cloudwatch", "ecr", "codepipeline"):  # monthly items, not hourly
        idle[key] = []
    for li in bill_of(idle, BOOK).lines:
        assert li.unit in HOURLY_UNITS, li
        if li.unit == "GB-s":  # Lambda: only provisioned concurrency is charged by the hour
            assert li.item.startswith("provisioned concurrency"), li
