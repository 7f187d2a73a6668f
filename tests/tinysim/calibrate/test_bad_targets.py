"""Calibration refuses bad outputs before any work, clamps fitted values to the model's bounds with a
note, and writes files the umask governs."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tinysim.calibrate import calibrate

CW = (
    '{"MetricDataResults": [{"Id": "r", "Label": "RequestCount", '
    '"Timestamps": ["2024-01-01T00:00:00Z"], "Values": [3]}]}'
)


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[3])}
    return subprocess.run(
        [sys.executable, "-m", "tinysim", "calibrate", *args, "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env=env,
    )


def test_a_folder_at_the_trace_target_is_refused_before_work(tmp_path: Path) -> None:
    (tmp_path / "cw.json").write_text(CW)
    (tmp_path / "coll" / "x.trace.csv").mkdir(parents=True)
    out = run(tmp_path, "cw.json", "--out", "coll/x.json")
    assert out.returncode == 2 and "'coll/x.trace.csv' is a folder" in out.stderr, out.stderr
    assert len(out.stderr.strip().splitlines()) == 1
    assert sorted(p.name for p in (tmp_path / "coll").iterdir()) == ["x.trace.csv"]  # no temporary files


def test_an_output_that_is_an_input_is_refused(tmp_path: Path) -> None:
    (tmp_path / "cw.json").write_text(CW)
    out = run(tmp_path, "cw.json", "--out", "cw.json")
    assert out.returncode == 2 and "would overwrite the input 'cw.json'" in out.stderr, out.stderr
    assert (tmp_path / "cw.json").read_text() == CW


def test_outputs_follow_the_umask(tmp_path: Path) -> None:
    (tmp_path / "cw.json").write_text(CW)
    assert run(tmp_path, "cw.json", "--out", "s.json").returncode == 0
    mask = os.umask(0)
    os.umask(mask)
    for name in ("s.json", "s.trace.csv"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o666 & ~mask


def test_a_response_above_the_bound_is_clamped_with_a_note(tmp_path: Path) -> None:
    lines = [
        '10.0.0.1 - - [01/Jan/2024:00:00:05 +0000] "GET / HTTP/1.1" 200 100 "-" "x"',
        '10.0.0.1 - - [01/Jan/2024:00:00:11 +0000] "GET / HTTP/1.1" 200 20000000000 "-" "x"',
    ]
    (tmp_path / "a.log").write_text("\n".join(lines) + "\n")
    cal = calibrate([tmp_path / "a.log"])
    # mean response (100 + 2e10) / 2 bytes = 1e7 KB, above Workload.response_kb's 10,240 KB
    assert cal.workload.response_kb == 10_240
    assert any("response_kb 1e+07 KB is above the model's bound; 10,240 KB used" in n for n in cal.notes), cal.notes


ALB_UNREACHED = [  # target_processing_time -1: the load balancer answered itself
    (
        "https 2024-01-01T00:00:08.769912Z app/shop/50dc6c495c0c9188 10.0.0.0:1024 10.0.1.5:8080 -1 -1 -1 200"
        ' 200 328 10301 "GET https://shop.example.com:443/items/0 HTTP/1.1" "synthetic/1.0" ECDHE-RSA-AES128-'
        "GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop/73e2d6bc24d8"
        'a067 "Root=1-00000000-000000000000000000000000" "shop.example.com" "arn:aws:acm:us-east-1:1234567890'
        '12:certificate/abc" 1 2024-01-01T00:00:08.649576Z "forward" "-" "-" "10.0.1.5:8080" "200" "-" "-" TI'
        "D_0"
    ),
    (
        "https 2024-01-01T00:00:30.772122Z app/shop/50dc6c495c0c9188 10.0.0.0:1024 10.0.1.5:8080 -1 -1 -1 200"
        ' 200 679 13277 "GET https://shop.example.com:443/items/1 HTTP/1.1" "synthetic/1.0" ECDHE-RSA-AES128-'
        "GCM-SHA256 TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/shop/73e2d6bc24d8"
        'a067 "Root=1-00000001-000000000000000000000000" "shop.example.com" "arn:aws:acm:us-east-1:1234567890'
        '12:certificate/abc" 1 2024-01-01T00:00:30.709297Z "forward" "-" "-" "10.0.1.5:8080" "200" "-" "-" TI'
        "D_0"
    ),
]


def test_logs_where_no_request_reached_a_target_say_so(tmp_path: Path) -> None:
    (tmp_path / "alb.log").write_text("\n".join(ALB_UNREACHED) + "\n")
    cal = calibrate([tmp_path / "alb.log"])
    assert cal.service is None and cal.connection_s is None
    assert any(n.startswith("fewer than two requests reached a target") for n in cal.notes), cal.notes
