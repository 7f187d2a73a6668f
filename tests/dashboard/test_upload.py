"""The dashboard's upload takes every trace format, with the count and time columns and the missing
policy picked in the sidebar."""

from __future__ import annotations

from pathlib import Path

from streamlit.testing.v1 import AppTest

APP = str(Path(__file__).parents[2] / "app_streamlit.py")
TRACES = Path(__file__).parents[2] / "examples" / "traces"


def uploaded(name: str, content: bytes) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    return at.file_uploader(key="upload").upload(name, content, "application/octet-stream").run()


def errors(at: AppTest) -> str:
    return " ".join(e.value for e in at.error)


def test_a_cloudwatch_export_with_gaps_replays_absent_periods_as_zero() -> None:
    # CloudWatch reports RequestCount only when nonzero, so an absent period had no requests (the default);
    # asking for "error" shows the gap the export has
    at = uploaded("requests.json", (TRACES / "requestcount_cloudwatch.json").read_bytes())
    assert not at.exception and not at.error, errors(at)
    assert {m.label for m in at.metric} >= {"monthly cost", "p99, served"}
    at.selectbox(key="up_missing").select("error").run()
    assert not at.exception
    assert "a gap in time" in errors(at) and '"zero"' in errors(at)


def test_a_csv_with_other_column_names_and_a_time_column() -> None:
    rows = [f"2024-01-01T00:{m:02d}:00Z,{0 if m == 7 else 50 + m}" for m in range(60) if m != 7]
    at = uploaded("metrics.csv", ("when,hits\n" + "\n".join(rows) + "\n").encode())
    assert "no column 'requests'" in errors(at)  # the default column until one is picked
    at.selectbox(key="up_count").select("hits").run()
    assert "no row for 2024-01-01T00:07:00Z" in errors(at)  # the time column was recognised... as a time
    at.selectbox(key="up_missing").select("skip").run()
    assert not at.exception and not at.error, errors(at)
