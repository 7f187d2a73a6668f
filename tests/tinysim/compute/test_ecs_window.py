"""The fused ECS window starts every request when a plain per-request model of each dispatch
policy says (FIFO on the chosen task's earliest free slot, or one queue over every slot), carries
its state across windows, and counts every request once."""

from __future__ import annotations

import numpy as np
import pytest

from tinysim.busy_seconds import BusySeconds
from tinysim.compute.ecs_window import ecs_window, window_params
from tinysim.window_fold import SERVED, THROTTLED

TASKS = 3


def plain_starts(t: np.ndarray, s: np.ndarray, u: np.ndarray, policy: str, slots: int) -> list[float]:
    """Start times, request by request, written plainly."""
    free = [[0.0] * slots for _ in range(TASKS)]
    outstanding: list[list[float]] = [[] for _ in range(TASKS)]
    starts = []
    for i, (ti, si, ui) in enumerate(zip(t.tolist(), s.tolist(), u.tolist(), strict=True)):
        if policy == "central_queue":
            cells = [(free[r][q], r, q) for r in range(TASKS) for q in range(slots)]
            _, row, slot = min(cells, key=lambda c: c[0])  # first of the earliest
        else:
            if policy == "round_robin":
                row = i % TASKS
            elif policy == "random":
                row = min(int(ui * TASKS), TASKS - 1)
            else:
                outstanding = [[e for e in ends if e > ti] for ends in outstanding]
                row = min(range(TASKS), key=lambda r: len(outstanding[r]))
            slot = min(range(slots), key=lambda q: free[row][q])
        st = max(ti, free[row][slot])
        free[row][slot] = st + si
        outstanding[row].append(st + si)
        starts.append(st)
    return starts


# slots: each count up to MAX_UNROLLED_SLOTS has a kernel of its own (the search for the earliest
# slot unrolled); wider tasks share the kernel that reads the count from the state (17)
@pytest.mark.parametrize("slots", [1, 2, 5, 17])
@pytest.mark.parametrize("policy", ["round_robin", "random", "least_outstanding", "central_queue"])
def test_starts_match_a_plain_model_across_windows(policy: str, slots: int) -> None:
    rng = np.random.default_rng(11)
    n = 3000
    t = np.sort(rng.uniform(0, 60, n))
    s = rng.exponential(0.05 * slots, n)  # offered load 0.75-1.3 of the slots: queues form
    s[::7] = 0.25  # equal service times: slots that free at the same moment (the first on ties)
    u = rng.random(n)
    prm = window_params(0.001, 60.0, 1e9, 0.0, 0.0)
    rr_next = np.zeros(1, dtype=np.int64)
    free, heaps, sizes = np.zeros((TASKS, slots)), np.zeros((TASKS, 2)), np.zeros(TASKS, dtype=np.int64)
    mins, hrs = np.zeros((8, 1), dtype=np.int64), np.zeros((9, 1))
    busy = BusySeconds(400)
    waits, admitted = [], 0
    for lo, hi in ((0, 1000), (1000, 1001), (1001, n)):  # state carries across windows
        codes, latency, wait = np.empty(hi - lo, dtype=np.int8), np.empty(hi - lo), np.empty(hi - lo)
        heaps, adm = ecs_window(
            policy, t, s, u, lo, hi, 0, 0, prm, np.empty(0), rr_next, free, heaps, sizes, *busy.arrays(),
            mins, hrs, np.empty((2, hi - lo)), codes, latency, wait,
        )  # fmt: skip
        assert (codes == SERVED).all(), np.unique(codes, return_counts=True)
        np.testing.assert_allclose(latency, wait + s[lo:hi] + 0.001, rtol=1e-12, atol=1e-12)
        waits.append(wait)
        admitted += adm
    want = np.array(plain_starts(t, s, u, policy, slots)) - t
    assert np.array_equal(np.concatenate(waits), want)
    assert mins[0, 0] == n == admitted == hrs[0, 0]  # offered, admitted, received
    assert busy.seconds().sum() == pytest.approx(s.sum(), rel=1e-12)  # every service second is counted once


def test_token_bucket_and_no_task_throttle() -> None:
    t = np.linspace(0, 1, 101)[:-1]  # 100 requests in one second
    s = np.full(t.size, 0.001)
    prm = window_params(0.0, 30.0, 1e9, 10.0, 5.0)
    bucket = np.array([5.0, 0.0])  # burst 5, 10 tokens/s
    state = (np.zeros(1, dtype=np.int64), np.zeros((1, 1)), np.zeros((1, 2)), np.zeros(1, dtype=np.int64))
    codes, latency, wait = np.empty(t.size, dtype=np.int8), np.empty(t.size), np.empty(t.size)
    mins, hrs = np.zeros((8, 1), dtype=np.int64), np.zeros((9, 1))
    _, admitted = ecs_window(
        "round_robin", t, s, np.empty(0), 0, t.size, 0, 0, prm, bucket, *state, *BusySeconds(10).arrays(), mins,
        hrs, np.empty((2, t.size)), codes, latency, wait,
    )  # fmt: skip
    # the burst of 5 (t = 0 .. 0.04, leaving 0.4 tokens), then a whole token every 0.1 s: t = 0.1 .. 0.9
    assert admitted == int((codes != THROTTLED).sum()) == 5 + 9
    assert np.isnan(latency[codes == THROTTLED]).all() and (wait[codes == THROTTLED] == 0).all()
    assert mins[0, 0] == t.size  # offered
    assert hrs[0, 0] == admitted  # received: past the front door's throttle
