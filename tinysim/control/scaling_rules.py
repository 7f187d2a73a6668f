"""Application Auto Scaling's decisions: step scaling and target tracking. Compiled with numba so both
fidelities decide with the same code; each returns the new desired capacity (the current one when
nothing is to be done) and updates its policy's memory, a small ``float64`` array, in place.

Step scaling
(docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-step-scaling-policies.html):
while its alarm is in ALARM the policy is invoked every period and adds ``adjustment`` (ChangeInCapacity,
negative to scale in) within [min, max], unless its last action was less than ``cooldown_s`` ago.
Memory: ``[last_action_s]`` (:func:`new_step_state`).

Target tracking (docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html
and the TargetTrackingScalingPolicyConfiguration API reference):

- it acts while one of its two managed alarms is in ALARM (high: the metric above the target; low: below
  90% of it) and never on a missing datapoint;
- the new capacity is proportional: ``capacity x metric / target``, rounded up, so a scale out never
  leaves the metric above the target and a scale in never removes more than the metric allows;
- ScaleOutCooldown: after a scale out, the capacity it added counts as part of the next one: until the
  cooldown ends the policy scales out again only when the proportional capacity computed from the
  capacity before that scale out is larger than the current desired capacity (a larger scale out);
- ScaleInCooldown: after a scale in, no scale in until it ends; a scale out is not held back by it;
- DisableScaleIn: the policy never removes capacity.
Memory: ``[last_scale_out_s, last_scale_in_s, capacity_before_scale_out]`` (:func:`new_target_state`).
"""

from __future__ import annotations

import math

import numba
import numpy as np

from tinysim.control.alarm_rule import ALARM

__all__ = [
    "CAPACITY_CAP",
    "ROUNDING_SLACK",
    "new_step_state",
    "new_target_state",
    "proportional_capacity",
    "step_decide",
    "target_tracking_decide",
]

#: Proportional capacities within this of a whole number are that number: 4 tasks x 55% / 50% is 4.4
#: but 4 x 50.0000000001% / 50% is 4, not 5 (float noise must not add a task).
ROUNDING_SLACK = 1e-9


def new_step_state() -> np.ndarray:
    """A step policy's memory: ``float64[1]`` = [time of its last action, s] (never acted: -inf)."""
    return np.array([-math.inf])


def new_target_state() -> np.ndarray:
    """A target tracking policy's memory: ``float64[3]`` = [last scale-out s, last scale-in s, capacity
    before the last scale out]."""
    return np.array([-math.inf, -math.inf, 0.0])


@numba.njit(cache=True, nogil=True)
def _clamp(capacity: int, lo: int, hi: int) -> int:
    return min(hi, max(lo, capacity))


@numba.njit(cache=True, nogil=True)
def step_decide(
    policy: np.ndarray,
    now_s: float,
    alarm_state: int,
    adjustment: int,
    cooldown_s: float,
    desired: int,
    lo: int,
    hi: int,
) -> int:
    """The new desired capacity of a step policy whose alarm is in ``alarm_state`` at ``now_s``.

    ``desired`` is the current desired capacity, [``lo``, ``hi``] the scalable target's bounds.
    Records the action time in ``policy`` when the capacity changes."""
    if alarm_state != ALARM or now_s - policy[0] < cooldown_s:
        return desired
    new = _clamp(desired + adjustment, lo, hi)
    if new != desired:
        policy[0] = now_s
    return new


#: The largest capacity the proportional rule returns (every scalable target's maximum is far below).
CAPACITY_CAP = 1_000_000_000


@numba.njit(cache=True, nogil=True)
def proportional_capacity(capacity: float, metric: float, target: float) -> int:
    """``ceil(capacity x metric / target)``: the capacity that brings the metric to the target (a
    per-unit average metric scales as 1 / capacity), rounded up; float noise within ``ROUNDING_SLACK``
    of a whole number does not round up. Capped at ``CAPACITY_CAP`` (far above any scalable target's
    maximum) so that a tiny target cannot overflow the integer and wrap around to a small capacity."""
    wanted = capacity * metric / target - ROUNDING_SLACK
    if not wanted < CAPACITY_CAP:  # also catches inf and NaN
        return CAPACITY_CAP
    return math.ceil(wanted)


@numba.njit(cache=True, nogil=True)
def target_tracking_decide(
    policy: np.ndarray,
    now_s: float,
    high_state: int,
    low_state: int,
    metric: float,
    target: float,
    desired: int,
    lo: int,
    hi: int,
    scale_out_cooldown_s: float,
    scale_in_cooldown_s: float,
    disable_scale_in: bool,
) -> int:
    """The new desired capacity of a target tracking policy at ``now_s``.

    ``high_state`` / ``low_state`` are its managed alarms' states (``low_state`` is ignored with
    ``disable_scale_in``), ``metric`` the datapoint they just evaluated (``NaN`` when missing: nothing is
    done), ``desired`` the current desired capacity and [``lo``, ``hi``] the bounds. Updates ``policy``."""
    if math.isnan(metric):
        return desired
    if high_state == ALARM:
        in_cooldown = now_s - policy[0] < scale_out_cooldown_s
        base = policy[2] if in_cooldown else float(desired)
        new = _clamp(proportional_capacity(base, metric, target), lo, hi)
        if new <= desired:
            return desired
        if not in_cooldown:
            policy[0] = now_s
            policy[2] = float(desired)
        return new
    if low_state == ALARM and not disable_scale_in:
        if now_s - policy[1] < scale_in_cooldown_s:
            return desired
        new = _clamp(proportional_capacity(float(desired), metric, target), lo, hi)
        if new >= desired:
            return desired
        policy[1] = now_s
        return new
    return desired
