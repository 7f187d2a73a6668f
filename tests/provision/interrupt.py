"""Interrupting an apply right after its k-th changing AWS call: with SIGINT in this process, or with
SIGKILL (``python -m tests.provision.interrupt PLAN.json K`` kills itself after the K-th call)."""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

from provision.lock import lock_name

__all__ = ["BUILDING", "CHANGING", "Interrupter"]

#: Operation name prefixes of the calls an apply makes to build or set something.
BUILDING = (
    "create_",
    "put_",
    "register_",
    "attach_",
    "associate_",
    "authorize_",
    "update_",
    "modify_",
    "allocate_",
    "add_",
    "publish_",
    "tag_",
    "run_",
)
#: Operation name prefixes of every call that changes something (reads are describe/get/list/head).
CHANGING = (
    *BUILDING,
    "replace_",
    "delete_",
    "remove_",
    "revoke_",
    "release_",
    "detach_",
    "disassociate_",
    "deregister_",
)


def _is_lock_call(service: str, kwargs: dict[str, Any]) -> bool:
    return service == "ssm" and str(kwargs.get("Name", "")).endswith("/lock")


class Interrupter:
    """Wraps every client; after the ``after``-th changing call (the stack lock's own calls not counted)
    returns, sends ``sig`` to this process (0 = never), first writing that call's name to the file
    descriptor ``report`` when one is given. Counts the changing calls and the lock's calls."""

    def __init__(self, after: int = 0, sig: int = signal.SIGINT, report: int | None = None) -> None:
        self.after, self.sig, self.report = after, sig, report
        self.calls: list[str] = []
        self.lock_calls = 0

    def arm(self, after: int) -> None:
        """Count afresh and interrupt after the ``after``-th changing call from now on."""
        self.after, self.calls = after, []

    def __call__(self, service: str, client: Any) -> Any:
        outer = self

        class Proxy:
            def __getattr__(self, name: str) -> Any:
                attr = getattr(client, name)
                if not name.startswith(CHANGING) or not callable(attr):
                    return attr

                def call(*args: Any, **kwargs: Any) -> Any:
                    result = attr(*args, **kwargs)
                    if _is_lock_call(service, kwargs):
                        outer.lock_calls += 1
                        return result
                    outer.calls.append(f"{service}.{name}")
                    if len(outer.calls) == outer.after:
                        if outer.report is not None:  # say which call it was before dying (SIGKILL says nothing)
                            os.write(outer.report, outer.calls[-1].encode())
                        os.kill(os.getpid(), outer.sig)
                    return result

                return call

        return Proxy()


def main(argv: list[str]) -> int:
    from models import load_plan
    from provision.api import apply_plan, connect

    plan = load_plan(argv[0])
    apply_plan(plan, ctx=connect(plan, wrap=Interrupter(int(argv[1]), signal.SIGKILL)), progress=lambda line: None)
    return 0


assert lock_name("x").endswith("/lock")  # the suffix _is_lock_call relies on

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
