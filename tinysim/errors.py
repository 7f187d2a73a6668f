"""Errors raised by tinysim.

    TinysimError        base of every error raised here
    ├── TraceError      a traffic trace file is missing, malformed or has bad counts
    ├── LogError        access logs cannot be read: no files, a truncated gzip, another format
    ├── RunTooLarge     a request-level run would need more memory than the machine has free
    └── NoConfigurationMeetsSlo
                        a search ran and nothing in its space meets the SLO (a result, not bad input:
                        the CLI prints it and exits 4)

Bad plans, scenarios, usage files and price books raise :class:`models.InputError`; a price missing
from the chosen book raises :class:`models.PriceMissing`. The CLI turns all of these into one line
per problem and exit code 2.
"""

from __future__ import annotations

__all__ = ["LogError", "NoConfigurationMeetsSlo", "RunTooLarge", "TinysimError", "TraceError"]


class TinysimError(Exception):
    """Base class of every error raised by :mod:`tinysim`."""


class TraceError(TinysimError):
    """A trace CSV cannot be replayed; the message names the file, the row or column, and the rule."""


class LogError(TinysimError):
    """Access logs cannot be read; the message names the file (and line) and what was expected."""


class RunTooLarge(TinysimError):
    """A run refused before it starts: the message gives the estimate, what is free and what to change."""


class NoConfigurationMeetsSlo(TinysimError):
    """The recommender searched its whole space and no configuration meets the SLO; the message names
    the SLO and the closest configuration with what it misses by. ``failed`` holds one line per
    configuration that failed while running (so could not be judged)."""

    def __init__(self, message: str, failed: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.failed = failed
