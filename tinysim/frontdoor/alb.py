"""Application Load Balancer: no request throttle; a request with no answer within the idle timeout
(60 s by default) gets 504; a small added latency. Its LCU meters are folded hour by hour from the
requests (see ``tinysim.usage``).

Source: docs.aws.amazon.com/elasticloadbalancing/latest/application/edit-load-balancer-attributes.html
(idle timeout 60 s). The added latency is an assumption of ours.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Alb"]

IDLE_TIMEOUT_S = 60.0
OVERHEAD_MS = 1.0


@dataclass
class Alb:
    overhead_ms: float | None = None
    kind: str = "alb"
    timeout_s: float = IDLE_TIMEOUT_S

    @property
    def overhead_s(self) -> float:
        return (OVERHEAD_MS if self.overhead_ms is None else self.overhead_ms) / 1000

    def admit(self, t: np.ndarray) -> np.ndarray:
        return np.ones(t.shape, dtype=bool)
