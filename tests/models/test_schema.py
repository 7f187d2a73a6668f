"""The published JSON Schemas must match the models (``make schema`` rewrites them)."""

from pathlib import Path

import pytest

from models.schema import HERE, SCHEMA_FILES, render


@pytest.mark.parametrize("name", sorted(SCHEMA_FILES))
def test_published_schema_is_current(name: str) -> None:
    published = (HERE / name).read_text(encoding="utf-8")
    assert published == render(name), f"{name} is stale: run `make schema`"


def test_schema_names_the_contract_fields() -> None:
    import json

    schema = json.loads(Path(HERE / "plan.schema.json").read_text())
    for field in (
        "version",
        "name",
        "region",
        "architecture",
        "front_door",
        "network",
        "container",
        "serverless",
        "pipeline",
        "tags",
    ):
        assert field in schema["properties"]
