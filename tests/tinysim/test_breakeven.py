"""Break-even volume of ALB vs API Gateway, checked against the closed form of the two cost lines."""

from decimal import Decimal

import pytest

from models import PriceBook
from models.scenario import Workload
from tinysim.breakeven import SEED_CLAIM_REQUESTS, breakeven, front_door_cost


def closed_form(book: PriceBook, api: str, api_usd_per_million: Decimal, kb: Decimal, azs: int) -> Decimal:
    """With 12 KB per request the processed-bytes dimension sets the LCUs (it beats 1 connection
    per request: 12e-6 GB/request vs 1/25 per connection-second), so the ALB costs
    fixed + N x kb/1e6 GB x LCU price per GB-hour. The HTTP API costs the hosted zone of the Cloud Map
    namespace it reaches the tasks through ($0.50 a month, aws.amazon.com/route53/pricing/) + N x price/1e6;
    the REST API reaches them through a VPC link to an internal NLB instead: its hours (no public address)
    + N x (price/1e6 + kb/1e6 GB x NLCU price; bytes beat 1 flow per request, 1/800 NLCU per flow/s)."""
    hours = Decimal(730)
    fixed = hours * book.usd("alb.usd_per_alb_hour") + azs * hours * book.usd("ipv4.hour")
    alb_per_request = kb / Decimal(1_000_000) * book.usd("alb.usd_per_lcu_hour")
    if api == "apigw-http":
        zone = book.tiers("route53.hosted_zone")[0].usd
        assert zone == Decimal("0.50")
        return (fixed - zone) / (api_usd_per_million / Decimal(1_000_000) - alb_per_request)
    nlb_fixed = hours * book.usd("nlb.usd_per_nlb_hour")
    api_per_request = api_usd_per_million / Decimal(1_000_000) + kb / Decimal(1_000_000) * book.usd(
        "nlb.usd_per_nlcu_hour"
    )
    return max(Decimal(0), (fixed - nlb_fixed) / (api_per_request - alb_per_request))


@pytest.mark.parametrize(("api", "usd_per_million"), [("apigw-http", Decimal("1.00")), ("apigw-rest", Decimal("3.50"))])
def test_breakeven_matches_closed_form(now: PriceBook, july2021: PriceBook, api: str, usd_per_million: Decimal) -> None:
    for book in (now, july2021):
        result = breakeven(api, book)
        expected = closed_form(book, api, usd_per_million, Decimal(12), 2)
        assert result.requests_per_month is not None
        assert abs(result.requests_per_month - expected) <= 1, (book.id, result.requests_per_month, expected)


def test_seed_claim_of_500k_does_not_hold(now: PriceBook, july2021: PriceBook) -> None:
    for book in (now, july2021):
        r = breakeven("apigw-http", book)
        assert not r.seed_claim_holds
        assert r.requests_per_month is not None and r.requests_per_month > 4 * SEED_CLAIM_REQUESTS
    # REST in front of containers needs an NLB ($0.0225/h, as much as the ALB): at 2021 prices (no IPv4
    # charge) the ALB is cheaper from the first request; today its two addresses ($7.30) hold it off until
    # 7.30 / (3.50 + 0.072 - 0.096) per million = 2.1 M requests a month.
    old, new = breakeven("apigw-rest", july2021), breakeven("apigw-rest", now)
    assert old.requests_per_month == 0 and old.seed_claim_holds
    assert new.requests_per_month is not None and 2_000_000 < new.requests_per_month < 2_200_000
    assert not new.seed_claim_holds


def test_crossing_is_a_real_crossing(now: PriceBook) -> None:
    r = breakeven("apigw-http", now)
    n = r.requests_per_month
    assert n is not None
    wl = Workload()
    assert front_door_cost("alb", n - 1, now, wl) > front_door_cost("apigw-http", n - 1, now, wl)
    assert front_door_cost("alb", n, now, wl) <= front_door_cost("apigw-http", n, now, wl)


def test_heavy_payloads_push_the_breakeven_out(now: PriceBook) -> None:
    light = breakeven("apigw-http", now, Workload(request_kb=1, response_kb=1)).requests_per_month
    heavy = breakeven("apigw-http", now, Workload(request_kb=50, response_kb=50)).requests_per_month
    assert light is not None and heavy is not None and heavy > light


def test_never_cheaper_when_alb_marginal_cost_exceeds_the_api(now: PriceBook) -> None:
    # 200 KB per request: 0.2 MB x $0.008/GB-h ... = $1.60 per million > $1.00 on the HTTP API.
    r = breakeven("apigw-http", now, Workload(request_kb=100, response_kb=100))
    assert r.requests_per_month is None
