"""Scenario builders and statistics shared by the engine tests."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import NormalDist
from typing import Any

import numpy as np

from models import Scenario
from tinysim.dataplane import SERVED


def fixed_service(tasks: int, dispatch: str, rps: float, mean_ms: float, horizon_s: int, **extra: Any) -> Scenario:
    """``tasks`` single-slot Fargate tasks that never scale, behind an ALB, constant Poisson traffic."""
    data: dict[str, Any] = {
        "plan": {
            "front_door": "alb",
            "container": {
                "launch_type": "fargate",
                "task": {"cpu_units": 1024, "memory_mb": 2048},
                "tasks": {"min": tasks, "max": tasks, "desired": tasks},
            },
        },
        "traffic": {"kind": "constant", "rps": rps},
        "workload": {"service_time_ms": {"dist": "exponential", "mean": mean_ms}, "dispatch": dispatch},
        "horizon_s": horizon_s,
        "seed": 7,
    }
    for key, value in extra.items():
        data[key] = value
    return Scenario.model_validate(data)


@dataclass
class WaitCollector:
    """Observer keeping the queueing delay of every served request, in arrival order."""

    parts: list[np.ndarray] = field(default_factory=list)

    def __call__(self, t: np.ndarray, outcome: np.ndarray, latency: np.ndarray, wait: np.ndarray) -> None:
        self.parts.append(wait[outcome == SERVED])

    @property
    def waits(self) -> np.ndarray:
        return np.concatenate(self.parts)


def t_quantile(p: float, df: int) -> float:
    """Student t quantile (Cornish-Fisher from the normal; plenty for df >= 30)."""
    z = NormalDist().inv_cdf(p)
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    return z + g1 / df + g2 / df**2


def batch_ci(values: np.ndarray, statistic: Any, batches: int, confidence: float) -> tuple[float, float]:
    """Batch-means estimate and half-width: ``statistic`` on each of ``batches`` consecutive batches."""
    per = np.array([statistic(b) for b in np.array_split(values, batches)])
    half = t_quantile(1 - (1 - confidence) / 2, batches - 1) * per.std(ddof=1) / math.sqrt(batches)
    return float(per.mean()), float(half)


def busy_truth(n: int, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Worker-seconds per second, cell by cell: the overlap of [start, end) with [k, k + 1)."""
    out = np.zeros(n)
    for a, b in zip(start, end, strict=True):
        for k in range(max(0, math.floor(a)), min(n, math.ceil(b))):
            out[k] += max(0.0, min(b, k + 1) - max(a, k))
    return out
