"""Failed applies: a double fails a changing AWS call, at every call of a full apply; the next apply
converges to the full stack without duplicates, and destroy leaves nothing tagged."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from models import InputError, load_plan
from provision import StackCollision, StepFailed
from provision.api import apply_plan, connect, destroy_stack, read_status
from provision.cli import main as provision_main
from provision.resources import STACK_TAG
from tests.provision.conftest import owned, relevant, tagged_anywhere, unique
from tests.provision.interrupt import BUILDING as CHANGING

pytestmark = [pytest.mark.localstack, pytest.mark.usefixtures("localstack")]
PLANS = Path(__file__).parents[2] / "examples" / "plans"


class FailOnCall:
    """Wraps clients; the k-th changing call raises a throttling error (0 = never). Counts calls."""

    def __init__(self, fail_at: int = 0) -> None:
        self.fail_at, self.calls = fail_at, 0

    def __call__(self, service: str, client: Any) -> Any:
        outer = self

        class Proxy:
            def __getattr__(self, name: str) -> Any:
                attr = getattr(client, name)
                if not name.startswith(CHANGING) or not callable(attr):
                    return attr

                def call(*args: Any, **kwargs: Any) -> Any:
                    if service == "ssm" and str(kwargs.get("Name", "")).endswith("/lock"):
                        return attr(*args, **kwargs)  # the stack lock's own calls are not counted
                    outer.calls += 1
                    if outer.calls == outer.fail_at:
                        raise ClientError({"Error": {"Code": "InjectedFault", "Message": "injected"}}, name)
                    return attr(*args, **kwargs)

                return call

        return Proxy()


def quiet(line: str) -> None:
    pass


def test_an_apply_failing_at_every_changing_call_is_finished_by_the_next() -> None:
    """A chain of applies, each failing its second changing call (the call is not made): the chain
    fails once at every changing call of the full apply but the first, and every apply starts from the
    state a failure left. The last apply has nothing left to do; destroy leaves nothing tagged."""
    plan = unique(load_plan(PLANS / "serverless.json"), "f")  # every plan's interruptions: test_interruptions
    failures: list[str] = []
    for _ in range(400):
        fault = FailOnCall(2)
        try:
            apply_plan(plan, ctx=connect(plan, wrap=fault), progress=quiet)
        except StepFailed as exc:
            failures.append(str(exc))
            continue
        assert fault.calls <= 1
        break
    assert len(failures) > 15 and all("InjectedFault" in f for f in failures)
    apply_plan(plan, ctx=connect(plan), progress=quiet)
    status = read_status(connect(plan))
    assert status is not None and status.plan is not None and relevant(status.plan) == relevant(plan)
    destroy_stack(connect(plan), progress=quiet)
    assert owned(connect(plan)) == {} and tagged_anywhere(connect(plan)) == []


def test_invalid_plan_makes_no_aws_call(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    import provision.session as session

    real_init = session.Clients.__init__

    def spy(self: Any, *args: Any, **kwargs: Any) -> None:
        calls.append("clients")
        real_init(self, *args, **kwargs)

    monkeypatch.setattr(session.Clients, "__init__", spy)
    path = tmp_path / "plan.json"
    path.write_text('{"name": "Bad Name", "front_door": "cdn", "container": {"tasks": {"min": 3, "max": 1}}}')
    assert provision_main(["apply", str(path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "provision: name=\"Bad Name\": must match '^[a-z][a-z0-9-]{0,23}$'",
        "provision: front_door=\"cdn\": must be one of 'apigw-http', 'apigw-rest' or 'alb'",
        "provision: container.tasks.max=1: must be >= container.tasks.min (3)",
    ]
    assert calls == []
    with pytest.raises(InputError):
        load_plan(path)


def test_a_name_taken_by_another_stack_is_refused() -> None:
    plan = unique(load_plan(PLANS / "serverless.json"), "taken")
    ctx = connect(plan)
    ctx.clients("ecr").create_repository(repositoryName=plan.name, tags=[{"Key": STACK_TAG, "Value": "someone-else"}])
    with pytest.raises(
        StackCollision, match=f"repository '{plan.name}' already exists and belongs to stack 'someone-else'"
    ):
        apply_plan(plan, ctx=connect(plan), progress=quiet)
    assert owned(connect(plan)) == {}  # nothing was created
    ctx.clients("ecr").delete_repository(repositoryName=plan.name, force=True)
