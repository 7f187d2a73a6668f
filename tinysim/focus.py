"""The forecast as FOCUS 1.2 cost rows (FinOps Open Cost and Usage Specification, focus.finops.org),
so a FinOps tool can lay the plan beside the account's AWS FOCUS export.

One row per bill line, or per line and hour when the run's hourly usage is given (each line spread
over the hours in proportion to what drives it: requests, compute hours, LCUs, bytes; fixed charges
evenly). ``ListCost`` is ``ListUnitPrice x PricingQuantity`` exactly; ``BilledCost`` and
``EffectiveCost`` split each line's rounded amount over its rows to the cent (largest remainder), so
they sum to the bill exactly. Our extras are ``x_`` columns.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import ROUND_DOWN, Decimal
from pathlib import Path

import numpy as np

from models.prices import PriceBook
from tinysim.costs.bill import CENT, Bill, LineItem, _plain

__all__ = ["COLUMNS", "HOURLY_DRIVERS", "focus_rows", "write_focus"]

#: Mandatory FOCUS 1.2 columns, the conditional ones a forecast can fill, then our extras.
COLUMNS = (
    "BilledCost",
    "BillingAccountId",
    "BillingAccountName",
    "BillingCurrency",
    "BillingPeriodStart",
    "BillingPeriodEnd",
    "ChargeCategory",
    "ChargeClass",
    "ChargeDescription",
    "ChargeFrequency",
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "ConsumedQuantity",
    "ConsumedUnit",
    "ContractedCost",
    "EffectiveCost",
    "InvoiceIssuerName",
    "ListCost",
    "ListUnitPrice",
    "PricingCategory",
    "PricingQuantity",
    "PricingUnit",
    "ProviderName",
    "PublisherName",
    "RegionId",
    "RegionName",
    "ServiceCategory",
    "ServiceName",
    "x_PriceBook",
    "x_Service",
)

#: Our service -> (AWS's service name, FOCUS ServiceCategory).
SERVICES: dict[str, tuple[str, str]] = {
    "API Gateway": ("Amazon API Gateway", "Networking"),
    "ALB": ("Elastic Load Balancing", "Networking"),
    "Lambda": ("AWS Lambda", "Compute"),
    "EC2": ("Amazon Elastic Compute Cloud", "Compute"),
    "Fargate": ("Amazon Elastic Container Service", "Compute"),
    "NAT Gateway": ("Amazon Virtual Private Cloud", "Networking"),
    "VPC Endpoints": ("Amazon Virtual Private Cloud", "Networking"),
    "Public IPv4": ("Amazon Virtual Private Cloud", "Networking"),
    "Data Transfer": ("AWS Data Transfer", "Networking"),
    "CloudWatch": ("Amazon CloudWatch", "Management and Governance"),
    "ECR": ("Amazon Elastic Container Registry", "Storage"),
    "CodeBuild": ("AWS CodeBuild", "Developer Tools"),
    "CodePipeline": ("AWS CodePipeline", "Developer Tools"),
    "Savings Plans": ("Savings Plans for AWS Compute usage", "Compute"),
}

#: Which hourly column of a run drives a line, by service and the start of the item (else: evenly).
HOURLY_DRIVERS: tuple[tuple[str, str, str], ...] = (
    ("API Gateway", "", "received"),
    ("ALB", "LCU", "admitted"),
    ("Lambda", "requests", "lambda_requests"),
    ("Lambda", "duration on provisioned", "prov_requests"),
    ("Lambda", "duration", "billed_ms"),
    ("Lambda", "ephemeral", "billed_ms"),
    ("Fargate", "", "task_hours"),
    ("EC2", "", "instance_hours"),
    ("Data Transfer", "", "response_kb"),
    ("CloudWatch", "logs", "admitted"),
)

REGION_NAMES = {"us-east-1": "US East (N. Virginia)", "us-west-2": "US West (Oregon)", "eu-west-1": "Europe (Ireland)"}


def _iso(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _split_cents(amount: Decimal, weights: np.ndarray) -> list[Decimal]:
    """``amount`` (whole cents) split in proportion to ``weights``, largest remainder first."""
    total = float(weights.sum())
    if total <= 0:
        weights, total = np.ones_like(weights), float(weights.size)
    cents = int((amount / CENT).to_integral_value())
    share = [Decimal(repr(float(w) / total)) * cents for w in weights]
    floors = [s.to_integral_value(rounding=ROUND_DOWN) for s in share]
    left = cents - int(sum(floors))
    order = sorted(range(len(share)), key=lambda i: share[i] - floors[i], reverse=cents >= 0)
    for i in order[: abs(left)]:
        floors[i] += 1 if left > 0 else -1
    return [f * CENT for f in floors]


def _month_start(book: PriceBook) -> dt.datetime:
    """The forecast month: the first month after the price book's date."""
    y, m = book.as_of.year + book.as_of.month // 12, book.as_of.month % 12 + 1
    return dt.datetime(y, m, 1, tzinfo=dt.UTC)


