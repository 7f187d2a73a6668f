"""Running the CLIs in-process under a time limit, and the rules every bad input must meet."""

from __future__ import annotations

import contextlib
import io
import re
import signal
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from types import FrameType

#: Files a completed ``tinysim run --out`` folder holds (CSV format).
RUN_FILES = {"timeline.csv", "events.csv", "datapoints.csv", "hourly_usage.csv", "bill.json", "summary.json"}


class TooSlow(BaseException):  # not an Exception: the CLI must not catch it
    """Raised inside the CLI when a case runs past its time limit (a hang)."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise ``TooSlow`` in the main thread after ``seconds`` (POSIX interval timer)."""

    def fire(signum: int, frame: FrameType | None) -> None:
        raise TooSlow(f"still running after {seconds} s")

    old = signal.signal(signal.SIGALRM, fire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)


@dataclass(frozen=True)
class Outcome:
    code: int
    out: str
    err: str
    seconds: float

    @property
    def lines(self) -> list[str]:
        """The problem lines (without the ``wrote PATH`` notes of a sweep that still wrote its table)."""
        return [line for line in self.err.splitlines() if line.strip() and not line.startswith("wrote ")]


def run_cli(main: Callable[[Sequence[str]], int], argv: Sequence[str], limit_s: float = 30.0) -> Outcome:
    """Call a CLI's ``main`` with ``argv``; stdout and stderr captured; ``TooSlow`` past the limit."""
    out, err = io.StringIO(), io.StringIO()
    start = time.perf_counter()
    code: int
    with time_limit(limit_s), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse refusing an option
            code = int(exc.code) if isinstance(exc.code, int) else 2
    return Outcome(code, out.getvalue(), err.getvalue(), time.perf_counter() - start)


#: Words a refusal must not show: a crash, a pydantic dump, an internal name (``lambda_`` is ``lambda``).
_JARGON = re.compile(r"unexpected|Traceback|validation errors? for|errors\.pydantic\.dev|\blambda_(?![a-z])")


def assert_clear_refusal(result: Outcome, prog: str, codes: Sequence[int] = (2,)) -> None:
    """Refused with the allowed exit code and one plain line per problem, each naming what is wrong."""
    assert result.code in codes, (result.code, result.err)
    assert result.lines, "a refusal says why"
    head = re.compile(rf"^{prog}( [a-z]+)?: ")
    for line in result.lines:
        assert head.match(line), line
        assert not _JARGON.search(line), line
        assert ": " in head.sub("", line), f"no field or rule in {line!r}"
        assert len(line) < 600, line
