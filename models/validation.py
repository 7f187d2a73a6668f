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


def show_value(value: Any) -> str:
    """Render a value compactly (JSON where possible) for an error line."""
    if isinstance(value, Decimal):
        return str(value)
    try:
        text = json.dumps(value, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


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


def format_problems(exc: ValidationError, model: type[BaseModel], prefix: str = "") -> list[str]:
    """One line per problem in a pydantic ``ValidationError``."""
    lines: list[str] = []
    for err in exc.errors(include_url=False):
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
            allowed = _allowed_keys(model, loc[:-1])
            hint = f"; allowed: {', '.join(allowed)}" if allowed else ""
            lines.append(f"{path}: unknown field{hint}")
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
        else:
            msg = str(err["msg"]).removeprefix("Value error, ")
            msg = msg[0].lower() + msg[1:] if msg else msg
            for long, short in _SHORT.items():
                msg = msg.replace(long, short)
            lines.append(f"{path}={show_value(value)}: {msg}")
    return lines


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
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError([f"{where}: malformed JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"]) from None
    except (ValueError, RecursionError) as exc:  # e.g. an integer of more than 4,300 digits
        raise InputError([f"{where}: unreadable JSON ({str(exc).splitlines()[0]})"]) from None


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


def validate(model: type[M], data: Any, prefix: str = "") -> M:
    """Validate ``data`` as ``model``; every problem at once in an ``InputError``."""
    if not isinstance(data, dict):
        where = prefix or "(top level)"
        raise InputError([f"{where}={show_value(data)}: must be a JSON object"])
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InputError(format_problems(exc, model, prefix)) from None
