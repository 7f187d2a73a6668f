"""The control plane's rules, written once for both fidelities: CloudWatch alarm evaluation
(:mod:`tinysim.control.alarm_rule`), Application Auto Scaling's step and target tracking decisions
(:mod:`tinysim.control.scaling_rules`) and scheduled actions (:mod:`tinysim.control.schedule`).

The alarm and scaling rules are numba-compiled functions over small NumPy state arrays, callable from
Python (the request engine) and from compiled code (the fluid kernel)."""

from tinysim.control.alarm_rule import (
    ALARM,
    COMPARISONS,
    INSUFFICIENT_DATA,
    OK,
    STATE_NAMES,
    TREAT_MISSING,
    alarm_observe,
    new_alarm_state,
)
from tinysim.control.scaling_rules import (
    new_step_state,
    new_target_state,
    proportional_capacity,
    step_decide,
    target_tracking_decide,
)
from tinysim.control.schedule import BoundsChange, bounded_desired, bounds_changes, changes_as_arrays

__all__ = [
    "ALARM",
    "COMPARISONS",
    "INSUFFICIENT_DATA",
    "OK",
    "STATE_NAMES",
    "TREAT_MISSING",
    "BoundsChange",
    "alarm_observe",
    "bounded_desired",
    "bounds_changes",
    "changes_as_arrays",
    "new_alarm_state",
    "new_step_state",
    "new_target_state",
    "proportional_capacity",
    "step_decide",
    "target_tracking_decide",
]
