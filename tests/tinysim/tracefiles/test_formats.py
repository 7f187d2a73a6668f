"""Every format a team has, sniffed and read to the same counts; bad exports are one clear line."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from models import load_scenario
from models.scenario import TraceTraffic
from tinysim import simulate
from tinysim.errors import TraceError
from tinysim.tracefiles import load_trace, sniff_format

EXAMPLES = Path(__file__).parents[3] / "examples"
TRACES = EXAMPLES / "traces"
ALB = EXAMPLES / "logs" / "alb"


@pytest.mark.parametrize(
    ("path", "fmt"),
    [
        (ALB, "alb-log"),
        (EXAMPLES / "logs" / "access.log", "clf"),
        (TRACES / "requestcount_cloudwatch.json", "cloudwatch-json"),
        (TRACES / "requestcount_cloudwatch.csv", "cloudwatch-csv"),
        (TRACES / "shop_day.csv", "csv"),
        (TRACES / "shop_day.parquet", "parquet"),
    ],
)
def test_formats_are_sniffed(path: Path, fmt: str) -> None:
    assert sniff_format(path) == fmt


def spec(path: Path, **extra: object) -> TraceTraffic:
    return TraceTraffic.model_validate({"kind": "trace", "csv": str(path), **extra})


def test_cloudwatch_json_and_console_csv_give_the_same_hourly_trace() -> None:
    doc = json.loads((TRACES / "requestcount_cloudwatch.json").read_text())["MetricDataResults"][0]
    a = load_trace(spec(TRACES / "requestcount_cloudwatch.json", column="RequestCount", missing="zero"))
    b = load_trace(spec(TRACES / "requestcount_cloudwatch.csv", missing="zero"))
    assert a.interval_s == b.interval_s == 3600
    assert np.array_equal(a.counts, b.counts) and a.counts.sum() == sum(doc["Values"])
    assert a.filled == 6 and a.counts.size == 7 * 24  # six hours without a datapoint, newest-first undone
    with pytest.raises(TraceError, match=r"no datapoint for 2024-01-\d\dT\d\d:00:00Z \(a gap in time"):
        load_trace(spec(TRACES / "requestcount_cloudwatch.json"))


def test_parquet_and_csv_agree() -> None:
    a = load_trace(spec(TRACES / "shop_day.csv", bytes_column="response_bytes"))
    b = load_trace(spec(TRACES / "shop_day.parquet", bytes_column="response_bytes"))
    assert np.array_equal(a.counts, b.counts) and a.bytes is not None and b.bytes is not None
    assert np.array_equal(a.bytes, b.bytes)


def test_a_log_folder_is_a_trace() -> None:
    trace = load_trace(spec(ALB))
    clf = load_trace(spec(EXAMPLES / "logs" / "access.log"))
    assert trace.interval_s == 60 and trace.counts.size == 1440
    assert np.array_equal(clf.counts, trace.counts[:120])  # the CLF file holds the day's first two hours


def test_the_cloudwatch_example_replays_every_request() -> None:
    result = simulate(load_scenario(EXAMPLES / "cloudwatch_replay.json"))
    doc = json.loads((TRACES / "requestcount_cloudwatch.json").read_text())["MetricDataResults"][0]
    assert result.summary.requests.offered == pytest.approx(sum(doc["Values"]), abs=1e-6)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "malformed JSON"),
        ('{"Foo": 1}', "not a CloudWatch export"),
        (
            '{"MetricDataResults": [{"Id": "a", "Label": "A", "Timestamps": [], "Values": []},'
            ' {"Id": "b", "Label": "B", "Timestamps": [], "Values": []}]}',
            "no result labelled 'requests'; labels present: ['A', 'B']",
        ),
        (
            '{"MetricDataResults": [{"Id": "a", "Timestamps": ["2024-01-01T00:00:00Z"], "Values": [1],'
            ' "StatusCode": "PartialData"}]}',
            "StatusCode 'PartialData'",
        ),
        (
            '{"MetricDataResults": [{"Id": "a", "Timestamps": ["2024-01-01T00:00:00Z", "2024-01-01T00:00:00Z"],'
            ' "Values": [1, 2]}]}',
            "datapoint 1 (2024-01-01T00:00:00Z) repeats datapoint 0",
        ),
        ('{"Datapoints": [{"Timestamp": "2024-01-01T00:00:00Z", "Average": 3}]}', "needs Timestamp and Sum"),
    ],
)
def test_bad_cloudwatch_exports_are_one_line(tmp_path: Path, content: str, message: str) -> None:
    (tmp_path / "cw.json").write_text(content)
    with pytest.raises(TraceError) as err:
        load_trace(spec(tmp_path / "cw.json"))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_get_metric_statistics_output_is_read(tmp_path: Path) -> None:
    points = [{"Timestamp": f"2024-01-01T00:0{m}:00Z", "Sum": 10.0 * m, "Unit": "Count"} for m in (2, 0, 1)]
    (tmp_path / "stats.json").write_text(json.dumps({"Label": "RequestCount", "Datapoints": points}))
    assert list(load_trace(spec(tmp_path / "stats.json")).counts) == [0.0, 10.0, 20.0]


def test_epoch_second_timestamps_and_a_parquet_with_nulls(tmp_path: Path) -> None:
    frame = pd.DataFrame({"t": [1_704_067_200 + 60 * m for m in range(4)], "requests": [1.0, None, 3.0, 4.0]})
    frame.to_parquet(tmp_path / "t.parquet")
    with pytest.raises(TraceError, match="row 2 of column 'requests' is empty"):
        load_trace(spec(tmp_path / "t.parquet", timestamp_column="t"))
    assert list(load_trace(spec(tmp_path / "t.parquet", timestamp_column="t", missing="hold")).counts) == [1, 1, 3, 4]
