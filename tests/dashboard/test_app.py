"""The dashboard driven through Streamlit's AppTest: the numbers it shows are tinysim's."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from models import Plan, Scenario, load_scenario
from tinysim import simulate

APP = str(Path(__file__).parents[2] / "app_streamlit.py")
EXAMPLES = Path(__file__).parents[2] / "examples"


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=120).run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected(name: str, **changes: Any) -> dict[str, Any]:
    scenario = load_scenario(EXAMPLES / name)
    data = scenario.model_dump(mode="json", exclude_none=True)
    data["plan"] = scenario.resolved_plan().model_dump(mode="json", exclude_none=True)
    data.pop("plan_file", None)
    for path, value in changes.items():
        node = data
        keys = path.split(".")
        for k in keys[:-1]:
            node = node[k]
        node[keys[-1]] = value
    return simulate(Scenario.model_validate(data)).summary


def test_default_page_shows_tinysims_numbers() -> None:
    at = app()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) >= 7
    summary = expected("seed_dev_stack.json")
    shown = metrics(at)
    assert shown["monthly cost"] == f"${Decimal(summary['total_usd']):,.2f}" == "$45.64"
    assert shown["p99 latency"] == f"{summary['latency_ms']['p99']:,.1f} ms"
    assert shown["throttled"] == "0"


def test_slider_move_reforecasts() -> None:
    at = app()
    before = metrics(at)["p99 latency"]
    at.slider(key="svc_mean").set_value(120.0).run()
    assert not at.exception
    summary = expected(
        "seed_dev_stack.json", **{"workload.service_time_ms.mean": 120.0, "workload.service_time_ms.p99": 250.0}
    )
    after = metrics(at)["p99 latency"]
    assert after == f"{summary['latency_ms']['p99']:,.1f} ms" and after != before


def test_preset_change_resets_and_shows_that_preset() -> None:
    at = app()
    at.slider(key="svc_mean").set_value(120.0).run()
    at.selectbox(key="preset").set_value("Serverless burst").run()
    assert not at.exception
    summary = expected("serverless_burst.json")
    shown = metrics(at)
    assert shown["monthly cost"] == f"${Decimal(summary['total_usd']):,.2f}"
    assert shown["throttled"] == f"{summary['requests']['throttled']:,}"


def test_compare_runs_each_stack_on_the_same_traffic() -> None:
    at = app()
    at.multiselect(key="compare").set_value(["ECS on EC2 + API Gateway", "Lambda + API Gateway"]).run()
    assert not at.exception
    table = at.dataframe[-1].value
    assert list(table["stack"]) == ["ECS on EC2 + API Gateway", "Lambda + API Gateway"]
    lam = json.loads(load_scenario(EXAMPLES / "seed_dev_stack.json").model_dump_json(exclude_none=True))
    lam["plan"] = load_scenario(EXAMPLES / "seed_dev_stack.json").resolved_plan().model_dump(mode="json")
    lam["plan"]["architecture"] = "serverless"
    assert table["monthly USD"].iloc[1] == pytest.approx(
        float(simulate(Scenario.model_validate(lam)).summary["total_usd"])
    )
    assert table["monthly USD"].iloc[0] == pytest.approx(45.64)


def test_download_offers_a_valid_plan() -> None:
    at = app()
    at.slider(key="tasks").set_value((2, 7)).run()
    button = at.get_by_key("dl_plan")
    assert button.proto.label == "Download plan.json" and button.proto.url.endswith(".json")  # type: ignore[union-attr]
    shown = next(c.value for c in at.code if '"version": 1' in c.value)  # the same JSON the button serves
    plan = Plan.model_validate(json.loads(shown))
    assert (plan.container.tasks.min, plan.container.tasks.max) == (2, 7)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"minute,count\n0,5\n1,6\n", "no column 'requests'"),
        (b"requests\n5\n-3\n", "counts must be numbers from 0"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "traffic.csv="),
    ],
)
def test_bad_uploads_show_a_message_not_a_traceback(content: bytes, message: str) -> None:
    at = app()
    at.file_uploader(key="upload").upload("traffic.csv", content, "text/csv").run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert message in errors, errors


def test_recommend_button_uses_the_recommender() -> None:
    at = app()
    at.button(key="recommend").click().run()
    assert not at.exception
    assert at.success and at.success[0].value.startswith("Recommended: {")
    assert any(b.proto.label == "Download the recommended plan.json" for b in at.get("download_button"))  # type: ignore[attr-defined]


def test_apply_says_clearly_when_localstack_is_not_running(monkeypatch: pytest.MonkeyPatch) -> None:
    import provision.localstack.launcher as launcher

    monkeypatch.setattr(launcher, "ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    at = app()
    at.button(key="apply").click().run()
    assert not at.exception
    assert any("LocalStack is not running" in e.value for e in at.error)


@pytest.mark.localstack
@pytest.mark.usefixtures("localstack")
def test_apply_to_localstack_builds_the_stack() -> None:
    from models import Plan
    from provision.api import connect, destroy_stack, read_status

    at = app()
    at.slider(key="tasks").set_value((1, 4)).run()
    at.button(key="apply").click().run()
    assert not at.exception, at.exception
    assert at.success and at.success[-1].value == "Applied."
    outputs = at.json[-1].value
    assert '"ecr_repository_uri"' in outputs and "dev-stack" in outputs
    plan = Plan.model_validate(json.loads(next(c.value for c in at.code if '"version": 1' in c.value)))
    live = read_status(connect(plan))
    assert live is not None and live.container.tasks.max == 4
    destroy_stack(connect(plan), progress=lambda line: None)
