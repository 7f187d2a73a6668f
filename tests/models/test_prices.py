"""Price books: both shipped books load, every entry is sourced, and a book is chosen by id or path."""

import json
from pathlib import Path

import pytest

from models import InputError, PriceMissing, available_price_books, load_price_book
from tests.conftest import BOOK_2021, BOOK_NOW


def test_shipped_books() -> None:
    # other Regions first, then us-east-1 oldest first: the last is the default book
    assert available_price_books() == ["aws-eu-west-1-2026-09", "aws-us-west-2-2026-09", BOOK_2021, BOOK_NOW]


@pytest.mark.parametrize("book_id", available_price_books())
def test_every_entry_has_unit_source_confidence(book_id: str) -> None:
    book = load_price_book(book_id)
    assert book.id == book_id
    for key, entry in book.entries.items():
        assert entry.unit and len(entry.source) > 10 and entry.confidence, key


def test_books_differ_where_history_says() -> None:
    old, now = load_price_book(BOOK_2021), load_price_book(BOOK_NOW)
    assert old.usd("ipv4.hour") == 0 and now.usd("ipv4.hour") > 0
    assert not old.has("lambda.duration.arm64") and now.has("lambda.duration.arm64")
    assert old.usd("alb.usd_per_alb_hour") == now.usd("alb.usd_per_alb_hour")
    with pytest.raises(PriceMissing, match=r"codepipeline\.v2_action_minute"):
        old.usd("codepipeline.v2_action_minute")


def test_load_by_path_and_unknown_id(tmp_path: Path) -> None:
    src = json.loads(load_price_book(BOOK_NOW).model_dump_json())
    src["id"] = "my-negotiated-prices"
    path = tmp_path / "book.json"
    path.write_text(json.dumps(src))
    assert load_price_book(str(path)).id == "my-negotiated-prices"
    with pytest.raises(InputError, match=r"price_book=\"aws-mars-1\": unknown price book; use one of"):
        load_price_book("aws-mars-1")


def test_bad_price_book_file(tmp_path: Path) -> None:
    path = tmp_path / "book.json"
    path.write_text(
        json.dumps(
            {
                "id": "x",
                "region": "r",
                "as_of": "2021-07-01",
                "entries": {
                    "a": {"usd": "-1", "unit": "u", "source": "somewhere", "confidence": "high"},
                    "b": {"unit": "u", "source": "somewhere", "confidence": "sure"},
                },
            }
        )
    )
    with pytest.raises(InputError) as info:
        load_price_book(str(path))
    text = "\n".join(info.value.problems)
    assert 'entries.a.usd="-1": must be >= 0' in text
    assert 'entries.b.confidence="sure"' in text
