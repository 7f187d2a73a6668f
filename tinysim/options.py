"""The command line's numeric options, validated like the fields of a file.

Options that stand for a file's field are checked by that field's own model (``--request-kb`` by
:class:`models.Workload`, ``--azs`` by :class:`models.plan.Network`, ``--seed`` by
:class:`models.Scenario`); the others by a small model here. Either way through
:func:`models.validation.validate`, so a bad option is one line naming the option, its value and what
is allowed (``--request-kb=-1: must be >= 0``), exit code 2.
"""

from __future__ import annotations

import argparse
import re
from typing import Annotated, Any, TypeVar, cast

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from models.errors import InputError
from models.validation import format_problems, validate

__all__ = [
    "MAX_REQUESTS_PER_MONTH",
    "MAX_SLO_MS",
    "BillOptions",
    "RecommendOptions",
    "SweepOptions",
    "check_field",
    "check_options",
]

#: The largest monthly volume ``bill`` takes: 10^13 requests, the break-even search's own ceiling.
MAX_REQUESTS_PER_MONTH = 10**13

OptionsT = TypeVar("OptionsT", bound=BaseModel)


class _Options(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore", allow_inf_nan=False)


class BillOptions(_Options):
    requests_per_month: int = Field(ge=0, le=MAX_REQUESTS_PER_MONTH)


#: The loosest latency target accepted: one day, in ms.
MAX_SLO_MS = 86_400_000.0


class SweepOptions(_Options):
    slo_p99_ms: float | None = Field(None, gt=0, le=MAX_SLO_MS)


class RecommendOptions(_Options):
    p99_ms: float | None = Field(None, gt=0, le=MAX_SLO_MS)
    availability: float | None = Field(None, gt=0, le=1)
    confidence: float = Field(ge=0.5, lt=1)


def check_options(model: type[OptionsT], args: argparse.Namespace) -> OptionsT:
    """Validate a command's options; ``InputError`` lines name them as typed (``--request-kb``)."""
    data: dict[str, Any] = {
        name: getattr(args, name)
        for name in model.model_fields
        if hasattr(args, name) and getattr(args, name) is not None
    }
    try:
        return validate(model, data)
    except InputError as exc:
        raise InputError([_as_option(p) for p in exc.problems]) from None


def check_field(model: type[BaseModel], field: str, value: Any, option: str) -> Any:
    """Validate one option against the file field it stands for (its type and bounds), e.g.
    ``--interval-s`` against ``TraceTraffic.interval_s``; ``InputError`` names the option."""
    info = model.model_fields[field]
    annotated = cast(Any, Annotated)[(info.annotation, *info.metadata)]
    adapter: TypeAdapter[Any] = TypeAdapter(annotated)
    try:
        return adapter.validate_python(value)
    except ValidationError as exc:
        raise InputError(format_problems(exc, model, option)) from None


def _as_option(problem: str) -> str:
    match = re.match(r"([a-z0-9_]+)(.*)", problem, re.DOTALL)
    if match is None:  # pragma: no cover - every line starts with a field name
        return problem
    return "--" + match.group(1).replace("_", "-") + match.group(2)
