"""How a bad value is shown in its one line: whole when it is an identifier (an ARN runs to about 110
characters: arn:aws:codeconnections:<region>:<12-digit account>:connection/<36-character id>), cut with
"..." only when it is longer than any identifier, so the line stays one short line."""

from __future__ import annotations

from pathlib import Path

from tests.models.test_plan import problems


def test_a_whole_arn_is_shown_so_the_wrong_part_is_visible(tmp_path: Path) -> None:
    arn = "arn:aws:codeconnections:us-east-1:000000000000:connection/0c1b2a39-8d7e-4f60-9a1b-2c3d4e5f6aZZ"
    lines = problems(
        {"pipeline": {"source": {"provider": "github", "connection_arn": arn, "repository": "a/b"}}}, tmp_path
    )
    assert any(f'connection_arn="{arn}"' in line for line in lines), lines


def test_a_huge_value_is_cut(tmp_path: Path) -> None:
    lines = problems({"name": "x" * 5000}, tmp_path)
    assert len(lines) == 1 and len(lines[0]) < 300 and '..."' not in lines[0] and "..." in lines[0], lines
