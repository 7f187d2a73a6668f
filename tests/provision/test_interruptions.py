"""Applies interrupted right after every changing AWS call, then finished by a plain apply.

SIGINT: each apply of a chain is interrupted (a real SIGINT to this process) right after its first
changing call, so the chain stops once after every changing call of the full apply, and every apply
of it starts from the state an interruption left. SIGKILL: the same chain, each apply in a forked
child that kills itself right after its first changing call (the lock and the record of creates in
flight stay behind, as they would). Both for every example plan.
Then: a plain apply converges (nothing to change, reads back equal, one of everything), and destroy
leaves nothing tagged, no lock and no record.
"""

from __future__ import annotations

import collections
import os
import signal
import warnings
from pathlib import Path

import pytest

from models import Plan, load_plan
from provision.api import apply_plan, connect, destroy_stack, plan_changes, read_status
from provision.executor import KINDS
from provision.graph import resources_for
from provision.lock import lock_name
from provision.operations import OPERATIONS
from provision.resources import Context
from provision.services.base import KindBase
from tests.provision.conftest import owned, relevant, tagged_anywhere, unique
from tests.provision.interrupt import Interrupter

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"


def quiet(line: str) -> None:
    pass


def one_of_each(plan: Plan) -> dict[str, int]:
    """What the stack must own, by kind: one per resource of the plan (kinds that list what they own)."""
    zones = [f"{plan.region}{z}" for z in "abcdef"][: plan.network.azs]
    counts = collections.Counter(r.kind for r in resources_for(plan, zones))
    # the group's policies are listed only through a known group (destroy lets them go with it)
    return {k: n for k, n in counts.items() if type(KINDS[k]).owned is not KindBase.owned and k != "group_policy"}


def converged_then_destroyed(plan: Plan) -> None:
    ctx = connect(plan)
    assert [c.name for c in plan_changes(plan, ctx) if c.action != "no-op"] == []
    assert owned(connect(plan)) == one_of_each(plan)
    status = read_status(connect(plan))
    assert status is not None and status.plan is not None and relevant(status.plan) == relevant(plan)
    destroy_stack(connect(plan), progress=quiet)
    ctx = connect(plan)
    assert owned(ctx) == {} and tagged_anywhere(ctx) == []
    ssm = ctx.clients("ssm")
    assert ssm.get_parameters(Names=[lock_name(plan.name), f"/tinysim/{plan.name}/intents"])["Parameters"] == []


#: Every example plan, each interrupted after every changing call of its full apply.
EXAMPLES = sorted(p.name for p in PLANS.glob("*.json"))


@pytest.mark.parametrize("name", EXAMPLES)
def test_sigint_after_every_changing_call(name: str) -> None:
    plan = unique(load_plan(PLANS / name), "int")
    kills: list[str] = []
    interrupter = Interrupter(sig=signal.SIGINT)
    base = connect(plan, wrap=interrupter)  # one set of clients for the chain (a fresh context each run)
    for _ in range(400):
        interrupter.arm(1)
        try:
            apply_plan(
                plan,
                ctx=Context(base.clients, plan.name, base.region, dict(base.tags), account=base.account),
                progress=quiet,
            )
        except KeyboardInterrupt:
            kills.append(interrupter.calls[0])
            continue
        assert interrupter.calls == []  # the apply after the last interruption had nothing left to do
        break
    print(f"{name}: {len(kills)} SIGINT kill points")
    assert len(kills) >= len(resources_for(plan, ["a", "b", "c"][: plan.network.azs]))
    converged_then_destroyed(plan)


def killed_apply(plan: Plan, base: Context, interrupter: Interrupter) -> str | None:
    """One apply in a forked child that SIGKILLs itself right after its first changing call (the lock and
    the record of creates in flight stay behind, as they would). Returns that call, or None when the
    child's apply had nothing to change and ended by itself. ``base`` holds clients made (never used) in
    this process and wrapped by ``interrupter``: each child opens its own connections."""
    read_end, write_end = os.pipe()
    with warnings.catch_warnings():  # no thread runs here (the survey's pool ends with each apply)
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child: never returns into pytest
        os.close(read_end)
        code = 3
        try:
            interrupter.arm(1)
            interrupter.sig, interrupter.report = signal.SIGKILL, write_end
            ctx = Context(base.clients, plan.name, base.region, dict(base.tags), account=base.account)
            apply_plan(plan, ctx=ctx, progress=quiet)
            code = 0 if interrupter.calls == [] else 4
        except BaseException as exc:
            os.write(write_end, f"error: {type(exc).__name__}: {exc}".encode())
        finally:
            os._exit(code)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        said = pipe.read().decode()
    _, status = os.waitpid(pid, 0)  # reaped: the next apply sees the lock's holder gone
    if os.WIFSIGNALED(status):
        assert os.WTERMSIG(status) == signal.SIGKILL, said
        return said
    assert os.WEXITSTATUS(status) == 0, said
    return None


@pytest.mark.parametrize("name", EXAMPLES)
def test_sigkill_after_every_changing_call(name: str) -> None:
    plan = unique(load_plan(PLANS / name), "kill")
    interrupter = Interrupter()
    base = connect(plan, wrap=interrupter)
    for service in OPERATIONS:  # made once here, so that no child spends its time loading AWS's models
        base.clients(service)
    kills: list[str] = []
    for _ in range(400):
        call = killed_apply(plan, base, interrupter)
        if call is None:
            break
        kills.append(call)
    print(f"{name}: {len(kills)} SIGKILL kill points")
    assert len(kills) >= len(resources_for(plan, ["a", "b", "c"][: plan.network.azs]))
    converged_then_destroyed(plan)
