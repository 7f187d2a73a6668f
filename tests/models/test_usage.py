"""Usage files: one object or a list per service, and clear lines for bad values."""

import json
from pathlib import Path
from typing import Any

import pytest

from models import InputError, load_usage


def write(tmp_path: Path, data: Any) -> Path:
    path = tmp_path / "usage.json"
    path.write_text(json.dumps(data))
    return path


def test_object_or_list(tmp_path: Path) -> None:
    one = load_usage(write(tmp_path, {"lambda": {"requests": 5}}))
    many = load_usage(write(tmp_path, {"lambda": [{"requests": 5}, {"requests": 6}]}))
    assert len(one.lambda_) == 1 and len(many.lambda_) == 2
    assert one.month_hours == 730 and one.free_tier is False


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ({"apigw": {"requests": -5}}, "apigw[0].requests=-5: must be >= 0"),
        ({"apigw": {"type": "websocket"}}, "apigw[0].type=\"websocket\": must be one of 'http' or 'rest'"),
        ({"alb": {"new_connections": 3}}, "alb[0].new_connections: unknown field; allowed:"),
        ({"lambda": {"memory_mb": 64}}, "lambda[0].memory_mb=64: must be >= 128"),
        (
            {"lambda": {"requests": 5, "provisioned_requests": 6}},
            "lambda[0].provisioned_requests=6: must be <= requests",
        ),
        ({"apigw": {"type": "http", "cache_gb": 0.5}}, "apigw[0].cache_gb=0.5: a cache exists only on REST APIs"),
        ({"month_hours": 0}, "month_hours=0: must be > 0"),
        ({"free_tier": "maybe"}, 'free_tier="maybe": must be a valid boolean'),
        ({"nat": {}}, "nat: unknown field; allowed:"),
    ],
)
def test_bad_usage(tmp_path: Path, data: dict[str, Any], expected: str) -> None:
    with pytest.raises(InputError) as info:
        load_usage(write(tmp_path, data))
    assert len(info.value.problems) == 1
    assert info.value.problems[0].startswith(expected), info.value.problems[0]
