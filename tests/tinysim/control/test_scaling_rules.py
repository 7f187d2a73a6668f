"""Step and target tracking decisions by hand.

Target tracking (docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html,
TargetTrackingScalingPolicyConfiguration in the Application Auto Scaling API reference): new capacity
proportional to metric / target, rounded up; ScaleOutCooldown lets only a larger scale out through, the
capacity added counting toward it; ScaleInCooldown holds scale in, not scale out; DisableScaleIn; no
scaling on a missing datapoint.
"""

from __future__ import annotations

import math

from tinysim.control.alarm_rule import ALARM, INSUFFICIENT_DATA, OK
from tinysim.control.scaling_rules import (
    CAPACITY_CAP,
    new_step_state,
    new_target_state,
    proportional_capacity,
    step_decide,
    target_tracking_decide,
)


def track(policy: object, now: float, high: int, low: int, metric: float, desired: int, **kw: object) -> int:
    args = {"target": 50.0, "lo": 1, "hi": 10, "out_cd": 300.0, "in_cd": 300.0, "disable": False, **kw}
    return target_tracking_decide(
        policy,
        now,
        high,
        low,
        metric,
        args["target"],
        desired,
        args["lo"],
        args["hi"],
        args["out_cd"],
        args["in_cd"],
        args["disable"],
    )


def test_proportional_capacity_rounds_up_but_not_on_float_noise() -> None:
    assert proportional_capacity(4.0, 55.0, 50.0) == 5  # 4.4 tasks' worth -> 5
    assert proportional_capacity(5.0, 44.0, 50.0) == 5  # 4.4 on the way in -> 5: never over-remove
    assert proportional_capacity(2.0, 100.0, 50.0) == 4
    assert proportional_capacity(4.0, 50.0 + 1e-12, 50.0) == 4


def test_step_policy_cooldown_and_bounds() -> None:
    p = new_step_state()
    assert step_decide(p, 300.0, ALARM, 1, 300.0, 1, 1, 5) == 2
    assert step_decide(p, 540.0, ALARM, 1, 300.0, 2, 1, 5) == 2  # 240 s after: cooling down
    assert step_decide(p, 600.0, ALARM, 1, 300.0, 2, 1, 5) == 3
    assert step_decide(p, 900.0, OK, 1, 300.0, 3, 1, 5) == 3  # alarm not in ALARM
    assert step_decide(new_step_state(), 0.0, ALARM, 1, 300.0, 5, 1, 5) == 5  # at max


def test_target_tracking_scale_out_and_out_cooldown() -> None:
    p = new_target_state()
    assert track(p, 180.0, ALARM, OK, 100.0, 1) == 2  # 1 x 100 / 50
    # cooling down: the metric still says 100 (the new task is not serving yet); computed from the
    # capacity before the scale out it is 2 again, not larger than the desired 2: nothing
    assert track(p, 240.0, ALARM, OK, 100.0, 2) == 2
    # a larger scale out gets through the cooldown: 1 x 300 / 50 = 6 > 2
    assert track(p, 300.0, ALARM, OK, 300.0, 2) == 6
    # after the cooldown the current capacity is the base again: 6 x 60 / 50 = 7.2 -> 8
    assert track(p, 481.0, ALARM, OK, 60.0, 6) == 8


def test_target_tracking_scale_in_cooldown_does_not_hold_scale_out() -> None:
    p = new_target_state()
    assert track(p, 900.0, OK, ALARM, 20.0, 5) == 2  # 5 x 20 / 50 = 2
    assert track(p, 960.0, OK, ALARM, 10.0, 2) == 2  # scale-in cooldown: held
    assert track(p, 1020.0, ALARM, OK, 100.0, 2) == 4  # scale out right away
    assert track(p, 1200.0, OK, ALARM, 10.0, 4) == 1  # cooldown over: 4 x 10 / 50 = 0.8 -> 1


def test_target_tracking_never_over_removes_and_respects_bounds() -> None:
    assert track(new_target_state(), 0.0, OK, ALARM, 44.0, 5) == 5  # 4.4 -> 5: stays
    assert track(new_target_state(), 0.0, OK, ALARM, 1.0, 5, lo=2) == 2
    assert track(new_target_state(), 0.0, ALARM, OK, 100.0, 4, hi=5) == 5


def test_disable_scale_in_and_missing_data() -> None:
    assert track(new_target_state(), 0.0, OK, ALARM, 10.0, 5, disable=True) == 5
    assert track(new_target_state(), 0.0, ALARM, OK, math.nan, 1) == 1  # no datapoint: no scaling
    assert track(new_target_state(), 0.0, INSUFFICIENT_DATA, INSUFFICIENT_DATA, 90.0, 1) == 1


def test_min_zero_scales_in_to_zero() -> None:
    assert track(new_target_state(), 0.0, OK, ALARM, 0.0, 3, lo=0) == 0


def test_a_tiny_target_scales_out_to_the_maximum_not_back_to_one() -> None:
    """With a target of 1e-18 % CPU, 80 % on one task wants 8e19 tasks: more than an int64 holds. The rule
    used to overflow and wrap to a small number that the bounds clamped to the minimum: no scale-out."""
    assert proportional_capacity(1.0, 80.0, 1e-18) == CAPACITY_CAP
    assert proportional_capacity(1.0, 80.0, 1e-300) == CAPACITY_CAP
    policy = new_target_state()
    assert target_tracking_decide(policy, 600.0, ALARM, OK, 80.0, 1e-18, 1, 1, 5, 300.0, 300.0, False) == 5
