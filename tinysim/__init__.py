"""tinysim: what a small AWS web stack will cost and how fast it will answer, before it is built."""

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
