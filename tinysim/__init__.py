"""tinysim: what a small AWS web stack will cost and how fast it will answer, before it is built."""

import os
import signal
import sys
from types import FrameType


def _end_while_loading(signum: int, frame: FrameType | None) -> None:
    os.write(2, b"tinysim: interrupted\n")
    os._exit(130)  # nothing is written yet


# Ctrl-C while the ``tinysim`` program is still loading its libraries ends as it does later: one line,
# exit 130 (128 + SIGINT). It ends from the handler itself because a KeyboardInterrupt raised inside a
# library's import can be caught and re-wrapped there (pydantic turns it into a SchemaError). The CLI
# restores Python's own handler when it starts (``tinysim.cli.main``).
if ("-m", "tinysim") in zip(sys.orig_argv, sys.orig_argv[1:], strict=False) or (
    os.path.basename(sys.argv[0]) == "tinysim"
):
    signal.signal(signal.SIGINT, _end_while_loading)
    signal.signal(signal.SIGTERM, _end_while_loading)  # `kill` while loading: the same one line

from tinysim.kernel_cache import use_versioned_cache  # noqa: E402

use_versioned_cache()  # before numba is imported

from tinysim.breakeven import Breakeven, breakeven  # noqa: E402
from tinysim.costs import Bill, LineItem, price_usage  # noqa: E402
from tinysim.errors import NoConfigurationMeetsSlo, TinysimError, TraceError  # noqa: E402
from tinysim.recommend import Recommendation, recommend  # noqa: E402
from tinysim.results import SimResult  # noqa: E402
from tinysim.simulate import simulate  # noqa: E402
from tinysim.stacks import STACKS, Stack, fargate_size, on_stack  # noqa: E402
from tinysim.steady import SteadyLoad, steady_usage  # noqa: E402
from tinysim.summary import Failures, RunSummary, SloReport  # noqa: E402
from tinysim.sweep import bands, sweep  # noqa: E402

__all__ = [
    "STACKS",
    "Bill",
    "Breakeven",
    "Failures",
    "LineItem",
    "NoConfigurationMeetsSlo",
    "Recommendation",
    "RunSummary",
    "SimResult",
    "SloReport",
    "Stack",
    "SteadyLoad",
    "TinysimError",
    "TraceError",
    "bands",
    "breakeven",
    "fargate_size",
    "on_stack",
    "price_usage",
    "recommend",
    "simulate",
    "steady_usage",
    "sweep",
]
