"""AWS Lambda: execution environments (provisioned, warm, cold), concurrency limits and the
per-function scaling rate, request by request in a compiled kernel.

Rules (docs.aws.amazon.com/lambda/latest/dg/scaling-behavior.html and lambda-concurrency.html):
a request takes a free provisioned environment, else the most recently used warm one, else a new
one (a cold start of ``init_s``) if concurrency is under the limit and the scaling rate allows —
since Nov 2023 1,000 new environments per 10 s per function, before that a burst of 3,000 then
500 per minute. Otherwise it is throttled (429). Warm environments are reclaimed after ``idle_ttl_s``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numba
import numpy as np

__all__ = ["COLD_START_MS", "IDLE_TTL_S", "LambdaPool", "lambda_kernel"]

#: AWS does not publish how long an idle environment is kept; 5-15 minutes is commonly observed.
IDLE_TTL_S = 600.0
#: Assumed INIT durations by package type; the docs give "100 ms to over 1 s" (lambda-runtime-environment).
COLD_START_MS = {"zip": 300.0, "image": 800.0}

# state vector layout
S_IDLE_BOTTOM, S_IDLE_TOP, S_BUSY, S_WINDOW, S_CREATED, S_TOKENS, S_LAST, S_MAXCONC = range(8)


@numba.njit(cache=True, nogil=True)
def lambda_kernel(
    t: np.ndarray,
    s: np.ndarray,
    prov_free: np.ndarray,
    busy_heap: np.ndarray,
    idle: np.ndarray,
    state: np.ndarray,
    limit: int,
    init_s: float,
    idle_ttl_s: float,
    legacy: bool,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # pragma: no cover - compiled
    """Per request: start delay (init for a cold start, -1 when throttled), kind (0 throttled,
    1 provisioned, 2 warm, 3 cold) and end time. All state arrays are updated in place."""
    n = t.shape[0]
    delay = np.empty(n)
    kind = np.empty(n, dtype=np.int8)
    end = np.empty(n)
    cap = idle.shape[0]
    bottom = int(state[S_IDLE_BOTTOM])
    top = int(state[S_IDLE_TOP])
    nbusy = int(state[S_BUSY])
    for i in range(n):
        now = t[i]
        # completions become warm (heap pops come in time order, keeping the idle ring sorted)
        while nbusy > 0 and busy_heap[0] <= now:
            idle[top % cap] = busy_heap[0]
            top += 1
            nbusy -= 1
            busy_heap[0] = busy_heap[nbusy]
            j = 0
            while True:
                left = 2 * j + 1
                if left >= nbusy:
                    break
                small = left
                if left + 1 < nbusy and busy_heap[left + 1] < busy_heap[left]:
                    small = left + 1
                if busy_heap[j] <= busy_heap[small]:
                    break
                busy_heap[j], busy_heap[small] = busy_heap[small], busy_heap[j]
                j = small
        while bottom < top and idle[bottom % cap] + idle_ttl_s <= now:
            bottom += 1  # reclaimed while idle
        prov_busy = 0
        pj = -1
        for q in range(prov_free.shape[0]):
            if prov_free[q] > now:
                prov_busy += 1
            elif pj < 0:
                pj = q
        if pj >= 0:
            delay[i] = 0.0
            kind[i] = 1
            end[i] = now + s[i]
            prov_free[pj] = end[i]
            if nbusy + prov_busy + 1 > state[S_MAXCONC]:
                state[S_MAXCONC] = nbusy + prov_busy + 1
            continue
        if nbusy + prov_busy >= limit:
            delay[i] = -1.0
            kind[i] = 0
            end[i] = now
            continue
        if bottom < top:
            top -= 1
            d = 0.0
            kind[i] = 2
        else:
            if legacy:  # burst of 3,000, refilled at 500 per minute
                state[S_TOKENS] = min(3000.0, state[S_TOKENS] + (now - state[S_LAST]) * 500.0 / 60.0)
                state[S_LAST] = now
                if state[S_TOKENS] < 1.0:
                    delay[i] = -1.0
                    kind[i] = 0
                    end[i] = now
                    continue
                state[S_TOKENS] -= 1.0
            else:  # 1,000 new environments per 10-second window, unused rate not carried over
                w = np.floor(now / 10.0)
                if w != state[S_WINDOW]:
                    state[S_WINDOW] = w
                    state[S_CREATED] = 0.0
                if state[S_CREATED] >= 1000.0:
                    delay[i] = -1.0
                    kind[i] = 0
                    end[i] = now
                    continue
                state[S_CREATED] += 1.0
            d = init_s
            kind[i] = 3
        delay[i] = d
        end[i] = now + d + s[i]
        # push the environment back as busy until it ends
        j = nbusy
        busy_heap[j] = end[i]
        nbusy += 1
        while j > 0:
            parent = (j - 1) // 2
            if busy_heap[parent] <= busy_heap[j]:
                break
            busy_heap[parent], busy_heap[j] = busy_heap[j], busy_heap[parent]
            j = parent
        if nbusy + prov_busy > state[S_MAXCONC]:
            state[S_MAXCONC] = nbusy + prov_busy
    state[S_IDLE_BOTTOM] = bottom
    state[S_IDLE_TOP] = top
    state[S_BUSY] = nbusy
    return delay, kind, end


@dataclass
class LambdaPool:
    """The function's environments between windows."""

    limit: int
    provisioned: int
    init_s: float
    idle_ttl_s: float = IDLE_TTL_S
    legacy_scaling: bool = False
    prov_free: np.ndarray = field(init=False)
    busy_heap: np.ndarray = field(init=False)
    idle: np.ndarray = field(init=False)
    state: np.ndarray = field(init=False)

    def __post_init__(self) -> None:
        self.prov_free = np.zeros(self.provisioned)
        self.busy_heap = np.zeros(self.limit + 1)
        self.idle = np.zeros(self.limit + 2)
        self.state = np.zeros(8)
        self.state[S_WINDOW] = -1.0
        self.state[S_TOKENS] = 3000.0

    def run(self, t: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return lambda_kernel(
            t,
            s,
            self.prov_free,
            self.busy_heap,
            self.idle,
            self.state,
            self.limit,
            self.init_s,
            self.idle_ttl_s,
            self.legacy_scaling,
        )

    @property
    def max_concurrency(self) -> int:
        return int(self.state[S_MAXCONC])
