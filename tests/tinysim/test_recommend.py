"""The recommender on a case with a known answer.

Single-slot tasks behind one shared queue, 250 requests/s of 10 ms (exponential) work: M/M/c. The latency
L = W + S has P(L > x) = (1 - C) e^{-mu x} + C (mu e^{-r x} - r e^{-mu x}) / (mu - r), r = c mu - lambda,
C Erlang C's probability of waiting; its p99 plus the ALB's 1 ms is 99.86 ms for three tasks, 51.68 ms
for four and 47.88 ms for five. Cost grows with the number of tasks, so four is the unique cheapest
configuration meeting a 90-ms SLO, and five a 50-ms one. (Adding the wait's p99 to the service's, 85 +
46 ms for three tasks, overstates the latency's p99: the two are independent, not comonotone.)
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from models import InputError, load_plan
from tests.tinysim.helpers import fixed_service
from tinysim.errors import NoConfigurationMeetsSlo
from tinysim.queueing import erlang_c
from tinysim.recommend import recommend

SPACE = {"plan.container.tasks": [{"min": n, "max": n, "desired": n} for n in range(1, 7)]}


def scenario():  # type: ignore[no-untyped-def]
    return fixed_service(1, "central_queue", 250, 10, 86400)


def test_known_answer() -> None:
    assert erlang_c(3, 2.5) > erlang_c(4, 2.5) > erlang_c(5, 2.5)
    rec = recommend(scenario(), {"p99_ms": 90, "availability": 0.999}, SPACE, confirm_horizon_s=3600)
    assert rec.plan.container.tasks.max == 4
    assert rec.chosen.meets_slo and rec.chosen.p99_ms < 90
    assert rec.runner_up is not None and rec.runner_up.values["plan.container.tasks"]["max"] == 5
    assert "costs $" in rec.runner_up.reason and rec.runner_up.monthly_usd > rec.chosen.monthly_usd
    assert rec.cheaper_miss is not None and rec.cheaper_miss.values["plan.container.tasks"]["max"] == 3
    assert "p99" in rec.cheaper_miss.reason
    assert rec.confirmed["checked"][0]["passed"] and rec.confirmed["checked"][0]["p99_ms"] < 90


def test_tighter_slo_moves_the_answer_and_impossible_slo_is_refused() -> None:
    rec = recommend(scenario(), {"p99_ms": 50}, SPACE, confirm=False)
    assert rec.plan.container.tasks.max == 5
    with pytest.raises(NoConfigurationMeetsSlo, match="no configuration in the space meets it"):
        recommend(scenario(), {"p99_ms": 5}, SPACE, confirm=False)
    with pytest.raises(InputError, match="give p99_ms and/or availability"):
        recommend(scenario(), {"latency": 5}, SPACE)


def test_cli_writes_a_valid_plan(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(scenario().model_dump_json())
    (tmp_path / "space.json").write_text(json.dumps(SPACE))
    out = subprocess.run(
        [
            sys.executable,
            "-m",
            "tinysim",
            "recommend",
            str(tmp_path / "s.json"),
            "--space",
            str(tmp_path / "space.json"),
            "--p99-ms",
            "90",
            "--out",
            str(tmp_path / "plan.json"),
            "--json",
            "--quiet",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["chosen"]["values"]["plan.container.tasks"]["max"] == 4
    assert load_plan(tmp_path / "plan.json").container.tasks.max == 4
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "tinysim",
            "recommend",
            str(tmp_path / "s.json"),
            "--space",
            str(tmp_path / "space.json"),
            "--p99-ms",
            "90",
            "--seeds",
            "x",
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and bad.stderr.strip() == "tinysim: --seeds='x': must be a count (5) or a list (0,1,2)"


def test_cli_reports_no_configuration_as_a_result_with_exit_4(tmp_path: Path) -> None:
    (tmp_path / "s.json").write_text(scenario().model_dump_json())
    (tmp_path / "space.json").write_text(json.dumps(SPACE))
    args = ["recommend", str(tmp_path / "s.json"), "--space", str(tmp_path / "space.json"), "--p99-ms", "5"]
    out = subprocess.run(
        [sys.executable, "-m", "tinysim", *args, "--no-confirm", "--seeds", "1", "--quiet"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert out.returncode == 4, out.stderr  # a p99 of 5 ms is below the 10 ms service time itself
    assert out.stdout.startswith("no configuration meets the SLO: slo={'p99_ms': 5.0}") and out.stderr == ""
