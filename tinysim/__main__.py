"""``python -m tinysim`` (Ctrl-C while loading is handled in ``tinysim/__init__.py``)."""

import sys

from tinysim.cli import main

sys.exit(main())
