"""tinysim: what a small AWS web stack will cost and how fast it will answer, before it is built."""

from tinysim.breakeven import Breakeven, breakeven
from tinysim.costs import Bill, LineItem, price_usage
from tinysim.errors import TinysimError, TraceError
from tinysim.recommend import Recommendation, recommend
from tinysim.results import SimResult
from tinysim.simulate import simulate
from tinysim.steady import SteadyLoad, steady_usage
from tinysim.sweep import bands, sweep

__all__ = [
    "Bill",
    "Breakeven",
    "LineItem",
    "Recommendation",
    "SimResult",
    "SteadyLoad",
    "TinysimError",
    "TraceError",
    "bands",
    "breakeven",
    "price_usage",
    "recommend",
    "simulate",
    "steady_usage",
    "sweep",
]
