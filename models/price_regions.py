"""Which price book prices a Region: each shipped book is for one Region at one date.

A plan or usage file in a Region without a book is refused (its prices would be another Region's);
a book of another Region than the plan's is refused unless the caller allows the mismatch.
"""

from __future__ import annotations

from functools import cache

from models.errors import InputError
from models.plan import Plan
from models.prices import PriceBook, available_price_books, load_price_book
from models.scenario import Scenario
from models.validation import show_value

__all__ = ["books_by_region", "check_region", "region_book", "scenario_price_book"]


@cache
def books_by_region() -> dict[str, tuple[str, ...]]:
    """Shipped book ids per Region, oldest first."""
    out: dict[str, list[str]] = {}
    for book_id in available_price_books():
        out.setdefault(load_price_book(book_id).region, []).append(book_id)
    return {region: tuple(sorted(ids, key=lambda i: load_price_book(i).as_of)) for region, ids in out.items()}


def _available() -> str:
    return "; ".join(f"{region}: {', '.join(ids)}" for region, ids in sorted(books_by_region().items()))


def region_book(region: str, field: str = "plan.region") -> str:
    """The current (latest) shipped book of ``region``; ``InputError`` naming the books there are."""
    ids = books_by_region().get(region)
    if not ids:
        raise InputError([f"{field}={show_value(region)}: no price book for this Region; books: {_available()}"])
    return ids[-1]


def check_region(book: PriceBook, region: str, allow_mismatch: bool = False, field: str = "--prices") -> None:
    """Refuse a book of another Region than ``region`` unless ``allow_mismatch``."""
    if book.region != region and not allow_mismatch:
        raise InputError(
            [
                f"{field}={show_value(book.id)}: prices {book.region}, but the stack is in {region}; "
                f"use a {region} book ({', '.join(books_by_region().get(region, ())) or 'none shipped'}) "
                "or pass --allow-region-mismatch"
            ]
        )


def scenario_price_book(scenario: Scenario, plan: Plan) -> PriceBook:
    """The book a scenario names, or (when it names none) the current book of its plan's Region."""
    if scenario.price_book is not None:
        return load_price_book(scenario.price_book, "price_book")
    return load_price_book(region_book(plan.region))
