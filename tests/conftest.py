"""Shared fixtures: no host AWS settings leak into a test; price books by short name."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from models import PriceBook, Usage, load_price_book
from tinysim.costs import Bill, price_usage

BOOK_2021 = "aws-us-east-1-2021-07"
BOOK_NOW = "aws-us-east-1-2026-09"


@pytest.fixture(autouse=True)
def _clean_aws_env(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for key in list(os.environ):
        if key.startswith("AWS_"):
            monkeypatch.delenv(key)


@pytest.fixture(scope="session")
def now() -> PriceBook:
    return load_price_book(BOOK_NOW)


@pytest.fixture(scope="session")
def july2021() -> PriceBook:
    return load_price_book(BOOK_2021)


def bill_of(usage: dict[str, Any], book: PriceBook) -> Bill:
    """Price a usage dict (validated like a usage file)."""
    return price_usage(Usage.model_validate(usage), book)


def amounts(bill: Bill) -> dict[str, Decimal]:
    """Rounded amount per line item name."""
    return {li.item: li.amount_usd for li in bill.lines}
