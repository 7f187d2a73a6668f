"""Where an Application Load Balancer becomes cheaper than API Gateway, by monthly request volume.

Both front doors are priced with the same cost model as any bill, each with the resources it adds to the
stack (read from the blueprint): the public IPv4 addresses an internet-facing ALB holds (one per zone)
count against it where the price book charges them, the Route 53 hosted zone of the Cloud Map
namespace the HTTP API reaches the tasks through counts against the HTTP API, and the internal Network
Load Balancer (hours and NLCUs) a REST API reaches them through counts against the REST API.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from models.blueprint import stack_resources
from models.blueprint.resources import StackResource
from models.plan import Plan
from models.prices import PriceBook
from models.scenario import Workload
from models.usage import Usage
from tinysim.costs import price_usage
from tinysim.inventory import inventory
from tinysim.steady import MONTH_HOURS, SteadyLoad, traffic_usage

__all__ = [
    "SEED_CLAIM_REQUESTS",
    "Breakeven",
    "FrontDoorCurves",
    "breakeven",
    "front_door_cost",
    "front_door_curves",
    "front_door_resources",
]

#: The seed page: "a hyperscale configuration will prove more cost-effective at a volume of
#: 500,000 or more application requests per month".
SEED_CLAIM_REQUESTS = 500_000
SEARCH_LIMIT = 10**13
FRONT_DOORS = ("alb", "apigw-http", "apigw-rest")


def _plan(front_door: str, azs: int) -> Plan:
    return Plan.model_validate({"front_door": front_door, "network": {"azs": azs}})


@cache
def front_door_resources(front_door: str, azs: int = 2) -> tuple[StackResource, ...]:
    """The resources ``front_door`` adds to the default container stack: those of its stack that the
    stacks behind the other front doors do not all have."""
    keys = [{r.key for r in stack_resources(_plan(fd, azs))} for fd in FRONT_DOORS]
    shared = set.intersection(*keys)
    return tuple(r for r in stack_resources(_plan(front_door, azs)) if r.key not in shared)


def front_door_cost(
    front_door: str, requests_per_month: int, book: PriceBook, workload: Workload, azs: int = 2
) -> Decimal:
    """Exact monthly cost (unrounded) of one front door alone at a steady request volume: its requests
    or LCUs and hours, and the fixed items of the resources it adds (:func:`front_door_resources`)."""
    part = traffic_usage(_plan(front_door, azs), SteadyLoad(requests_per_month, workload))
    stock = inventory(front_door_resources(front_door, azs))
    usage: dict[str, object] = {"month_hours": MONTH_HOURS}
    if stock.count("load_balancer"):
        usage["alb"] = part["alb"]
    if stock.count("api"):
        usage["apigw"] = part["apigw"]
    if stock.count("network_load_balancer"):  # REST reaches the tasks through a VPC link to an NLB
        usage["nlb"] = part["nlb"]
    if stock.count("public_ipv4"):
        usage["public_ipv4"] = [{"addresses": stock.count("public_ipv4")}]
    if stock.count("hosted_zone"):
        usage["route53"] = [{"hosted_zones": stock.count("hosted_zone")}]
    return price_usage(Usage.model_validate(usage), book).total_exact_usd


@dataclass(frozen=True)
class Breakeven:
    """The smallest monthly volume at which the ALB costs no more than the API, or ``None``."""

    api: str
    requests_per_month: int | None
    alb_usd_at_breakeven: Decimal | None
    api_usd_at_breakeven: Decimal | None
    alb_usd_at_seed_claim: Decimal
    api_usd_at_seed_claim: Decimal

    @property
    def seed_claim_holds(self) -> bool:
        """Is the ALB already cheaper at the seed's 500,000 requests per month?"""
        return self.alb_usd_at_seed_claim <= self.api_usd_at_seed_claim


def breakeven(api: str, book: PriceBook, workload: Workload = Workload(), azs: int = 2) -> Breakeven:
    """Bisect on the monthly request count for the ALB/API crossover (``api``: apigw-http or apigw-rest)."""

    def gap(n: int) -> Decimal:
        return front_door_cost("alb", n, book, workload, azs) - front_door_cost(api, n, book, workload, azs)

    lo, hi = 0, SEARCH_LIMIT
    found: int | None = None
    if gap(lo) <= 0:
        found = 0
    elif gap(hi) <= 0:
        while hi - lo > 1:  # invariant: gap(lo) > 0 >= gap(hi); the gap shrinks as volume grows
            mid = (lo + hi) // 2
            if gap(mid) > 0:
                lo = mid
            else:
                hi = mid
        found = hi

    def at(fd: str, n: int) -> Decimal:
        return front_door_cost(fd, n, book, workload, azs)

    return Breakeven(
        api=api,
        requests_per_month=found,
        alb_usd_at_breakeven=None if found is None else at("alb", found),
        api_usd_at_breakeven=None if found is None else at(api, found),
        alb_usd_at_seed_claim=at("alb", SEED_CLAIM_REQUESTS),
        api_usd_at_seed_claim=at(api, SEED_CLAIM_REQUESTS),
    )


@dataclass(frozen=True)
class FrontDoorCurves:
    """Monthly cost of each front door alone over a range of volumes, and where the ALB gets cheaper."""

    price_book: str
    requests_per_month: tuple[int, ...]
    usd: dict[str, tuple[Decimal, ...]]  # front door -> cost at each volume
    crossings: tuple[Breakeven, ...]  # ALB vs each API Gateway type


def front_door_curves(
    book_id: str, workload: Workload = Workload(), points_per_decade: int = 8, decades: tuple[int, int] = (5, 9)
) -> FrontDoorCurves:
    """Front-door costs at log-spaced volumes from 10^decades[0] to 10^decades[1] requests per month."""
    from models.prices import load_price_book

    book = load_price_book(book_id)
    lo, hi = decades
    volumes = tuple(int(10 ** (lo + i / points_per_decade)) for i in range((hi - lo) * points_per_decade + 1))
    doors = ("apigw-http", "apigw-rest", "alb")
    usd = {fd: tuple(front_door_cost(fd, n, book, workload) for n in volumes) for fd in doors}
    crossings = tuple(breakeven(api, book, workload) for api in ("apigw-http", "apigw-rest"))
    return FrontDoorCurves(book.id, volumes, usd, crossings)
