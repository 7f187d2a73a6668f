"""The compiled kernels' cache folder follows the package's source, so a change in a module that a
kernel inlines from (numba's own cache checks only the defining file) compiles afresh."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tinysim.kernel_cache import source_digest

ROOT = Path(__file__).parents[2]


def test_digest_changes_with_any_module(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    (pkg / "control").mkdir(parents=True)
    (pkg / "kernel.py").write_text("def k(): pass\n")
    rule = pkg / "control" / "rule.py"
    rule.write_text("LIMIT = 1\n")
    before = source_digest(pkg)
    assert source_digest(pkg) == before
    rule.write_text("LIMIT = 2\n")
    assert source_digest(pkg) != before


def _cache_dir(env: dict[str, str]) -> str:
    code = "import tinysim, numba.core.config as c; print(c.CACHE_DIR)"
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_numba_uses_the_versioned_folder(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "NUMBA_CACHE_DIR"} | {"XDG_CACHE_HOME": str(tmp_path)}
    assert _cache_dir(env) == str(tmp_path / "tinysim" / "numba" / source_digest())


def test_a_chosen_folder_wins(tmp_path: Path) -> None:
    env = dict(os.environ) | {"NUMBA_CACHE_DIR": str(tmp_path / "mine")}
    assert _cache_dir(env) == str(tmp_path / "mine")
