"""AWS KMS: customer managed keys per month ($1 each, prorated hourly; keys scheduled for deletion are
free). The requests the alerts make (a data key per alarm notification) stay far inside the 20,000 free
requests a month and are not priced. Source: aws.amazon.com/kms/pricing/.
"""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs._common import maybe_line
from tinysim.costs.bill import LineItem

__all__ = ["price"]

SERVICE = "KMS"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    keys = sum((k.keys for k in usage.kms), Decimal(0))
    return maybe_line(SERVICE, "customer managed keys", keys, "key-month", book.usd("kms.key"), key="kms.key")
