"""Tier labels carry the price book's unit, as AWS's pricing pages word the tiers."""

from __future__ import annotations

from decimal import Decimal

from models import load_price_book
from tinysim.costs.tiers import tier_lines


def _labels(item: str, quantity: str, unit: str, key: str) -> list[str]:
    book = load_price_book("aws-us-east-1-2026-09")
    return [li.item for li in tier_lines("S", item, Decimal(quantity), unit, book.tiers(key), key=key)]


def test_labels_name_the_unit() -> None:
    # API Gateway HTTP APIs: "first 300 million requests per month" then $0.90 per million
    # (https://aws.amazon.com/api-gateway/pricing/); the quantity is in millions of requests
    assert _labels("HTTP API requests", "400", "1M requests", "apigw.http.requests") == [
        "HTTP API requests (first 300 M requests)",
        "HTTP API requests (over 300 M requests)",
    ]
    # data transfer out: "first 10 TB / month", 1 TB = 1,024 GB (https://aws.amazon.com/ec2/pricing/on-demand/)
    assert _labels("internet egress", "20000", "GB", "egress.internet")[:2] == [
        "internet egress (first 10 TB)",
        "internet egress (next 40 TB)",
    ]
    # Lambda x86: "first 6 billion GB-seconds / month" (https://aws.amazon.com/lambda/pricing/)
    assert _labels("duration x86_64", "7000000000", "GB-s", "lambda.duration.x86_64") == [
        "duration x86_64 (first 6 B GB-seconds)",
        "duration x86_64 (next 9 B GB-seconds)",
    ]
