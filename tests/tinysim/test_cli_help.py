"""The CLI's --help and the README agree: every option the README shows for a command is one that
command's --help lists, and every command the CLI has appears in the README."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tinysim.cli import _parser

README = (Path(__file__).parents[2] / "README.md").read_text()
SHOWN = re.findall(r"^python -m tinysim (\w+)(.*?)(?:#|$)", README, flags=re.M)


def helps() -> dict[str, str]:
    sub = next(a for a in _parser()._actions if a.dest == "command")
    return {name: p.format_help() for name, p in sub.choices.items()}  # type: ignore[attr-defined]


def test_every_command_is_in_the_readme() -> None:
    assert set(helps()) <= {cmd for cmd, _ in SHOWN}, sorted(set(helps()))


@pytest.mark.parametrize(("command", "line"), SHOWN)
def test_readme_options_exist_in_help(command: str, line: str) -> None:
    text = helps()[command]
    for option in re.findall(r"(--[a-z0-9-]+)", line):
        assert option in text, (command, option)
