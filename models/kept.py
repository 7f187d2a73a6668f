"""Derived values kept by key for the runs that follow, the oldest dropped first beyond a bound, safe
to share between threads (a sweep's, the dashboard's sessions)."""

from __future__ import annotations

import threading
from typing import Generic, TypeVar

__all__ = ["Kept"]

V = TypeVar("V")


class Kept(Generic[V]):
    """At most ``bound`` values by string key (a model's JSON), in the order they were first kept."""

    def __init__(self, bound: int) -> None:
        self.bound = bound
        self._values: dict[str, V] = {}
        self._lock = threading.Lock()  # eviction and insertion from two threads raced without it

    def get(self, key: str) -> V | None:
        with self._lock:
            return self._values.get(key)

    def keep(self, key: str, value: V) -> None:
        """Keep ``value`` under ``key``, dropping the oldest when a new key would pass the bound."""
        with self._lock:
            if key not in self._values and len(self._values) >= self.bound:
                del self._values[next(iter(self._values))]
            self._values[key] = value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()

    def __len__(self) -> int:
        return len(self._values)
