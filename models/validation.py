"""Loading JSON and turning pydantic's errors into one plain line per problem.

Every line names the field by its JSON path, shows the bad value and says what is allowed,
for example ``container.tasks.max=0: must be >= container.tasks.min (1)``.
"""

from __future__ import annotations

import json
import re
import types
import typing
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticCustomError

from models.errors import InputError

__all__ = [
    "MAX_JSON_BYTES",
    "MAX_JSON_DEPTH",
    "Problem",
    "cross_field_error",
    "format_problems",
    "json_depth",
    "load_json",
    "parse_json",
    "show_value",
    "validate",
]

M = TypeVar("M", bound=BaseModel)

#: Deepest nesting of arrays and objects accepted in an input file (the deepest real one is about 6).
MAX_JSON_DEPTH = 64
#: Largest input JSON file accepted (a plan, scenario, usage file or price book is a few KB).
MAX_JSON_BYTES = 50_000_000
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')

#: A cross-field problem: (dotted path relative to the model, bad value, rule text).
Problem = tuple[str, Any, str]


#: Integers with more digits than this are shown in scientific notation (an error line stays short).
_MAX_SHOWN_DIGITS = 18
#: A value longer than this is cut in a message (long enough for a whole ARN: ~110 characters).
_MAX_SHOWN_CHARS = 140


def show_value(value: Any) -> str:
    """Render a value compactly (JSON where possible) for an error line; huge numbers as ``1.000e+5000``."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) >= 10**_MAX_SHOWN_DIGITS:
        return f"{Decimal(value):.3e}"
    if isinstance(value, Decimal):
        return f"{value:.3e}" if value.is_finite() and abs(value) >= 10**_MAX_SHOWN_DIGITS else str(value)
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _MAX_SHOWN_CHARS else text[: _MAX_SHOWN_CHARS - 3] + "..."


def cross_field_error(problems: Iterable[Problem]) -> PydanticCustomError:
    """An error for rules that span fields; each problem keeps its own path and value."""
    items = tuple(problems)
    summary = "; ".join(f"{p}={show_value(v)}: {rule}" for p, v, rule in items)
    return PydanticCustomError("cross_field", "{summary}", {"summary": summary, "problems": items})


def _dotted(loc: Iterable[str | int]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _unwrap(annotation: Any) -> list[Any]:
    """The model classes an annotation may hold (through Optional, list, dict, Annotated)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType, list, tuple, dict):
        found: list[Any] = []
        for arg in typing.get_args(annotation):
            found.extend(_unwrap(arg))
        return found
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    return []


def _allowed_keys(model: type[BaseModel], loc: tuple[str | int, ...]) -> list[str]:
    """Field names of the object at ``loc`` (best effort through unions and lists)."""
    candidates: list[type[BaseModel]] = [model]
    for part in loc:
        if isinstance(part, int):
            continue
        nxt: list[type[BaseModel]] = []
        for cls in candidates:
            field = _field_named(cls, part)
            if field is not None:
                nxt.extend(_unwrap(field.annotation))
            else:  # a discriminated-union tag in the location
                tagged = [c for c in candidates if _tag(c) == part]
                nxt.extend(tagged)
        if not nxt:
            return []
        candidates = nxt
    keys: set[str] = set()
    for cls in candidates:
        keys.update(f.alias or name for name, f in cls.model_fields.items())
    return sorted(keys)


def _field_named(cls: type[BaseModel], key: str) -> Any:
    """The field a JSON key names (by its alias, as users write it, or by its name)."""
    for name, f in cls.model_fields.items():
        if key in (name, f.alias):
            return f
    return None


