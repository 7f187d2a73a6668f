"""Make focus-validator 2.2.1 importable on Python 3.11.

The validator declares Python >= 3.12 for one f-string that nests quotes (PEP 701); this rewrites that
expression to the equivalent concatenation in the installed copy. Run with the validator's own
interpreter; idempotent.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

NESTED = r'''f"'{k.replace('\"', '\"\"')}'"'''
PLAIN = r'''"'" + k.replace('"', '""') + "'"'''


def main() -> int:
    spec = importlib.util.find_spec("focus_validator")
    if spec is None or spec.origin is None:
        print("focus_validator is not installed", file=sys.stderr)
        return 1
    path = Path(spec.origin).parent / "config_objects" / "focus_to_duckdb_converter.py"
    text = path.read_text(encoding="utf-8")
    if NESTED in text:
        path.write_text(text.replace(NESTED, PLAIN), encoding="utf-8")
    compile(path.read_text(encoding="utf-8"), str(path), "exec")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
