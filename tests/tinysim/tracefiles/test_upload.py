"""What an uploaded file offers to pick, by format."""

from __future__ import annotations

from pathlib import Path

import pytest

from tinysim.tracefiles.upload import NO_TIME, save_upload, upload_choices, upload_traffic

EXAMPLES = Path(__file__).parents[3] / "examples"


@pytest.mark.parametrize(
    ("source", "fmt", "count", "time"),
    [
        ("traces/shop_day.csv", "csv", "requests", NO_TIME),
        ("traces/shop_day.parquet", "parquet", "requests", NO_TIME),
        ("traces/requestcount_cloudwatch.csv", "cloudwatch-csv", "RequestCount", "Timestamp"),
        ("traces/requestcount_cloudwatch.json", "cloudwatch-json", "RequestCount", None),
        ("logs/access.log", "clf", None, None),
    ],
)
def test_choices_by_format(tmp_path: Path, source: str, fmt: str, count: str | None, time: str | None) -> None:
    path = save_upload((EXAMPLES / source).read_bytes(), Path(source).name, tmp_path)
    assert path.suffix == Path(source).suffix
    ch = upload_choices(path)
    assert ch.format == fmt
    assert (ch.count_options[0] if ch.count_options else None) == count
    assert (ch.time_options[0] if ch.time_options else None) == time
    traffic = upload_traffic(path, ch, count, time, "zero")
    assert traffic["format"] == fmt and traffic["missing"] == "zero"


def test_unreadable_upload_gets_default_choices(tmp_path: Path) -> None:
    path = save_upload(b"\x89PNG\r\n\x1a\n\x00\x00binary", "x.png", tmp_path)
    assert upload_choices(path).count_options == ("requests",)


@pytest.mark.parametrize(
    ("source", "first"),
    [
        # CloudWatch publishes RequestCount only when nonzero: an absent period had no requests
        ("traces/requestcount_cloudwatch.csv", "zero"),
        ("traces/requestcount_cloudwatch.json", "zero"),
        # a table of our own: an empty cell is a hole in the logging, refused unless the user says otherwise
        ("traces/shop_day.csv", "error"),
    ],
)
def test_cloudwatch_exports_default_to_zero_for_absent_periods(tmp_path: Path, source: str, first: str) -> None:
    path = save_upload((EXAMPLES / source).read_bytes(), Path(source).name, tmp_path)
    ch = upload_choices(path)
    assert ch.missing_options[0] == first
    assert sorted(ch.missing_options) == ["error", "hold", "skip", "zero"]
