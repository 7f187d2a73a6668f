"""Messages for malformed tables say what is wrong with the row: mixed time formats, a row wider
than the header, a bad bytes cell, a minute index taken for epoch seconds."""

from __future__ import annotations

from pathlib import Path

import pytest

from models.scenario import TraceTraffic
from tinysim.errors import TraceError
from tinysim.tracefiles import load_trace


@pytest.mark.parametrize(
    ("text", "extra", "message"),
    [
        (
            "timestamp,requests\n2024-01-01T00:00:00Z,10\n1704067260,11\n",
            {"timestamp_column": "timestamp"},
            "column 'timestamp' mixes formats: row 3 is epoch seconds ('1704067260'), row 2 ISO 8601",
        ),
        (
            "Timestamp,RequestCount\n2024-01-01 00:00:00,1,extra\n2024-01-01 00:01:00,2\n",
            {"column": "RequestCount"},
            "row 2 has 3 fields, the header 2",
        ),
        (
            "requests,response_bytes\n10,-5\n",
            {"bytes_column": "response_bytes"},
            "column 'response_bytes' row 2 is '-5'; bytes must be numbers >= 0",
        ),
        (
            "minute,requests\n0,250\n1,262\n",
            {"timestamp_column": "minute"},
            "row 2 is '0', as epoch seconds a time before 1980; a minute or row index is not a time",
        ),
    ],
)
def test_table_faults_are_named(tmp_path: Path, text: str, extra: dict[str, str], message: str) -> None:
    (tmp_path / "t.csv").write_text(text)
    with pytest.raises(TraceError) as err:
        load_trace(TraceTraffic.model_validate({"kind": "trace", "csv": str(tmp_path / "t.csv"), **extra}))
    assert message in str(err.value) and "\n" not in str(err.value)
