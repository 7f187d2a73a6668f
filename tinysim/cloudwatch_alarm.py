"""One CloudWatch alarm of the blueprint, live in a run: its spec, its compiled rule's memory and its
current state (``tinysim.control.alarm_rule``)."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from models.blueprint import AlarmSpec
from tinysim.control.alarm_rule import (
    ALARM,
    COMPARISONS,
    INSUFFICIENT_DATA,
    TREAT_MISSING,
    alarm_observe,
    new_alarm_state,
)

__all__ = ["LiveAlarm"]


@dataclass
class LiveAlarm:
    """An alarm evaluating one datapoint per period."""

    spec: AlarmSpec
    memory: np.ndarray = field(init=False)
    state: int = INSUFFICIENT_DATA
    _comparison: int = field(init=False)
    _treat_missing: int = field(init=False)

    def __post_init__(self) -> None:
        self.memory = new_alarm_state(self.spec.evaluation_periods)
        self._comparison = COMPARISONS[self.spec.comparison]
        self._treat_missing = TREAT_MISSING[self.spec.treat_missing_data]

    def observe(self, value: float | None) -> int:
        """Evaluate the period's datapoint (``None`` when missing); returns the new state."""
        self.state = alarm_observe(
            self.memory,
            math.nan if value is None else value,
            self.spec.threshold,
            self._comparison,
            self.spec.datapoints_to_alarm,
            self._treat_missing,
        )
        return self.state

    @property
    def in_alarm(self) -> bool:
        return self.state == ALARM
