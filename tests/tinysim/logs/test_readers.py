"""Each reader against bad input: a malformed line is counted and named, a truncated gzip, an empty
folder and a file of another format are one clear line; every documented ALB field is read."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest

from tinysim.errors import LogError
from tinysim.logs import read_logs
from tinysim.logs.alb import FIELDS, parse_line
from tinysim.logs.synthetic import SyntheticLogs, write_alb, write_clf

SMALL = SyntheticLogs(np.array([5, 0, 7, 3] * 10), seed=2)
AWS_EXAMPLE = (  # the HTTP entry of AWS's "Example log entries" (fields as documented, with conn_trace_id)
    "http 2018-07-02T22:23:00.186641Z app/my-loadbalancer/50dc6c495c0c9188 192.168.131.39:2817 10.0.0.1:80 "
    '0.000 0.001 0.000 200 200 34 366 "GET http://www.example.com:80/ HTTP/1.1" "curl/7.46.0" - - '
    "arn:aws:elasticloadbalancing:us-east-2:123456789012:targetgroup/my-targets/73e2d6bc24d8a067 "
    '"Root=1-58337262-36d228ad5d99923122bbe354" "-" "-" 0 2018-07-02T22:22:48.364000Z "forward" "-" "-" '
    '"10.0.0.1:80" "200" "-" "-" TID_1234abcd5678ef90'
)


def test_every_documented_field_is_read_and_unknown_trailing_fields_are_ignored() -> None:
    fields = parse_line(AWS_EXAMPLE)
    assert fields is not None and list(fields) == [name for name, _ in FIELDS]
    assert fields["request_creation_time"] == "2018-07-02T22:22:48.364000Z"
    assert fields["conn_trace_id"] == "TID_1234abcd5678ef90" and fields["transformed_host"] is None
    newer = parse_line(AWS_EXAMPLE + ' "example.com" "/new" "-" "a-field-from-the-future"')
    assert newer is not None and newer["transformed_uri"] == "/new"
    older = parse_line(AWS_EXAMPLE.rsplit(' "forward"', 1)[0])  # a 2018 entry ends at request_creation_time
    assert older is not None and older["actions_executed"] is None


def test_alb_and_clf_give_the_same_counts(tmp_path: Path) -> None:
    write_alb(SMALL, tmp_path / "alb", files=2)
    write_clf(SMALL, tmp_path / "clf" / "access.log.gz", gz=True)
    a = read_logs([tmp_path / "alb"], "alb-log")
    c = read_logs([tmp_path / "clf"], "clf")
    assert np.array_equal(a.counts, SMALL.counts) and np.array_equal(c.counts, SMALL.counts)
    assert a.files == 2 and a.requests == c.requests == SMALL.counts.sum()


def test_malformed_lines_are_counted_and_named(tmp_path: Path) -> None:
    path = write_alb(SMALL, tmp_path, gz=False)[0]
    lines = path.read_text().splitlines()
    lines.insert(3, "garbage in the middle")
    lines.insert(10, lines[10].replace("2024-01-01T", "2024-13-01T", 2))  # a month that does not exist
    lines.insert(20, lines[20][:80])  # a line cut short
    path.write_text("\n".join(lines) + "\n")
    logs = read_logs([path], "alb-log")
    assert logs.malformed == 3 and logs.requests == SMALL.counts.sum()
    assert logs.malformed_at == (f"{path.name}:4", f"{path.name}:11", f"{path.name}:21")
    assert logs.malformed_note().startswith("3 malformed line(s) skipped (at ")


def test_a_truncated_gzip_is_one_line(tmp_path: Path) -> None:
    path = write_alb(SMALL, tmp_path / "alb")[0]
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    complete = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(data[: len(data) // 2]).count(b"\n")
    with pytest.raises(LogError, match=rf"the gzip stream is truncated after {complete:,} complete line\(s\)") as err:
        read_logs([tmp_path / "alb"], "alb-log")
    assert "\n" not in str(err.value) and complete > 0


def test_an_empty_folder_and_a_missing_path(tmp_path: Path) -> None:
    (tmp_path / "empty" / ".hidden").mkdir(parents=True)
    with pytest.raises(LogError, match="the folder holds no log files"):
        read_logs([tmp_path / "empty"], "alb-log")
    with pytest.raises(LogError, match="no such file or folder"):
        read_logs([tmp_path / "nope"], "clf")


def test_elb_test_file_is_not_a_log(tmp_path: Path) -> None:
    write_alb(SMALL, tmp_path)
    (tmp_path / "ELBAccessLogTestFile").write_text("Enable AccessLog for ELB: shop at 2024-01-01T00:00:00.000Z\n")
    assert read_logs([tmp_path], "alb-log").malformed == 0


@pytest.mark.parametrize(("writer", "fmt", "other"), [("clf", "alb-log", "clf"), ("alb", "clf", "alb-log")])
def test_a_file_of_another_format_says_which(tmp_path: Path, writer: str, fmt: str, other: str) -> None:
    if writer == "clf":
        write_clf(SMALL, tmp_path / "access.log")
    else:
        write_alb(SMALL, tmp_path)
    with pytest.raises(LogError, match=f"not an? .*line 1 reads .*use format '{other}'"):
        read_logs([tmp_path], fmt)  # type: ignore[arg-type]


def test_binary_and_json_files_are_another_format(tmp_path: Path) -> None:
    (tmp_path / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    with pytest.raises(LogError, match="not an ALB access log"):
        read_logs([tmp_path / "a.png"], "alb-log")
    (tmp_path / "b.json").write_text(json.dumps({"MetricDataResults": []}))
    with pytest.raises(LogError, match="not a Common/Combined Log Format log"):
        read_logs([tmp_path / "b.json"], "clf")


def test_corrupt_gzip_is_one_line(tmp_path: Path) -> None:
    good = gzip.compress(b"x" * 1000)
    (tmp_path / "x.log.gz").write_bytes(good[:10] + b"\xff" * 20 + good[30:])
    with pytest.raises(LogError, match=r"gzip stream is (corrupt|truncated)"):
        read_logs([tmp_path], "clf")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tinysim", *args], capture_output=True, text=True, timeout=120)


def test_calibrate_cli_errors_are_one_line_and_write_nothing(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    out = cli("calibrate", str(tmp_path / "empty"), "--format", "alb-log", "--out", str(tmp_path / "s.json"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1 and "holds no log files" in out.stderr
    assert "Traceback" not in out.stderr and not (tmp_path / "s.json").exists()


def test_calibrate_cli_writes_scenario_and_trace(tmp_path: Path) -> None:
    write_alb(SMALL, tmp_path / "logs")
    out = cli("calibrate", str(tmp_path / "logs"), "--out", str(tmp_path / "s.json"), "--json", "--quiet")
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["format"] == "alb-log" and report["requests"] == SMALL.counts.sum()
    assert report["service_time"]["qq"][0]["p"] == 0.5
    run = cli("run", str(tmp_path / "s.json"), "--json", "--quiet")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["requests"]["offered"] == SMALL.counts.sum()


def test_run_names_the_malformed_lines_of_a_log_trace(tmp_path: Path) -> None:
    path = write_alb(SMALL, tmp_path / "logs", gz=False)[0]
    path.write_text(path.read_text() + "not a log line\n")
    sc = {"traffic": {"kind": "trace", "csv": "logs", "format": "alb-log"}, "horizon_s": 2400}
    (tmp_path / "s.json").write_text(json.dumps(sc))
    out = cli("run", str(tmp_path / "s.json"), "--json", "--quiet")
    assert out.returncode == 0, out.stderr
    assert f"1 malformed line(s) skipped (at {path.name}:{SMALL.counts.sum() + 1})" in out.stderr
    assert json.loads(out.stdout)["requests"]["offered"] == SMALL.counts.sum()


def test_the_fast_split_and_the_documented_grammar_agree(tmp_path: Path) -> None:
    from tinysim.logs.alb import _IDX, _LINE, _split, parse_chunk

    lines = [*write_alb(SMALL, tmp_path, gz=False)[0].read_text().splitlines()[:50], AWS_EXAMPLE]
    for line in lines:
        m = _LINE.match(line)
        assert m is not None and _split(line) == m.group(*_IDX)
    quoted = AWS_EXAMPLE.replace('"curl/7.46.0"', '"curl \\"quoted\\" 7.46"')  # an escaped quote: regex path
    assert _split(quoted) is None
    chunk = parse_chunk([quoted, "", AWS_EXAMPLE])
    assert chunk.bad == [] and chunk.client == ["192.168.131.39:2817"] * 2
