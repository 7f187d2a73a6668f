"""The published JSON Schemas of ``plan.json`` and scenario files (``python -m models.schema`` rewrites them)."""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel

from models.plan import Plan
from models.scenario import Scenario

__all__ = ["SCHEMA_FILES", "render", "write"]

HERE = Path(__file__).parent
SCHEMA_FILES: dict[str, type[BaseModel]] = {"plan.schema.json": Plan, "scenario.schema.json": Scenario}


def render(name: str) -> str:
    """The schema text for one published file."""
    schema = SCHEMA_FILES[name].model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return json.dumps(schema, indent=2, sort_keys=True) + "\n"


def write() -> list[Path]:
    written = []
    for name in SCHEMA_FILES:
        path = HERE / name
        path.write_text(render(name), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":
    for p in write():
        print(f"wrote {p}")
