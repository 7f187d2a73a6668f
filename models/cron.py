"""AWS's six-field cron expressions, as Application Auto Scaling scheduled actions take them (UTC).

``cron(Minutes Hours Day-of-month Month Day-of-week Year)``; each field takes a value, a list (``,``),
a range (``-``), an increment (``/``) and ``*``; day-of-month or day-of-week must be ``?`` (not both
given), months and weekdays may be named (JAN-DEC, SUN-SAT; day-of-week 1-7 is Sunday to Saturday).
Source: docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-using-cron-expressions.html
and docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html#eb-cron-expressions.

The wildcards ``L`` (last), ``W`` (weekday) and ``#`` (nth weekday) are not supported and are refused by
name. :func:`parse_cron` raises :class:`CronError` with a message naming the field, the bad value and
what is allowed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["Cron", "CronError", "parse_cron"]

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
WEEKDAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
# (field name, lowest, highest, names for lowest..)
_FIELDS: tuple[tuple[str, int, int, tuple[str, ...]], ...] = (
    ("minutes", 0, 59, ()),
    ("hours", 0, 23, ()),
    ("day-of-month", 1, 31, ()),
    ("month", 1, 12, MONTHS),
    ("day-of-week", 1, 7, WEEKDAYS),
    ("year", 1970, 2199, ()),
)
_UNSUPPORTED = {"L": "L (last)", "W": "W (weekday)", "#": "# (nth weekday)"}


class CronError(ValueError):
    """A cron expression AWS would refuse, or one using a feature tinysim does not model."""


@dataclass(frozen=True)
class Cron:
    """A parsed expression: the allowed values of each field (day-of-month or day-of-week is ``None``
    for ``?``). Day-of-week values are AWS's: 1 = Sunday ... 7 = Saturday."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None
    months: frozenset[int]
    days_of_week: frozenset[int] | None
    years: frozenset[int]

    def firings_between(self, start: datetime, end: datetime) -> int:
        """How many times in [``start``, ``end``) the expression names (both aware UTC datetimes); counts
        whole days at once, so it is cheap for any horizon."""
        per_day = len(self.hours) * len(self.minutes)
        day = start.replace(hour=0, minute=0, second=0, microsecond=0)
        total = 0
        while day < end:
            if self.matches_day(day):
                if start <= day and day + timedelta(days=1) <= end:
                    total += per_day
                else:  # a partial first or last day: count its minutes
                    total += sum(start <= day.replace(hour=h, minute=m) < end for h in self.hours for m in self.minutes)
            day += timedelta(days=1)
        return total

    def matches_day(self, day: datetime) -> bool:
        """Whether the expression names any time on ``day`` (a UTC date or datetime)."""
        aws_weekday = day.isoweekday() % 7 + 1  # Monday (1) -> 2, Sunday (7) -> 1
        if day.year not in self.years or day.month not in self.months:
            return False
        if self.days_of_month is not None and day.day not in self.days_of_month:
            return False
        return self.days_of_week is None or aws_weekday in self.days_of_week


def _number(text: str, field: str, lo: int, hi: int, names: tuple[str, ...]) -> int:
    upper = text.upper()
    if upper in names:
        return lo + names.index(upper)
    if not (text.isascii() and text.isdigit()):  # str.isdigit alone takes "²" and other scripts' digits
        named = f" or {names[0]}-{names[-1]}" if names else ""
        raise CronError(f"{field} value {text!r} is not a number from {lo} to {hi}{named}")
    value = int(text)
    if not lo <= value <= hi:
        raise CronError(f"{field} value {value} is out of range: allowed {lo}-{hi}")
    return value


def _field(text: str, field: str, lo: int, hi: int, names: tuple[str, ...]) -> frozenset[int]:
    for mark, what in _UNSUPPORTED.items():
        if mark in text.upper().replace("JUL", "").replace("WED", ""):
            raise CronError(f"{field} {text!r} uses the wildcard {what}, which tinysim does not support")
    values: set[int] = set()
    for part in text.split(","):
        base, _, step_text = part.partition("/")
        step = _number(step_text, f"{field} increment", 1, hi - lo + 1, ()) if step_text else 1
        if base == "*":
            first, last = lo, hi
        elif "-" in base:
            a, _, b = base.partition("-")
            first, last = _number(a, field, lo, hi, names), _number(b, field, lo, hi, names)
            if last < first:
                raise CronError(f"{field} range {base!r} runs backwards: give low-high within {lo}-{hi}")
        else:
            first = _number(base, field, lo, hi, names)
            last = hi if step_text else first
        values.update(range(first, last + 1, step))
    return frozenset(values)


def parse_cron(expression: str) -> Cron:
    """Parse ``cron(...)``; raises :class:`CronError` naming the field, the value and what is allowed."""
    text = expression.strip()
    if not (text.startswith("cron(") and text.endswith(")")):
        raise CronError(f"{expression!r} must be written cron(Minutes Hours Day-of-month Month Day-of-week Year)")
    inner = text[5:-1]
    if not inner.isascii() or any(c.isspace() and c != " " for c in inner):
        raise CronError(f"{expression!r} may hold only ASCII letters, digits, * ? , - / and single spaces")
    parts = inner.split(" ")
    if "" in parts:
        raise CronError(f"{expression!r}: separate its six fields with single spaces")
    if len(parts) != 6:
        raise CronError(
            f"{expression!r} has {len(parts)} fields; AWS's cron has six: Minutes Hours Day-of-month Month "
            "Day-of-week Year"
        )
    dom, dow = parts[2], parts[4]
    if (dom == "?") == (dow == "?"):
        raise CronError(f"day-of-month {dom!r} and day-of-week {dow!r}: exactly one of them must be '?'")
    sets: list[frozenset[int] | None] = []
    for text_part, (field, lo, hi, names) in zip(parts, _FIELDS, strict=True):
        if text_part == "?":
            if field not in ("day-of-month", "day-of-week"):
                raise CronError(f"{field} value '?' is allowed only in day-of-month or day-of-week")
            sets.append(None)
            continue
        sets.append(_field(text_part, field, lo, hi, names))
    minutes, hours, days, months, weekdays, years = sets
    assert minutes is not None and hours is not None and months is not None and years is not None
    return Cron(minutes, hours, days, months, weekdays, years)
