"""``models.blueprint.blueprint`` derives each distinct plan and account once."""

from __future__ import annotations

import models.blueprint as bp_module
from models.account import Account
from models.blueprint import blueprint
from models.plan import Plan


def test_an_equal_plan_gets_the_kept_blueprint_and_a_changed_one_its_own() -> None:
    plan = Plan.model_validate({"front_door": "alb"})
    first = blueprint(plan)
    assert blueprint(Plan.model_validate({"front_door": "alb"})) is first  # equal plan: derived once
    bp_module._DERIVED.clear()
    assert blueprint(plan) == first  # derived again, equal (the derivation is pure)
    other = blueprint(Plan.model_validate({"front_door": "apigw-rest"}))
    assert other != first and other.plan.front_door == "apigw-rest"
    quota = blueprint(plan, Account.model_validate({"lambda_concurrency": 50}))
    assert quota.account.lambda_concurrency == 50 and blueprint(plan).account == Account()


def test_the_kept_blueprints_are_bounded() -> None:
    bp_module._DERIVED.clear()
    for k in range(bp_module._KEPT + 10):
        blueprint(Plan.model_validate({"name": f"stack-{k}"}))
    assert len(bp_module._DERIVED) == bp_module._KEPT
