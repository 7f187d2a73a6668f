"""tinysim: what a small AWS web stack will cost and how fast it will answer, before it is built."""

import os
import sys

try:
    from tinysim.breakeven import Breakeven, breakeven
    from tinysim.costs import Bill, LineItem, price_usage
    from tinysim.errors import NoConfigurationMeetsSlo, TinysimError, TraceError
    from tinysim.recommend import Recommendation, recommend
    from tinysim.results import SimResult
    from tinysim.simulate import simulate
    from tinysim.stacks import STACKS, Stack, fargate_size, on_stack
    from tinysim.steady import SteadyLoad, steady_usage
    from tinysim.summary import Failures, RunSummary, SloReport
    from tinysim.sweep import bands, sweep
except KeyboardInterrupt:
    # Ctrl-C while ``python -m tinysim`` is still loading its libraries ends as it does later: one line, 130
    if ("-m", "tinysim") not in zip(sys.orig_argv, sys.orig_argv[1:], strict=False):
        raise
    print("tinysim: interrupted", file=sys.stderr, flush=True)
    os._exit(130)  # nothing is written yet; a plain exit may be turned into death by SIGINT by the runtime

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
