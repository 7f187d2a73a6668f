"""Versioned price books: every price with its unit, source, confidence and date.

A book is chosen by id (a file shipped in ``models/prices/``) or by a path to a JSON file of the same
shape. Entries hold exactly one of: ``usd`` (a unit price), ``tiers`` (volume tiers), ``table`` (a
price per size) or ``value`` (a non-price quantity such as the 25 new connections in one LCU).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, model_validator

from models.errors import InputError, PriceMissing
from models.regions import REGION_PATTERN
from models.validation import cross_field_error, load_json, show_value, validate

__all__ = [
    "BUILTIN_PRICE_DIR",
    "DEFAULT_PRICE_BOOK",
    "PriceBook",
    "PriceChange",
    "PriceEntry",
    "Tier",
    "available_price_books",
    "diff_price_books",
    "load_price_book",
]

#: Bounds that keep every amount exact in 28-digit decimal arithmetic (a unit price, a tier bound or quantity).
MAX_PRICE_USD = Decimal(1_000_000)
MAX_BOUND = Decimal(10**15)
BUILTIN_PRICE_DIR = Path(__file__).with_name("prices")
DEFAULT_PRICE_BOOK = "aws-us-east-1-2026-09"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", allow_inf_nan=False, strict=True)


Usd = Annotated[Decimal, Field(ge=0, le=MAX_PRICE_USD), Strict(False)]
#: Entries used as divisors or rates: a zero would divide by zero or stop all traffic.
POSITIVE_VALUE_PREFIXES = ("alb.lcu.", "apigw.http.metering_kb")


class Tier(_Frozen):
    """A volume tier: the price applies to usage up to ``upto`` (cumulative; ``None`` = no limit)."""

    upto: Annotated[Decimal, Field(gt=0, le=MAX_BOUND), Strict(False)] | None
    usd: Usd


class PriceEntry(_Frozen):
    """One price (or billing quantity) with where it came from."""

    usd: Usd | None = None
    tiers: Annotated[tuple[Tier, ...], Strict(False)] | None = Field(None, min_length=1, max_length=100)
    table: dict[str, Usd] | None = None
    value: Annotated[Decimal, Strict(False)] | None = Field(None, ge=0, le=MAX_BOUND)
    unit: str
    source: str = Field(min_length=3)
    confidence: Literal["high", "medium-high", "medium", "low"]
    note: str = ""

    @model_validator(mode="after")
    def _one_kind(self) -> PriceEntry:
        kinds = [k for k in ("usd", "tiers", "table", "value") if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"needs exactly one of usd, tiers, table, value (has {kinds or 'none'})")
        if self.tiers is not None:
            bounds = [t.upto for t in self.tiers]
            if bounds[-1] is not None or any(b is None for b in bounds[:-1]):
                raise ValueError("tiers: only the last tier may (and must) have upto null")
            finite = [b for b in bounds if b is not None]
            if finite != sorted(finite) or len(set(finite)) != len(finite):
                raise ValueError("tiers: upto must increase")
        return self


class PriceBook(_Frozen):
    """Prices for one region at one date."""

    id: str = Field(pattern=r"^[a-z0-9][a-z0-9.-]*$")
    region: str = Field(pattern=REGION_PATTERN)
    as_of: Annotated[dt.date, Strict(False)]
    currency: Literal["USD"] = "USD"
    description: str = ""
    entries: dict[str, PriceEntry]
    #: Keys this book cannot price, with why (a service or option launched after the book's date).
    absent: dict[str, str] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _divisors(self) -> PriceBook:
        bad = [
            (f"entries.{k}.value", e.value, "must be > 0 (it divides usage or sets a rate)")
            for k, e in self.entries.items()
            if k.startswith(POSITIVE_VALUE_PREFIXES) and e.value is not None and e.value <= 0
        ]
        if bad:
            raise cross_field_error(bad)
        return self

    def has(self, key: str) -> bool:
        return key in self.entries

    def entry(self, key: str, field: str = "") -> PriceEntry:
        try:
            return self.entries[key]
        except KeyError:
            raise PriceMissing(self.id, key, field, self.absent.get(key, "")) from None

    def usd(self, key: str, field: str = "") -> Decimal:
        e = self.entry(key, field)
        if e.usd is None:
            raise PriceMissing(self.id, key, field, self.absent.get(key, ""))
        return e.usd

    def value(self, key: str, field: str = "") -> Decimal:
        e = self.entry(key, field)
        if e.value is None:
            raise PriceMissing(self.id, key, field, self.absent.get(key, ""))
        return e.value

    def tiers(self, key: str, field: str = "") -> tuple[Tier, ...]:
        e = self.entry(key, field)
        if e.tiers is not None:
            return e.tiers
        if e.usd is not None:  # a flat price is a single open tier
            return (Tier(upto=None, usd=e.usd),)
        raise PriceMissing(self.id, key, field, self.absent.get(key, ""))

    def table(self, key: str, field: str = "") -> dict[str, Decimal]:
        e = self.entry(key, field)
        if e.table is None:
            raise PriceMissing(self.id, key, field, self.absent.get(key, ""))
        return e.table


def available_price_books() -> list[str]:
    """Ids of the price books shipped with the package: other Regions first, then the default book's
    Region; oldest first within a Region (so the last is the default book)."""
    return list(_builtin_ids())


def _order(book_id: str) -> tuple[bool, str, str]:
    """Shipped ids read ``aws-<region>-<yyyy>-<mm>``."""
    region, date = book_id[:-8], book_id[-7:]
    return (DEFAULT_PRICE_BOOK.startswith(region + "-"), region, date)


@cache
def _builtin_ids() -> tuple[str, ...]:
    return tuple(sorted((p.stem for p in BUILTIN_PRICE_DIR.glob("*.json")), key=_order))


@cache
def _load_builtin(book_id: str) -> PriceBook:
    return _load_file(BUILTIN_PRICE_DIR / f"{book_id}.json", "price_book")


def _load_file(path: Path, field: str) -> PriceBook:
    try:
        return validate(PriceBook, load_json(path, field))
    except InputError as exc:  # name the file the problems are in
        where = f"{field}={str(path)!r}"
        raise InputError([p if p.startswith(where) else f"{where}: {p}" for p in exc.problems]) from None


def load_price_book(ref: str | Path | None = None, field: str = "price_book") -> PriceBook:
    """A price book by id (see :func:`available_price_books`) or by path; default the current one."""
    ref = DEFAULT_PRICE_BOOK if ref is None else ref
    text = str(ref)
    if text in _builtin_ids():
        return _load_builtin(text)
    path = Path(text)
    if text.endswith(".json") or path.exists():
        return _load_file(path, field)
    raise InputError(
        [
            f"{field}={show_value(text)}: unknown price book; "
            f"use one of {available_price_books()} or a path to a JSON file"
        ]
    )


@dataclass(frozen=True)
class PriceChange:
    """One entry that differs between two price books (``None``: absent from that book)."""

    key: str
    unit: str
    before: str | None
    after: str | None
    note: str


def _num(d: Decimal) -> str:
    return format(d.normalize(), "f")


def _show(e: PriceEntry | None) -> str | None:
    if e is None:
        return None
    if e.usd is not None:
        return f"${_num(e.usd)}"
    if e.value is not None:
        return _num(e.value)
    if e.tiers is not None:
        return ", ".join(f"${_num(t.usd)}" + (" after" if t.upto is None else f" to {_num(t.upto)}") for t in e.tiers)
    return ", ".join(f"{k}: ${_num(v)}" for k, v in (e.table or {}).items())


def diff_price_books(before: PriceBook, after: PriceBook) -> list[PriceChange]:
    """Entries added, removed or changed between two books, in key order."""
    out = []
    for key in sorted(set(before.entries) | set(after.entries)):
        a, b = before.entries.get(key), after.entries.get(key)
        shown_a, shown_b = _show(a), _show(b)
        if shown_a != shown_b:
            ref = b or a
            assert ref is not None
            out.append(PriceChange(key, ref.unit, shown_a, shown_b, (b.note if b else "") or (a.note if a else "")))
    return out
