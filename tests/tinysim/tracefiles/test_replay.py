"""Replaying a trace replays it: every interval's count arrives, in both fidelities, whatever holes
or time column the file has (conservation of requests is the truth here)."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from models import Scenario
from tinysim import simulate
from tinysim.errors import TraceError
from tinysim.traffic import rate_function

MINUTES = 90
EMPTY = (3, 4, 40)  # minutes with an empty cell


def counts() -> np.ndarray:
    rng = np.random.default_rng(11)
    return rng.integers(20, 400, MINUTES)


def write_csv(tmp_path: Path, with_time: bool = False, empty: tuple[int, ...] = EMPTY) -> Path:
    lines = ["timestamp,requests" if with_time else "requests"]
    for m, c in enumerate(counts()):
        cell = "" if m in empty else str(c)
        lines.append(f"{1_709_546_400 + 60 * m},{cell}" if with_time else cell)  # epoch s of 2024-03-04T10:00Z
    path = tmp_path / "trace.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def scenario(path: Path, fidelity: str = "request", **traffic: Any) -> Scenario:
    return Scenario.model_validate(
        {
            "plan": {
                "front_door": "alb",
                "container": {
                    "launch_type": "fargate",
                    "task": {"cpu_units": 1024, "memory_mb": 2048},
                    "tasks": {"min": 2, "max": 4, "desired": 2},
                },
            },
            "traffic": {"kind": "trace", "csv": str(path), **traffic},
            "workload": {"service_time_ms": {"dist": "lognormal", "mean": 40, "p99": 200}, "concurrency_per_task": 8},
            "horizon_s": MINUTES * 60,
            "fidelity": fidelity,
            "seed": 3,
        }
    )


def expected_zero() -> np.ndarray:
    c = counts().copy()
    c[list(EMPTY)] = 0
    return c


@pytest.mark.parametrize("fidelity", ["request", "fluid"])
def test_missing_zero_replays_exactly_the_counts_per_minute_and_in_total(tmp_path: Path, fidelity: str) -> None:
    result = simulate(scenario(write_csv(tmp_path), fidelity, missing="zero"))
    offered = result.timeline["offered"].to_numpy()
    want = expected_zero()
    if fidelity == "request":
        assert np.array_equal(offered, want)
    else:  # the fluid carries floats: count / 60 s x 60 s
        assert np.allclose(offered, want, rtol=0, atol=1e-9)
    assert result.summary.requests.offered == want.sum()


@pytest.mark.parametrize("fidelity", ["request", "fluid"])
def test_missing_skip_cuts_the_gaps_and_shortens_the_horizon(tmp_path: Path, fidelity: str) -> None:
    result = simulate(scenario(write_csv(tmp_path), fidelity, missing="skip"))
    kept = np.delete(counts(), list(EMPTY))
    assert result.summary.horizon_s == (MINUTES - len(EMPTY)) * 60
    assert np.allclose(result.timeline["offered"].to_numpy(), kept, rtol=0, atol=1e-9)
    assert result.summary.requests.offered == kept.sum()


def test_missing_hold_repeats_the_last_count(tmp_path: Path) -> None:
    rate = rate_function(scenario(write_csv(tmp_path), missing="hold").traffic)
    c = counts()
    want = c.copy()
    want[3] = want[4] = c[2]
    want[40] = c[39]
    assert np.allclose(rate.step_rates(60.0, MINUTES) * 60, want)


def test_missing_error_names_the_first_empty_row_and_the_choices(tmp_path: Path) -> None:
    with pytest.raises(TraceError) as err:
        rate_function(scenario(write_csv(tmp_path)).traffic)
    msg = str(err.value)
    assert "row 5 of column 'requests' is empty" in msg  # minute 3 is line 5 (after the header)
    assert '"zero", "skip", "hold"' in msg and "3 interval(s)" in msg and "\n" not in msg


def test_a_gap_in_time_is_missing(tmp_path: Path) -> None:
    path = write_csv(tmp_path, with_time=True, empty=())
    lines = path.read_text().splitlines()
    del lines[1 + 30 : 1 + 33]  # minutes 30, 31, 32 never logged
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(TraceError, match=r"no row for 2024-03-04T10:30:00Z \(a gap in time between rows 31 and 32\)"):
        rate_function(scenario(path, timestamp_column="timestamp").traffic)
    result = simulate(scenario(path, "fluid", timestamp_column="timestamp", missing="zero"))
    want = counts().copy()
    want[30:33] = 0
    assert np.allclose(result.timeline["offered"].to_numpy(), want, atol=1e-9)


def test_timestamps_decide_the_interval(tmp_path: Path) -> None:
    path = tmp_path / "five.csv"
    path.write_text("time,requests\n2024-03-04T10:00:00Z,600\n2024-03-04T10:05:00Z,300\n2024-03-04T10:10:00Z,0\n")
    rate = rate_function(scenario(path, timestamp_column="time").traffic)
    assert rate.interval_s == 300
    assert np.allclose(rate.step_rates(60.0, 15) * 60, [120] * 5 + [60] * 5 + [0] * 5)


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "tinysim", *args], capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        (["2024-03-04T10:02:00Z,5", "2024-03-04T10:01:00Z,6"], "row 3 (2024-03-04T10:01:00Z) is earlier than row 2"),
        (["2024-03-04T10:01:00Z,5", "2024-03-04T10:01:00Z,6"], "row 3 (2024-03-04T10:01:00Z) repeats row 2"),
    ],
)
def test_reversed_or_repeated_timestamps_are_one_line_naming_the_row(
    tmp_path: Path, rows: list[str], message: str
) -> None:
    (tmp_path / "t.csv").write_text("time,requests\n" + "\n".join(rows) + "\n")
    sc = {"traffic": {"kind": "trace", "csv": "t.csv", "timestamp_column": "time"}, "horizon_s": 120}
    (tmp_path / "s.json").write_text(json.dumps(sc))
    out = run_cli("run", str(tmp_path / "s.json"))
    assert out.returncode == 2
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "timestamps must increase" in lines[0], out.stderr


def test_counts_poisson_draws_around_the_trace(tmp_path: Path) -> None:
    exact = simulate(scenario(write_csv(tmp_path), missing="zero")).timeline["offered"].to_numpy()
    drawn = simulate(scenario(write_csv(tmp_path), missing="zero", counts="poisson")).timeline["offered"].to_numpy()
    want = expected_zero()
    assert np.array_equal(exact, want) and not np.array_equal(drawn, want)
    # Poisson counts: per-minute deviations are about sqrt(count); the total within 4 standard deviations
    assert abs(int(drawn.sum()) - int(want.sum())) <= 4 * math.sqrt(want.sum())


def test_scaled_exact_counts_round_by_their_fraction(tmp_path: Path) -> None:
    result = simulate(scenario(write_csv(tmp_path), missing="zero", scale=0.5))
    offered = result.timeline["offered"].to_numpy()
    want = expected_zero() * 0.5
    assert np.all((offered == np.floor(want)) | (offered == np.ceil(want)))
