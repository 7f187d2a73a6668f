"""Inputs that once replayed the wrong traffic or failed unclearly: each is read right or refused in
one line naming the file and the rule."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from models.scenario import TraceTraffic
from tinysim.errors import TraceError
from tinysim.tracefiles import load_trace, sniff_format, trace_notes

TRACES = Path(__file__).parents[3] / "examples" / "traces"


def spec(path: Path, **extra: object) -> TraceTraffic:
    return TraceTraffic.model_validate({"kind": "trace", "csv": str(path), "missing": "zero", **extra})


def refusal(path: Path, **extra: object) -> str:
    with pytest.raises(TraceError) as err:
        load_trace(spec(path, **extra))
    assert "\n" not in str(err.value)
    return str(err.value)


def test_console_csv_named_by_its_column_keeps_its_hourly_times() -> None:
    # a week of hourly rows (6 hours without a datapoint): 168 intervals of 3,600 s, not 162 one-minute rows
    path = TRACES / "requestcount_cloudwatch.csv"
    trace = load_trace(spec(path, column="RequestCount"))
    assert sniff_format(path) == "cloudwatch-csv"
    assert trace.interval_s == 3600 and trace.duration_s == 7 * 86_400


def test_a_plain_csv_time_column_is_used_and_noted(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("requests,time\n5,2024-01-01T00:00:00Z\n7,2024-01-01T01:00:00Z\n")
    traffic = spec(tmp_path / "t.csv")
    assert load_trace(traffic).interval_s == 3600
    assert any("time column" in n for n in trace_notes(traffic))


def test_newest_first_console_csv_is_reversed(tmp_path: Path) -> None:
    rows = ['"2024-01-01T00:02:00.000Z","3"', '"2024-01-01T00:01:00.000Z","2"', '"2024-01-01T00:00:00.000Z","1"']
    (tmp_path / "cw.csv").write_text('"Timestamp","RequestCount"\n' + "\n".join(rows) + "\n")
    assert list(load_trace(spec(tmp_path / "cw.csv", column="RequestCount")).counts) == [1, 2, 3]


def results(*items: dict[str, object]) -> str:
    return json.dumps({"MetricDataResults": list(items)})


STAMPS = ["2024-01-01T00:01:00Z", "2024-01-01T00:00:00Z"]


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        (
            results({"Id": "lat", "Label": "TargetResponseTime", "Timestamps": STAMPS, "Values": [0.1, 0.2]}),
            "no result labelled 'RequestCount'; labels present: ['TargetResponseTime']",
        ),
        (results({"Id": "r", "Timestamps": STAMPS, "Values": [1, 2]}), "labels present: ['r']"),
        (
            results(
                {"Id": "a", "Label": "RequestCount", "Timestamps": STAMPS, "Values": [1, 2]},
                {"Id": "b", "Label": "RequestCount", "Timestamps": STAMPS, "Values": [100, 200]},
            ),
            "2 results are labelled 'RequestCount'",
        ),
        (
            results({"Id": "r", "Label": "RequestCount", "Timestamps": "2024-01-01T00:00:00Z", "Values": 3}),
            "MetricDataResults[0].Timestamps must be a list",
        ),
        (results("nope"), "MetricDataResults[0] is str"),  # type: ignore[arg-type]
    ],
)
def test_cloudwatch_json_result_must_be_the_named_one(tmp_path: Path, doc: str, message: str) -> None:
    (tmp_path / "cw.json").write_text(doc)
    assert message in refusal(tmp_path / "cw.json", column="RequestCount")


def test_fractional_exact_counts_are_refused_naming_the_row(tmp_path: Path) -> None:
    (tmp_path / "f.csv").write_text("timestamp,requests\n2024-01-01T00:00:00Z,10\n2024-01-01T00:01:00Z,2.5\n")
    assert "row 3 of column 'requests' is 2.5" in refusal(tmp_path / "f.csv")
    assert np.array_equal(load_trace(spec(tmp_path / "f.csv", counts="poisson")).counts, [10, 2.5])


def test_binary_content_is_named_as_such(tmp_path: Path) -> None:
    (tmp_path / "blob.log").write_bytes(bytes(range(256)) * 8)
    for fmt in (None, "cloudwatch-json", "csv", "clf"):
        assert "binary content, not a log or table" in refusal(tmp_path / "blob.log", format=fmt)


def test_a_short_trace_repeated_is_noted(tmp_path: Path) -> None:
    (tmp_path / "t.csv").write_text("requests\n1\n2\n")
    assert "trace is 120 s; repeated to fill 300 s" in trace_notes(spec(tmp_path / "t.csv"), 300)[-1]
    assert not trace_notes(spec(tmp_path / "t.csv"), 120)


def test_a_console_csv_with_a_byte_order_mark_is_sniffed_as_one(tmp_path: Path) -> None:
    (tmp_path / "cw.csv").write_bytes(b"\xef\xbb\xbfTimestamp,RequestCount\n2024-01-01 00:00:00,1\n")
    assert sniff_format(tmp_path / "cw.csv") == "cloudwatch-csv"
