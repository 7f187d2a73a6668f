"""``models.blueprint.blueprint`` derives each distinct plan once, safely from several threads."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterator

import pytest

import models.blueprint as bp_module
from models.account import Account
from models.blueprint import blueprint
from models.plan import Plan


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    bp_module._DERIVED.clear()
    yield
    bp_module._DERIVED.clear()


def test_an_equal_plan_gets_the_kept_derivation_and_a_changed_one_its_own() -> None:
    plan = Plan.model_validate({"front_door": "alb"})
    first = blueprint(plan)
    equal = Plan.model_validate({"front_door": "alb"})
    again = blueprint(equal)
    assert again.resources is first.resources and again.control is first.control  # derived once
    assert again.plan is equal  # the blueprint holds the plan it was given
    bp_module._DERIVED.clear()
    assert blueprint(plan) == first  # derived again, equal (the derivation is pure)
    other = blueprint(Plan.model_validate({"front_door": "apigw-rest"}))
    assert other != first and other.plan.front_door == "apigw-rest"
    quota = blueprint(plan, Account.model_validate({"lambda_concurrency": 50}))
    assert quota.account.lambda_concurrency == 50 and blueprint(plan).account == Account()


def test_a_plan_changed_in_place_after_deriving_does_not_reach_a_later_equal_plan() -> None:
    first = Plan.model_validate({"tags": {"team": "a"}})
    blueprint(first)
    first.tags["team"] = "b"  # a plan's tags are a dict: changeable in place
    later = Plan.model_validate({"tags": {"team": "a"}})
    assert blueprint(later).plan.tags == {"team": "a"}
    assert blueprint(first).plan.tags == {"team": "b"}


def test_the_kept_derivations_are_bounded_and_threads_share_them_safely() -> None:
    # more distinct plans than are kept, asked for from eight threads at once with a tiny switch
    # interval: eviction and insertion interleave, and no call may fail
    plans = [Plan.model_validate({"name": f"stack-{k}"}) for k in range(bp_module._KEPT + 60)]
    errors: list[BaseException] = []

    def ask(offset: int) -> None:
        try:
            for j in range(1500):
                blueprint(plans[(j * 7 + offset * 131) % len(plans)])
        except BaseException as exc:  # collected for the assertion below
            errors.append(exc)

    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        threads = [threading.Thread(target=ask, args=(k,)) for k in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    finally:
        sys.setswitchinterval(interval)
    assert errors == []
    assert len(bp_module._DERIVED) == bp_module._KEPT
