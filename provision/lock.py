"""The stack lock and the record of creates in flight, both kept in the account (SSM parameters), so
that two machines see them.

``/tinysim/<stack>/lock`` is created without overwrite by ``apply`` and ``destroy`` (SSM's
``PutParameter`` with ``Overwrite=false`` fails with ``ParameterAlreadyExists`` when the name is taken, so
exactly one of two racing writers wins). Its value names the holder (user, host, process id) and since
when. A lock left by a process of this host that no longer runs (killed with SIGKILL) is taken over; a
lock held from another host needs ``--force-unlock``.

``/tinysim/<stack>/intents`` lists the resources being created by a call that cannot tag them in the
same request (an S3 bucket is tagged by a second call): written before the create, cleared once the
resource carries the stack's tag. An apply killed between the two calls leaves the name here, so the next
apply finishes the tagging instead of refusing its own resource, and ``destroy`` deletes it.
"""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import socket
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from botocore.exceptions import ClientError

from provision.errors import StackLocked, StepFailed
from provision.resources import STACK_TAG, Context
from provision.services.base import code_of

__all__ = ["Holder", "Intents", "force_unlock", "lock_name", "stack_lock"]

Say = Callable[[str], None]


def lock_name(stack: str) -> str:
    return f"/tinysim/{stack}/lock"


def _intents_name(stack: str) -> str:
    return f"/tinysim/{stack}/intents"


@dataclass(frozen=True)
class Holder:
    """Who holds a lock: user, host, process id, and since when (ISO 8601, UTC)."""

    user: str
    host: str
    pid: int
    since: str

    @staticmethod
    def me() -> Holder:
        try:
            user = getpass.getuser()
        except (KeyError, OSError):
            user = "unknown"
        now = datetime.now(UTC).isoformat(timespec="seconds")
        return Holder(user, socket.gethostname(), os.getpid(), now)

    def to_json(self) -> str:
        return json.dumps({"user": self.user, "host": self.host, "pid": self.pid, "since": self.since})

    @staticmethod
    def from_json(text: str) -> Holder:
        try:
            d = json.loads(text)
            return Holder(str(d["user"]), str(d["host"]), int(d["pid"]), str(d["since"]))
        except (ValueError, KeyError, TypeError):
            return Holder("unknown", "unknown", 0, "an unknown time")

    def describe(self) -> str:
        return f"{self.user}@{self.host} (pid {self.pid}) since {self.since}"

    def is_dead_here(self) -> bool:
        """The holder ran on this host and its process is gone (it cannot release the lock any more)."""
        if self.host != socket.gethostname() or self.pid <= 0:
            return False
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return _zombie(self.pid)


def _zombie(pid: int) -> bool:
    """The process has ended but its parent has not reaped it yet (state Z or X in ``/proc/<pid>/stat``,
    proc(5)): it still answers signal 0, yet can never release the lock. False where /proc is absent."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rpartition(")")[2].split()[:1] in (["Z"], ["X"])


def _put_new(ctx: Context, holder: Holder) -> bool:
    """Create the lock parameter; False when it exists already (someone holds the lock)."""
    try:
        ctx.clients("ssm").put_parameter(
            Name=lock_name(ctx.stack),
            Value=holder.to_json(),
            Type="String",
            Overwrite=False,
            Description=f"tinysim lock of stack {ctx.stack}",
            Tags=[{"Key": STACK_TAG, "Value": ctx.stack}],
        )
    except ClientError as exc:
        if code_of(exc) == "ParameterAlreadyExists":
            return False
        raise
    return True


def _current(ctx: Context) -> Holder | None:
    try:
        value = ctx.clients("ssm").get_parameter(Name=lock_name(ctx.stack))["Parameter"]["Value"]
    except ClientError as exc:
        if code_of(exc) == "ParameterNotFound":
            return None
        raise
    return Holder.from_json(str(value))


def _delete(ctx: Context, name: str) -> bool:
    try:
        ctx.clients("ssm").delete_parameter(Name=name)
    except ClientError as exc:
        if code_of(exc) == "ParameterNotFound":
            return False
        raise
    return True


def _acquire(ctx: Context, say: Say) -> Holder:
    me = Holder.me()
    if _put_new(ctx, me):
        return me
    held = _current(ctx)
    if held is not None and held.is_dead_here():
        say(f"taking over the lock left by {held.describe()}: that process no longer runs")
        _delete(ctx, lock_name(ctx.stack))
        if _put_new(ctx, me):
            return me
        held = _current(ctx)
    who = held.describe() if held else "another process"
    raise StackLocked(
        f"stack {ctx.stack!r} is locked by {who} (SSM parameter {lock_name(ctx.stack)}); "
        "nothing was changed. Wait for it, or run with --force-unlock if that run is dead"
    )


@contextlib.contextmanager
def stack_lock(ctx: Context, say: Say) -> Iterator[Holder]:
    """Hold the stack's lock for the block; released on the way out (also on Ctrl-C).

    Raises StackLocked (held by someone else), StepFailed (SSM refused a call)."""
    try:
        me = _acquire(ctx, say)
    except ClientError as exc:
        raise StepFailed(f"take the stack lock: {exc.operation_name} failed with {code_of(exc)}") from exc
    failed = True
    try:
        yield me
        failed = False
    finally:
        try:
            held = _current(ctx)
            if held is not None and held == me:
                _delete(ctx, lock_name(ctx.stack))
        except ClientError as exc:
            if not failed:  # never hide the error that ended the block
                raise StepFailed(f"release the stack lock: {exc.operation_name} failed with {code_of(exc)}") from exc


def force_unlock(ctx: Context) -> Holder | None:
    """Remove the stack's lock whoever holds it; returns who held it (None when it was free)."""
    held = _current(ctx)
    _delete(ctx, lock_name(ctx.stack))
    return held


class Intents:
    """The stack's creates in flight, as (kind, name) pairs; read once, written on every change."""

    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self.pending: set[tuple[str, str]] = set()
        try:
            value = ctx.clients("ssm").get_parameter(Name=_intents_name(ctx.stack))["Parameter"]["Value"]
            self.pending = {(str(k), str(n)) for k, n in json.loads(value)}
        except ClientError as exc:
            if code_of(exc) != "ParameterNotFound":
                raise
        except (ValueError, TypeError):
            self.pending = set()

    def covers(self, kind: str, name: str) -> bool:
        return (kind, name) in self.pending

    def record(self, kind: str, name: str) -> None:
        if (kind, name) in self.pending:
            return
        self.pending.add((kind, name))
        self._write()

    def done(self, kind: str, name: str) -> None:
        if (kind, name) not in self.pending:
            return
        self.pending.discard((kind, name))
        self._write()

    def clear(self) -> None:
        self.pending.clear()
        _delete(self._ctx, _intents_name(self._ctx.stack))

    def _write(self) -> None:
        if not self.pending:
            _delete(self._ctx, _intents_name(self._ctx.stack))
            return
        self._ctx.clients("ssm").put_parameter(
            Name=_intents_name(self._ctx.stack),
            Value=json.dumps(sorted(self.pending)),
            Type="String",
            Overwrite=True,
        )
