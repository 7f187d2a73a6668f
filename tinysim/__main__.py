"""``python -m tinysim``. Ctrl-C while the heavy libraries are still loading ends like Ctrl-C later
does: one line, exit 130 (128 + SIGINT), no traceback."""

import sys

try:
    from tinysim.cli import main
except KeyboardInterrupt:
    print("tinysim: interrupted", file=sys.stderr)
    sys.exit(130)

sys.exit(main())
