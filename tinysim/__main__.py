"""``python -m tinysim``. Ctrl-C while the heavy libraries are still loading ends like Ctrl-C later
does: one line, exit 130 (128 + SIGINT), no traceback."""

import os
import sys

try:
    from tinysim.cli import main
except KeyboardInterrupt:
    print("tinysim: interrupted", file=sys.stderr, flush=True)
    os._exit(130)  # nothing is written yet

sys.exit(main())
