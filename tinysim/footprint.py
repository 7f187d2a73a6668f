"""How much memory a request-level run needs, estimated before it starts, and the refusal of a run
that would not fit in the memory this machine has free.

The request fidelity holds one block of arrivals at a time (``BLOCK_S`` seconds at high rates) and
the arrays of the window being computed, about ``BYTES_PER_REQUEST`` bytes per request of the
busiest block (measured with ``tracemalloc``: 79 to 83 bytes at 100,000 requests/s on ECS and
Lambda), plus a few arrays of one value per second, minute and hour of the horizon.
"""

from __future__ import annotations

import math
import os
from pathlib import Path

import numpy as np

from models.scenario import (
    MONTH_S,
    ConstantTraffic,
    DiurnalTraffic,
    GrowthTraffic,
    Scenario,
    SpikeTraffic,
)
from tinysim.errors import RunTooLarge
from tinysim.traffic import BLOCK_S, RateFunction

__all__ = [
    "ALWAYS_FITS_BYTES",
    "BYTES_PER_REQUEST",
    "available_memory_bytes",
    "check_fits",
    "estimate_bytes",
    "peak_rps",
]

#: Peak bytes per request of the busiest block (measured, rounded up).
BYTES_PER_REQUEST = 100
#: Bytes per simulated second for the per-second, per-minute and per-hour arrays.
BYTES_PER_SECOND = 24
#: A run estimated at this much or less is not checked: any machine that runs Python has it.
ALWAYS_FITS_BYTES = 64 * 2**20


def peak_rps(rate: RateFunction, horizon_s: float) -> float:
    """An upper bound of the request rate anywhere in the run (requests/s)."""
    s = rate.spec
    if isinstance(s, ConstantTraffic):
        base = s.rps
    elif isinstance(s, DiurnalTraffic):
        base = s.peak_rps
    elif isinstance(s, SpikeTraffic):
        base = max(s.base_rps, s.spike_rps)
    elif isinstance(s, GrowthTraffic):
        g, months = s.monthly_growth_pct / 100, horizon_s / MONTH_S
        growth = (1 + g) ** months if s.shape == "exponential" else 1 + g * months
        base = s.start_rps * max(1.0, growth)
    else:
        base = float(rate.trace_rps.max()) if rate.trace_rps is not None and rate.trace_rps.size else 0.0
    weekly = max(s.weekly) if s.weekly is not None else 1.0
    daily = float(np.max(rate.daily)) if rate.daily is not None else 1.0
    return base * weekly * daily


def estimate_bytes(scenario: Scenario, rate: RateFunction) -> float:
    """Estimated peak memory of a request-level run of ``scenario`` (bytes)."""
    per_block = peak_rps(rate, scenario.horizon_s) * BLOCK_S * BYTES_PER_REQUEST
    return per_block + scenario.horizon_s * BYTES_PER_SECOND


def _cgroup_room() -> float:
    """Room left under a container's memory limit (cgroup v2), infinite without one."""
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        used = Path("/sys/fs/cgroup/memory.current").read_text().strip()
    except OSError:
        return math.inf
    return math.inf if limit == "max" else max(0.0, float(limit) - float(used))


def available_memory_bytes() -> float:
    """Memory this run can have: Linux's MemAvailable (free plus reclaimable cache) within a
    container's limit, else the free physical pages; infinite where neither can be read."""
    return min(_host_available(), _cgroup_room())


def _host_available() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return float(line.split()[1]) * 1024  # kB
    except OSError:
        pass
    try:
        return float(os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE"))
    except (ValueError, OSError, AttributeError):
        return math.inf


def _gib(n: float) -> str:
    return f"{n / 2**30:,.1f} GiB"


def check_fits(scenario: Scenario, rate: RateFunction) -> None:
    """Raise :class:`~tinysim.errors.RunTooLarge` if the run would need more memory than is available."""
    need = estimate_bytes(scenario, rate)
    if need <= ALWAYS_FITS_BYTES:  # no need to read the machine's memory (files under /proc and /sys)
        return
    free = available_memory_bytes()
    if need > free:
        peak = peak_rps(rate, scenario.horizon_s)
        raise RunTooLarge(
            f"traffic: a peak of {peak:,.0f} requests/s needs about {_gib(need)} of memory in the request "
            f'fidelity; {_gib(free)} is available. Lower the rate or use "fidelity": "fluid"'
        )
