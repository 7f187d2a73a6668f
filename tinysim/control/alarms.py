"""A CloudWatch metric alarm: ALARM after ``evaluation_periods`` consecutive breaching datapoints.

A missing datapoint (no task running) counts as not breaching, and the alarm returns to OK on the
first datapoint that does not breach.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Alarm"]


@dataclass
class Alarm:
    """Mutable alarm state; ``observe`` takes one datapoint and returns whether the alarm is in ALARM."""

    name: str
    threshold: float
    above: bool  # True: breaches when value > threshold; False: when value < threshold
    evaluation_periods: int
    consecutive: int = 0

    def breaches(self, value: float | None) -> bool:
        if value is None:
            return False
        return value > self.threshold if self.above else value < self.threshold

    def observe(self, value: float | None) -> bool:
        self.consecutive = self.consecutive + 1 if self.breaches(value) else 0
        return self.in_alarm

    @property
    def in_alarm(self) -> bool:
        return self.consecutive >= self.evaluation_periods
