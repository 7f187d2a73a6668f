"""What a request-level run records as it goes: control events, CloudWatch datapoints, end-of-minute
samples and the change points of the fleet sizes. The result frames are built from these once, at the
end (``tinysim.simulate``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Datapoint", "Record", "RunRecords", "Sample", "integral"]

#: (time s, kind, detail) of one control event.
Record = tuple[float, str, dict[str, Any]]
#: (time s, metric, value or None when missing, whether its scale-out alarm is in ALARM).
Datapoint = tuple[float, str, float | None, bool]
#: (time s, tasks serving, tasks starting or placing, instances alive, CPU credit balance).
Sample = tuple[float, int, int, int, float]


@dataclass
class RunRecords:
    """Append-only logs of one run. ``*_changes`` are step functions: (time s, value from then on)."""

    events: list[Record] = field(default_factory=list)
    datapoints: list[Datapoint] = field(default_factory=list)
    samples: list[Sample] = field(default_factory=list)
    slot_changes: list[tuple[float, int]] = field(default_factory=list)  # serving worker slots
    task_changes: list[tuple[float, int]] = field(default_factory=list)  # tasks starting or serving
    instance_changes: list[tuple[float, int]] = field(default_factory=list)  # instances alive

    def log(self, now_s: float, kind: str, **detail: Any) -> None:
        self.events.append((now_s, kind, detail))


def integral(changes: list[tuple[float, int]], t0: float, t1: float) -> float:
    """Integral over [t0, t1) of a step function given by its change points (time, value)."""
    total = 0.0
    value = 0
    last = t0
    for t, v in changes:
        if t <= t0:
            value = v
            continue
        if t >= t1:
            break
        total += value * (t - last)
        value, last = v, t
    return total + value * (t1 - last)
