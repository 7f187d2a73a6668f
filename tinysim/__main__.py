"""``python -m tinysim``."""

import sys

from tinysim.cli import main

sys.exit(main())
