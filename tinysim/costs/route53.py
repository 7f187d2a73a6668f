"""Amazon Route 53: hosted zones per month (tiered per account: the first 25, then the rest).

A Cloud Map private DNS namespace (the HTTP API's route to the ECS service) creates one private hosted
zone. ECS service discovery is charged for its Route 53 resources and for Cloud Map discovery API calls
(docs.aws.amazon.com/AmazonECS/latest/developerguide/service-discovery.html, "Service discovery
pricing"); the zone is priced here. Not modelled: DNS queries (nothing in the stack resolves the name:
the HTTP API's private integration asks Cloud Map for the tasks) and Cloud Map's DiscoverInstances calls
($1.00 per million, aws.amazon.com/cloud-map/pricing/), whose rate API Gateway does not document.
Source: aws.amazon.com/route53/pricing/.
"""

from __future__ import annotations

from decimal import Decimal

from models.prices import PriceBook
from models.usage import Usage
from tinysim.costs.bill import LineItem
from tinysim.costs.tiers import tier_lines

__all__ = ["price"]

SERVICE = "Route 53"


def price(usage: Usage, book: PriceBook) -> list[LineItem]:
    zones = sum((r.hosted_zones for r in usage.route53), Decimal(0))
    if not zones:
        return []
    key = "route53.hosted_zone"
    return tier_lines(SERVICE, "hosted zones", zones, "zone-month", book.tiers(key, "route53.hosted_zones"), key=key)