def focus_rows(
    bill: Bill,
    book: PriceBook,
    hourly: Mapping[str, Sequence[float] | np.ndarray] | None = None,
    account: str = "forecast",
) -> list[dict[str, str]]:
    """FOCUS rows of ``bill`` priced by ``book``: one per line, or per line and hour given a run's
    ``hourly`` columns (cycled to fill the month, as the bill extrapolates them)."""
    start = _month_start(book)
    hours = int(bill.month_hours)
    end = start + dt.timedelta(hours=float(bill.month_hours))
    base = {
        "BillingAccountId": account,
        "BillingAccountName": f"tinysim forecast ({account})",
        "BillingCurrency": "USD",
        "BillingPeriodStart": _iso(start),
        "BillingPeriodEnd": _iso(end),
        "ChargeClass": "",
        "InvoiceIssuerName": "Amazon Web Services",
        "ProviderName": "Amazon Web Services",
        "PublisherName": "Amazon Web Services",
        "RegionId": book.region,
        "RegionName": REGION_NAMES.get(book.region, book.region),
        "x_PriceBook": book.id,
    }
    rows: list[dict[str, str]] = []
    for li in bill.lines:
        weights = _weights(li, hourly, hours)
        if weights is None:
            periods = [(start, end, Decimal(1))]
            billed = [li.amount_usd]
        else:
            total = float(weights.sum()) or 1.0
            periods = [
                (start + dt.timedelta(hours=h), start + dt.timedelta(hours=h + 1), Decimal(repr(float(w) / total)))
                for h, w in enumerate(weights)
            ]
            billed = _split_cents(li.amount_usd, weights)
        for (t0, t1, share), cost in zip(periods, billed, strict=True):
            if share == 0 and cost == 0:
                continue
            rows.append(
                {**base, **_line_columns(li, share, cost), "ChargePeriodStart": _iso(t0), "ChargePeriodEnd": _iso(t1)}
            )
    return rows


def _weights(li: LineItem, hourly: Mapping[str, Sequence[float] | np.ndarray] | None, hours: int) -> np.ndarray | None:
    if hourly is None:
        return None
    column = next((c for svc, item, c in HOURLY_DRIVERS if li.service == svc and li.item.startswith(item)), None)
    if column is None or column not in hourly:
        return np.ones(hours)
    values = np.asarray(hourly[column], dtype=float)
    if values.size == 0 or float(values.sum()) <= 0:
        return np.ones(hours)
    return np.resize(values, hours)  # a run shorter than the month repeats, as the bill extrapolates it


def _line_columns(li: LineItem, share: Decimal, billed: Decimal) -> dict[str, str]:
    name, category = SERVICES.get(li.service, (li.service, "Other"))
    quantity = li.quantity * share
    commitment = li.service == "Savings Plans"
    return {
        "BilledCost": str(billed),
        "ChargeCategory": "Purchase" if commitment and li.unit_usd > 0 else "Usage",
        "ChargeDescription": f"{li.service}: {li.item}",
        "ChargeFrequency": "Recurring" if commitment else "Usage-Based",
        "ConsumedQuantity": _plain(quantity),
        "ConsumedUnit": li.unit,
        "ContractedCost": str(billed),
        "EffectiveCost": str(billed),
        "ListCost": _plain(quantity * li.unit_usd),
        "ListUnitPrice": _plain(li.unit_usd),
        "PricingCategory": "Committed" if commitment else "Standard",
        "PricingQuantity": _plain(quantity),
        "PricingUnit": li.unit,
        "ServiceCategory": category,
        "ServiceName": name,
        "x_Service": li.service,
    }


def write_focus(path: str | Path, rows: list[dict[str, str]]) -> Path:
    """Write rows as a FOCUS CSV (header first; empty cells are nulls). Written to a temporary file
    and moved into place, so a failure leaves no half-written file."""
    out = Path(path)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    tmp.replace(out)
    return out
