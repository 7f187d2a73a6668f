"""Application Auto Scaling step scaling: while its alarm is in ALARM, each evaluation adds (or
removes) ``step`` capacity within [min, max], unless the last action in that direction was less than
``cooldown_s`` ago. Alarms driving scaling actions re-invoke the policy every period while in ALARM."""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["StepPolicy"]


@dataclass
class StepPolicy:
    """Mutable policy state for one direction (+step for scale-out, -step for scale-in)."""

    change: int
    cooldown_s: float
    last_action_s: float = -math.inf

    def decide(self, now_s: float, in_alarm: bool, current: int, lo: int, hi: int) -> int | None:
        """The new desired capacity, or ``None`` when nothing is to be done."""
        if not in_alarm or now_s - self.last_action_s < self.cooldown_s:
            return None
        target = min(hi, max(lo, current + self.change))
        if target == current:
            return None
        self.last_action_s = now_s
        return target
