"""API Gateway: the account throttle as a token bucket (the scenario's ``account`` quotas, by default
10,000 requests/s with a burst of 5,000: excess gets 429), the integration timeout (29 s REST, 30 s HTTP:
the client gets 504) and a fixed added latency.

Sources: docs.aws.amazon.com/apigateway/latest/developerguide/limits.html (throttle, timeouts). The
added latency is an assumption of ours (a few milliseconds), settable per scenario.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tinysim.queueing import token_bucket

__all__ = ["ApiGateway"]

TIMEOUT_S = {"http": 30.0, "rest": 29.0}
OVERHEAD_MS = {"http": 5.0, "rest": 10.0}


@dataclass
class ApiGateway:
    kind: str
    throttle_rps: float
    burst: float
    overhead_ms: float | None = None
    state: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.state = np.array([self.burst, 0.0])

    @property
    def timeout_s(self) -> float:
        return TIMEOUT_S[self.kind]

    @property
    def overhead_s(self) -> float:
        return (OVERHEAD_MS[self.kind] if self.overhead_ms is None else self.overhead_ms) / 1000

    def admit(self, t: np.ndarray) -> np.ndarray:
        """Which arrivals get a token (the rest are throttled with 429)."""
        return np.asarray(token_bucket(t, self.throttle_rps, self.burst, self.state))
