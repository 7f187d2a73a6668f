"""The cost model: one pure module per AWS service, usage + price book -> line items -> Bill."""

from __future__ import annotations

from collections.abc import Callable

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs import (
    alb,
    apigw,
    cloudwatch,
    codebuild,
    codepipeline,
    ebs,
    ec2,
    ecr,
    egress,
    fargate,
    ipv4,
    kms,
    lambda_,
    nat,
    nlb,
    privatelink,
    route53,
)
from tinysim.costs.bill import Bill, LineItem, cents
from tinysim.costs.savings_plan import apply_savings_plan

__all__ = ["Bill", "LineItem", "cents", "price_usage"]

_SERVICES: tuple[Callable[[Usage, PriceBook], list[LineItem]], ...] = (
    apigw.price,
    alb.price,
    nlb.price,
    lambda_.price,
    ec2.price,
    ebs.price,
    fargate.price,
    nat.price,
    privatelink.price,
    ipv4.price,
    route53.price,
    kms.price,
    egress.price,
    cloudwatch.price,
    ecr.price,
    codebuild.price,
    codepipeline.price,
)


def price_usage(usage: Usage, book: PriceBook) -> Bill:
    """Price a month of usage: every service's lines, in a fixed order."""
    lines: list[LineItem] = []
    for service in _SERVICES:
        lines += service(usage, book)
    lines += apply_savings_plan(lines, usage, book)
    return Bill.of(book.id, [_sourced(li, book) for li in lines], usage.month_hours)


def _sourced(li: LineItem, book: PriceBook) -> LineItem:
    """The line with its price book entry's source, for a reviewer to audit."""
    entry = book.entries.get(li.price_key)
    if entry is None:
        return li
    # every field by name (``dataclasses.replace`` costs more than pricing the line)
    return LineItem(
        service=li.service,
        item=li.item,
        quantity=li.quantity,
        unit=li.unit,
        unit_usd=li.unit_usd,
        price_key=li.price_key,
        source=entry.source,
        rule=li.rule,
    )