def _json_loc(model: type[BaseModel], loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The location as the user's JSON has it: without the union tags pydantic inserts
    (``traffic.constant.rps`` is ``traffic.rps`` in the file)."""
    candidates: list[type[BaseModel]] = [model]
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, int):
            out.append(part)
            continue
        fields = [f for f in (_field_named(c, part) for c in candidates) if f is not None]
        tagged = [c for c in candidates if _tag(c) == part]
        if not fields and tagged:
            candidates = tagged
            continue
        out.append(part)
        candidates = [m for f in fields for m in _unwrap(f.annotation)]
    return tuple(out)


def _tag(cls: type[BaseModel]) -> str | None:
    field = cls.model_fields.get("kind")
    if field is None:
        return None
    args = typing.get_args(field.annotation)
    return str(args[0]) if args else None


_SHORT = {
    "input should be": "must be",
    "greater than or equal to": ">=",
    "less than or equal to": "<=",
    "greater than": ">",
    "less than": "<",
    "string should match pattern": "must match",
    "should have at most": "must have at most",
    "should have at least": "must have at least",
}


#: Keys that only a file of one kind has at its top level (the model's class name -> what people call it).
_KINDS: dict[str, tuple[str, frozenset[str]]] = {
    "Scenario": ("scenario file", frozenset({"traffic", "workload", "horizon_s", "plan_file", "timings", "fidelity"})),
    "Plan": ("plan", frozenset({"architecture", "container", "serverless", "front_door", "network", "name", "tags"})),
    "Usage": ("usage file", frozenset({"alb", "apigw", "lambda", "fargate", "ec2", "nat_gateway", "month_hours"})),
    "PriceBook": ("price book", frozenset({"entries", "as_of", "absent", "currency"})),
}


def _wrong_kind(model: type[BaseModel], data: dict[str, Any]) -> str | None:
    """``this is a scenario file, not a plan (it has traffic, workload)`` when ``data`` is of another kind."""
    own = _KINDS.get(model.__name__)
    if own is None:
        return None
    allowed = {f.alias or name for name, f in model.model_fields.items()} | set(model.model_fields)
    unknown = {k for k in data if k not in allowed}
    if set(data) & own[1]:  # it has keys of its own kind: a misspelling, not another kind of file
        return None
    for name, (kind, keys) in _KINDS.items():
        hits = sorted(unknown & keys)
        if name != model.__name__ and hits and (len(hits) >= 2 or set(hits) == unknown):
            return f"this is a {kind}, not a {own[0]} (it has {', '.join(hits)})"
    return None


def _unknown_lines(errors: list[Any], model: type[BaseModel], prefix: str) -> dict[tuple[str | int, ...], str]:
    """One line per object holding unknown keys, listing them once, keyed by the object's location."""
    by_parent: dict[tuple[str | int, ...], list[str]] = {}
    for err in errors:
        if err["type"] == "extra_forbidden":
            loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
            by_parent.setdefault(loc[:-1], []).append(str(loc[-1]))
    lines: dict[tuple[str | int, ...], str] = {}
    for parent, keys in by_parent.items():
        allowed = _allowed_keys(model, parent)
        hint = f"; allowed: {', '.join(allowed)}" if allowed else ""
        shown = _json_loc(model, parent)
        if len(keys) == 1:
            path = _dotted(((prefix,) if prefix else ()) + shown + (keys[0],))
            lines[parent] = f"{path}: unknown field{hint}"
        else:
            path = _dotted(((prefix,) if prefix else ()) + shown) or "(top level)"
            lines[parent] = f"{path}: unknown fields {', '.join(keys)}{hint}"
    return lines


def format_problems(exc: ValidationError, model: type[BaseModel], prefix: str = "") -> list[str]:
    """One line per problem in a pydantic ``ValidationError`` (unknown keys of one object: one line)."""
    lines: list[str] = []
    errors = exc.errors(include_url=False)
    unknown = _unknown_lines(errors, model, prefix)
    for err in errors:
        loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
        shown = _json_loc(model, loc)
        path = _dotted(((prefix,) if prefix else ()) + shown) or "(top level)"
        kind = err["type"]
        ctx = err.get("ctx") or {}
        value = err.get("input")
        if kind == "cross_field":
            for sub, bad, rule in ctx["problems"]:
                full = _dotted(((prefix,) if prefix else ()) + shown + tuple(sub.split(".")))
                lines.append(f"{full}={show_value(bad)}: {rule}")
        elif kind == "extra_forbidden":
            line = unknown.pop(loc[:-1], None)
            if line is not None:
                lines.append(line)
        elif kind == "missing":
            lines.append(f"{path}: required field is missing")
        elif kind == "literal_error":
            expected = str(ctx.get("expected"))
            choice = "must be one of" if " or " in expected else "must be"
            lines.append(f"{path}={show_value(value)}: {choice} {expected}")
        elif kind == "union_tag_invalid":
            lines.append(f"{path}={show_value(ctx.get('tag'))}: must be one of {ctx.get('expected_tags')}")
        elif kind == "union_tag_not_found":
            lines.append(f"{path}: needs a {ctx.get('discriminator')} field")
        elif kind in ("int_type", "int_parsing", "int_from_float"):
            lines.append(f"{path}={show_value(value)}: must be {_range(model, loc, 'an integer')}")
        elif kind in ("float_type", "float_parsing"):
            lines.append(f"{path}={show_value(value)}: must be {_range(model, loc, 'a number')}")
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            msg = msg[0].lower() + msg[1:] if msg else msg
            for long, short in _SHORT.items():
                msg = msg.replace(long, short)
            lines.append(f"{path}={show_value(value)}: {msg}")
    return lines


def _range(model: type[BaseModel], loc: tuple[str | int, ...], what: str) -> str:
    """``an integer from 1 to 34560000`` or ``a number > 0 and <= 5`` for the field at ``loc``."""
    field = _field_at(model, loc)
    bounds: dict[str, Any] = {}
    for rule in field.metadata if field is not None else ():
        bounds.update({k: getattr(rule, k) for k in ("ge", "gt", "le", "lt") if getattr(rule, k, None) is not None})
    if what == "an integer":  # whole numbers: exclusive bounds become inclusive ones
        if "gt" in bounds:
            bounds["ge"] = bounds.pop("gt") + 1
        if "lt" in bounds:
            bounds["le"] = bounds.pop("lt") - 1
    if "ge" in bounds and "le" in bounds:
        return f"{what} from {bounds['ge']} to {bounds['le']}"
    ops = {"ge": ">=", "gt": ">", "le": "<=", "lt": "<"}
    rules = " and ".join(f"{ops[k]} {bounds[k]}" for k in ops if k in bounds)
    return f"{what} {rules}" if rules else what


def _field_at(model: type[BaseModel], loc: tuple[str | int, ...]) -> Any:
    """The ``FieldInfo`` of the field at ``loc`` (best effort through unions and lists), or ``None``."""
    names = [p for p in loc if isinstance(p, str)]
    if not names:
        return None
    candidates: list[type[BaseModel]] = [model]
    for part in names[:-1]:
        nxt: list[type[BaseModel]] = []
        for cls in candidates:
            field = _field_named(cls, part)
            nxt.extend(_unwrap(field.annotation) if field is not None else [c for c in candidates if _tag(c) == part])
        candidates = nxt
    for cls in candidates:
        field = _field_named(cls, names[-1])
        if field is not None:
            return field
    return None


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """``object_pairs_hook``: a dict, marked with the keys that appear more than once."""
    out = dict(pairs)
    if len(out) == len(pairs):
        return out
    seen: set[str] = set()
    marked = _Object(pairs)
    marked.repeated = tuple(k for k, _ in pairs if k in seen or seen.add(k))  # type: ignore[func-returns-value]
    return marked


class _Object(dict[str, Any]):
    """A parsed JSON object that remembers its repeated keys."""

    repeated: tuple[str, ...] = ()


def _first_repeated(value: Any, path: str = "") -> str | None:
    """The JSON path of the first repeated key in a parsed document, or ``None``."""
    if isinstance(value, _Object):
        return f"{path}.{value.repeated[0]}" if path else value.repeated[0]
    if isinstance(value, dict):
        items: Iterable[tuple[str, Any]] = ((f"{path}.{k}" if path else k, v) for k, v in value.items())
    elif isinstance(value, list):
        items = ((f"{path}[{i}]", v) for i, v in enumerate(value))
    else:
        return None
    for sub, v in items:
        found = _first_repeated(v, sub)
        if found is not None:
            return found
    return None


def _parse_int(text: str) -> int:
    """Integers of any length (the field's bound then names the problem, not Python's digit limit)."""
    return int(text) if len(text) < 4000 else int(Decimal(text))


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in a JSON text (strings ignored), without parsing it."""
    bare = _STRING.sub("", text)
    depth = deepest = 0
    for ch in re.findall(r"[\[\]{}]", bare):
        depth += 1 if ch in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def parse_json(text: str, where: str) -> Any:
    """Parse JSON text (a UTF-8 byte order mark is ignored); ``InputError`` naming ``where`` otherwise.

    Nesting deeper than ``MAX_JSON_DEPTH`` is refused before parsing, so hostile input cannot
    exhaust the parser's recursion.
    """
    text = text.removeprefix("\ufeff")
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise InputError([f"{where}: JSON nested {depth} levels deep; at most {MAX_JSON_DEPTH} are allowed"])
    try:
        data = json.loads(text, object_pairs_hook=_refuse_duplicates, parse_int=_parse_int)
    except json.JSONDecodeError as exc:
        raise InputError([f"{where}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"]) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError([f"{where}: unreadable JSON ({str(exc).splitlines()[0]})"]) from None
    repeated = _first_repeated(data)
    if repeated is not None:
        raise InputError([f"{where}: key {repeated} appears more than once; each key may appear once in an object"])
    return data


def load_json(path: str | Path, what: str) -> Any:
    """Read a JSON file, or raise ``InputError`` with one clear line naming ``what`` and the path."""
    p = Path(path)
    where = f"{what}={str(p)!r}"
    try:
        if p.is_dir():
            raise InputError([f"{where}: is a folder, expected a JSON file"])
        if p.exists() and p.stat().st_size > MAX_JSON_BYTES:
            raise InputError([f"{where}: {p.stat().st_size:,} bytes; at most {MAX_JSON_BYTES:,} are allowed"])
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError([f"{where}: file not found"]) from None
    except IsADirectoryError:
        raise InputError([f"{where}: is a folder, expected a JSON file"]) from None
    except UnicodeDecodeError as exc:
        raise InputError([f"{where}: not UTF-8 text (byte {exc.start})"]) from None
    except OSError as exc:
        raise InputError([f"{where}: cannot be read ({exc.strerror or exc})"]) from None
    return parse_json(text, where)


def validate(model: type[M], data: Any, prefix: str = "", where: str = "") -> M:
    """Validate ``data`` as ``model``; every problem at once in an ``InputError``. A file of another
    kind (a scenario given as a plan) is one line, starting with ``where`` (e.g. ``plan='x.json'``)."""
    if not isinstance(data, dict):
        raise InputError([f"{prefix or '(top level)'}={show_value(data)}: must be a JSON object"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        wrong = None if prefix else _wrong_kind(model, data)
        if wrong is not None:
            raise InputError([f"{where}: {wrong}" if where else wrong]) from None
        raise InputError(format_problems(exc, model, prefix)) from None
