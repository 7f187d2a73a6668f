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
from tinysim.outputs import write_file

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
    "InvoiceId",
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
    "ServiceSubcategory",
    "x_PriceBook",
    "x_Service",
)

#: Our service -> (AWS's service name, FOCUS ServiceCategory, ServiceSubcategory).
SERVICES: dict[str, tuple[str, str, str]] = {
    "API Gateway": ("Amazon API Gateway", "Networking", "Application Networking"),
    "ALB": ("Elastic Load Balancing", "Networking", "Application Networking"),
    "Lambda": ("AWS Lambda", "Compute", "Serverless Compute"),
    "EC2": ("Amazon Elastic Compute Cloud", "Compute", "Virtual Machines"),
    "Fargate": ("Amazon Elastic Container Service", "Compute", "Containers"),
    "NAT Gateway": ("Amazon Virtual Private Cloud", "Networking", "Network Connectivity"),
    "VPC Endpoints": ("Amazon Virtual Private Cloud", "Networking", "Network Connectivity"),
    "Public IPv4": ("Amazon Virtual Private Cloud", "Networking", "Network Connectivity"),
    "EBS": ("Amazon Elastic Block Store", "Storage", "Block Storage"),
    "Route 53": ("Amazon Route 53", "Networking", "Network Routing"),
    "KMS": ("AWS Key Management Service", "Security", "Secret Management"),
    "Data Transfer": ("AWS Data Transfer", "Networking", "Network Connectivity"),
    "CloudWatch": ("Amazon CloudWatch", "Management and Governance", "Observability"),
    "ECR": ("Amazon Elastic Container Registry", "Storage", "Other (Storage)"),
    "CodeBuild": ("AWS CodeBuild", "Developer Tools", "Continuous Integration and Deployment"),
    "CodePipeline": ("AWS CodePipeline", "Developer Tools", "Continuous Integration and Deployment"),
    "Savings Plans": ("Savings Plans for AWS Compute usage", "Compute", "Other (Compute)"),
}

#: Our units in FOCUS's UnitFormat (focus.finops.org, "Unit Format").
UNITS: dict[str, str] = {
    "1M requests": "1000000 Requests",
    "ALB-hour": "Hours",
    "LCU-hour": "LCU-Hours",
    "GB-s": "GB-Seconds",
    "GB-month": "GB-Months",
    "GB-hour": "GB-Hours",
    "vCPU-hour": "vCPU-Hours",
    "instance-hour": "Hours",
    "NAT-gateway-hour": "Hours",
    "IP-hour": "Hours",
    "endpoint-AZ-hour": "Hours",
    "cache-hour": "Hours",
    "alarm-month": "Alarm-Months",
    "metric-month": "Metric-Months",
    "build-minute": "Minutes",
    "action-minute": "Minutes",
    "pipeline-month": "Pipeline-Months",
    "zone-month": "Zone-Months",
    "key-month": "Key-Months",
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
    ("EBS", "", "instance_hours"),
    ("Data Transfer", "", "response_kb"),
    ("CloudWatch", "logs", "admitted"),
    ("Savings Plans", "fargate", "task_hours"),
    ("Savings Plans", "lambda", "billed_ms"),
    ("Savings Plans", "ec2", "instance_hours"),
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
        "InvoiceId": "",  # a forecast is on no invoice
        "InvoiceIssuerName": "Amazon Web Services",
        "ProviderName": "Amazon Web Services",
        "PublisherName": "Amazon Web Services",
        "RegionId": book.region,
        "RegionName": REGION_NAMES.get(book.region, book.region),
        "x_PriceBook": book.id,
    }
    rows: list[dict[str, str]] = []
    effective = _effective_totals(bill)
    for li in bill.lines:
        weights = _weights(li, hourly, hours)
        if weights is None:
            periods = [(start, end, Decimal(1))]
            billed, amortized = [li.amount_usd], [effective.get(li, li.amount_usd)]
        else:
            total = float(weights.sum()) or 1.0
            periods = [
                (start + dt.timedelta(hours=h), start + dt.timedelta(hours=h + 1), Decimal(repr(float(w) / total)))
                for h, w in enumerate(weights)
            ]
            billed = _split_cents(li.amount_usd, weights)
            amortized = _split_cents(effective[li], weights) if li in effective else billed
        for (t0, t1, share), cost, eff in zip(periods, billed, amortized, strict=True):
            if share == 0 and cost == 0 and eff == 0:
                continue
            columns = _line_columns(li, share, cost, eff)
            rows.append({**base, **columns, "ChargePeriodStart": _iso(t0), "ChargePeriodEnd": _iso(t1)})
    return rows


def _effective_totals(bill: Bill) -> dict[LineItem, Decimal]:
    """Amortized cost of the Savings Plan lines: the purchase (the commitment, used or not) costs
    nothing effective; its amount moves onto the usage it covered, so EffectiveCost sums to the bill."""
    plan = [li for li in bill.lines if li.service == "Savings Plans"]
    commitment = sum((li.amount_usd for li in plan if li.unit_usd > 0), Decimal(0))
    covered = [li for li in plan if li.unit_usd < 0]
    out = {li: Decimal(0) for li in plan if li.unit_usd > 0}
    left = commitment
    total = -sum((li.amount_usd for li in covered), Decimal(0))
    for i, li in enumerate(covered):
        share = left if i == len(covered) - 1 else (commitment * -li.amount_usd / total).quantize(CENT)
        out[li] = li.amount_usd + share
        left -= share
    return out


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


def _line_columns(li: LineItem, share: Decimal, billed: Decimal, effective: Decimal) -> dict[str, str]:
    name, category, subcategory = SERVICES.get(li.service, (li.service, "Other", "Other (Other)"))
    unit = UNITS.get(li.unit, li.unit)
    quantity = li.quantity * share
    purchase = li.service == "Savings Plans" and li.unit_usd > 0
    return {
        "BilledCost": str(billed),
        "ChargeCategory": "Purchase" if purchase else "Usage",
        "ChargeDescription": f"{li.service}: {li.item}",
        "ChargeFrequency": "Recurring" if purchase else "Usage-Based",
        "ConsumedQuantity": _plain(quantity),
        "ConsumedUnit": unit,
        "ContractedCost": str(billed),
        "EffectiveCost": str(effective),
        "ListCost": _plain(quantity * li.unit_usd),
        "ListUnitPrice": _plain(li.unit_usd),
        "PricingCategory": "Committed" if li.service == "Savings Plans" else "Standard",
        "PricingQuantity": _plain(quantity),
        "PricingUnit": unit,
        "ServiceCategory": category,
        "ServiceName": name,
        "ServiceSubcategory": subcategory,
        "x_Service": li.service,
    }


def write_focus(path: str | Path, rows: list[dict[str, str]]) -> Path:
    """Write rows as a FOCUS CSV (header first; empty cells are nulls). Written to a temporary file
    and moved into place, so a failure leaves no half-written file."""

    def write(tmp: Path) -> None:
        with tmp.open("w", newline="", encoding="utf-8") as f:
            writer = csv.DictWriter(f, fieldnames=COLUMNS)
            writer.writeheader()
            writer.writerows(rows)

    return write_file(path, write)  # a failure removes the temporary file too
