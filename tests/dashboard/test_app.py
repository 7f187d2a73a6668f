"""The dashboard driven through Streamlit's AppTest: the numbers it shows are tinysim's, presets load
into every widget, and bad settings get the CLI's one-line reason beside their widget."""

from __future__ import annotations

import ast
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest

from models import Plan, Scenario, load_scenario
from tinysim import RunSummary, simulate

APP_PATH = Path(__file__).parents[2] / "app_streamlit.py"
APP = str(APP_PATH)
EXAMPLES = Path(__file__).parents[2] / "examples"


def app() -> AppTest:
    return AppTest.from_file(APP, default_timeout=180).run()


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def table_with(at: AppTest, column: str) -> Any:
    return next(d.value for d in at.dataframe if column in d.value.columns)


def preset_data(name: str, **changes: Any) -> dict[str, Any]:
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
    return data


def expected(name: str, **changes: Any) -> RunSummary:
    return simulate(Scenario.model_validate(preset_data(name, **changes))).summary


def dev_stack_cost() -> str:
    return f"${expected('seed_dev_stack.json').total_usd:,.2f}"


def test_default_page_shows_tinysims_numbers() -> None:
    at = app()
    assert not at.exception and not at.error
    summary = expected("seed_dev_stack.json")
    shown = metrics(at)
    assert shown["monthly cost"] == f"${summary.total_usd:,.2f}"
    assert shown["p99, served"] == f"{summary.latency_ms.p99:,.1f} ms"
    assert shown["failed requests"] == f"{summary.failures.total:,}" == "0"
    assert shown["availability (SLO 500 ms)"] == f"{summary.slo(500).availability:.3%}"
    # the bill's extrapolation is said: one day repeated 30.42 times (730 h / 24 h)
    assert any("repeats this 24 h run x30.42 to fill a 730 h month" in i.value for i in at.info)


def test_slider_move_reforecasts() -> None:
    at = app()
    before = metrics(at)["p99, served"]
    at.slider(key="svc_mean").set_value(120.0).run()
    assert not at.exception
    summary = expected("seed_dev_stack.json", **{"workload.service_time_ms.mean": 120.0})
    after = metrics(at)["p99, served"]
    assert after == f"{summary.latency_ms.p99:,.1f} ms" and after != before


@pytest.mark.parametrize(
    ("preset", "file", "widgets"),
    [
        (
            "Seed hyperscale (ALB)",
            "seed_hyperscale_alb.json",
            {"door": "alb", "tasks": (2, 5), "cpu": 1024, "mem": 2048, "itype": "m3.medium", "slots": 4},
        ),
        (
            "Serverless burst",
            "serverless_burst.json",
            {
                "arch": "serverless",
                "kind": "spike",
                "level": 20.0,
                "spike_rps": 3000.0,
                "lres": 800,
                "larch": "arm64",
                "hours": 2,
            },
        ),
        (
            "Trace replay",
            "trace_replay.json",
            {"kind": "trace", "launch": "fargate", "cpu": 512, "mem": 1024, "slots": 2},
        ),
    ],
)
def test_preset_loads_into_every_widget_and_a_slider_then_moves_only_itself(
    preset: str, file: str, widgets: dict[str, Any]
) -> None:
    at = app()
    at.slider(key="svc_mean").set_value(120.0).run()
    at.selectbox(key="preset").set_value(preset).run()
    assert not at.exception
    for key, value in widgets.items():
        assert at.session_state[key] == value, key
    summary = expected(file)
    shown = metrics(at)
    assert shown["monthly cost"] == f"${summary.total_usd:,.2f}"
    assert shown["failed requests"] == f"{summary.failures.total:,}"
    # a slider move keeps everything else of the preset (no mix with the previous preset)
    at.slider(key="svc_mean").set_value(30.0).run()
    moved = expected(file, **{"workload.service_time_ms.mean": 30.0})
    assert metrics(at)["monthly cost"] == f"${moved.total_usd:,.2f}"


def test_trace_preset_shows_its_failures_and_causes() -> None:
    at = app()
    at.selectbox(key="preset").set_value("Trace replay").run()
    summary = expected("trace_replay.json")
    assert summary.failures.timed_out > 0
    assert metrics(at)["failed requests"] == f"{summary.failures.total:,}"
    assert metrics(at)["p99, all requests"] == "failed"  # more than 1% failed
    text = " ".join(m.value for m in at.markdown)
    assert f"timed out **{summary.failures.timed_out:,}**" in text


def test_invalid_setting_gets_the_clis_line_beside_its_widget_and_keeps_the_last_forecast() -> None:
    at = app()
    at.slider(key="thr").set_value(20).run()
    assert not at.exception
    lines = [e.value for e in at.sidebar.error]
    assert lines == [
        "plan.container.scaling.scale_in_threshold_pct=30.0: must be < container.scaling.threshold_pct (20)"
    ]
    assert metrics(at)["monthly cost"] == dev_stack_cost()  # the last valid forecast stays on the page


def test_switch_to_fargate_picks_a_valid_task_size() -> None:
    at = app()
    at.selectbox(key="launch").set_value("fargate").run()
    assert not at.exception and not at.error
    # 2,048 CPU units need 4-16 GiB on Fargate: the 512 MiB default rounds up to 4,096 MiB
    assert (at.session_state["cpu"], at.session_state["mem"]) == (2048, 4096)


def test_compare_runs_each_stack_on_the_same_traffic() -> None:
    at = app()
    at.pills(key="compare").set_value(["ECS on EC2 + API Gateway", "Lambda + API Gateway"]).run()
    assert not at.exception
    table = table_with(at, "stack")
    assert list(table["stack"]) == ["ECS on EC2 + API Gateway", "Lambda + API Gateway"]
    lam = preset_data("seed_dev_stack.json", **{"plan.architecture": "serverless"})
    assert table["monthly cost"].iloc[1] == pytest.approx(
        float(simulate(Scenario.model_validate(lam)).summary.total_usd)
    )
    assert table["monthly cost"].iloc[0] == pytest.approx(float(expected("seed_dev_stack.json").total_usd))


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
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "traffic.csv='traffic.csv'"),
    ],
)
def test_bad_uploads_show_a_message_not_a_traceback(content: bytes, message: str) -> None:
    at = app()
    at.file_uploader(key="upload").upload("traffic.csv", content, "text/csv").run()
    assert not at.exception
    errors = " ".join(e.value for e in at.error)
    assert message in errors, errors
    assert metrics(at)["monthly cost"] == dev_stack_cost()  # the error does not blank the results


def test_upload_keeps_its_name() -> None:
    at = app()
    at.file_uploader(key="upload").upload("my_shop.csv", b"requests\n" + b"30\n" * 120, "text/csv").run()
    assert not at.exception and not at.error
    assert any("my_shop.csv" in c.value for c in at.sidebar.caption)


def test_recommend_applies_to_the_sidebar_and_survives_a_rerun() -> None:
    at = app()
    at.button(key="recommend").click().run()
    assert not at.exception
    assert at.success and at.success[0].value.startswith("Recommended: tasks ")
    table = table_with(at, "configuration")
    assert table["meets_slo"].any() and "configuration" in table
    at.button(key="apply_rec").click().run()
    assert not at.exception
    lo, hi = at.session_state["tasks"]
    assert f"tasks {lo}-{hi}" in at.success[0].value  # still shown after the rerun, now in the sidebar


def test_assumptions_edit_in_place_changes_the_bill() -> None:
    at = app()
    before = Decimal(metrics(at)["monthly cost"].strip("$").replace(",", ""))
    at.number_input(key="ops_log_kb_per_request").set_value(50.0).run()
    assert not at.exception
    summary = expected("seed_dev_stack.json", operations={"log_kb_per_request": 50.0})
    assert metrics(at)["monthly cost"] == f"${summary.total_usd:,.2f}"
    assert summary.total_usd > before


def test_apply_says_clearly_when_localstack_is_not_running(monkeypatch: pytest.MonkeyPatch) -> None:
    import provision.localstack.launcher as launcher

    monkeypatch.setattr(launcher, "ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    at = app()
    at.button(key="apply").click().run()
    assert not at.exception
    assert any("LocalStack is not running" in e.value for e in at.error)


def test_dashboard_holds_no_model_arithmetic() -> None:
    """It formats what tinysim returns: no price book, no numpy, no percentile, no ALB or SLO rule."""
    tree = ast.parse(APP_PATH.read_text())
    imported = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    imported |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    names |= {n.attr for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
    names |= {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) for a in n.names}
    assert not {"numpy", "models.prices", "tinysim.costs.alb", "tinysim.usage", "tinysim.stats"} & imported
    forbidden = {
        "load_price_book",
        "PriceBook",
        "quantile",
        "percentile",
        "value_counts",
        "cumsum",
        "front_door_cost",
        "metered_lcus",
        "lcus_by_dimension",
        "LogHistogram",
        "MONTH_HOURS",
    }
    assert not forbidden & names
    text = APP_PATH.read_text()
    assert "730" not in text.replace("730 h", "")  # the month's hours live in tinysim


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
    assert live is not None and live.plan is not None and live.plan.container.tasks.max == 4
    destroy_stack(connect(plan), progress=lambda line: None)


@pytest.mark.parametrize(
    ("preset", "view", "why"),
    [
        ("Seed dev stack", "Lambda", "This stack runs on ECS"),
        ("Seed dev stack", "ALB LCUs", "front door is API Gateway"),
        ("Serverless burst", "Compute", "This stack runs on Lambda"),
        ("Seed hyperscale (ALB)", "ALB LCUs", ""),
        ("Serverless burst", "Lambda", ""),
        ("Seed hyperscale (ALB)", "Compute", ""),
    ],
)
def test_each_view_draws_its_chart_or_says_why_it_does_not_apply(preset: str, view: str, why: str) -> None:
    at = app()
    at.selectbox(key="preset").set_value(preset).run()
    at.segmented_control(key="view").set_value(view).run()
    assert not at.exception
    said = [i.value for i in at.info if i.value.startswith("This stack")]
    if why:
        assert len(said) == 1 and why in said[0] and not at.get("plotly_chart")
    else:
        assert not said and len(at.get("plotly_chart")) == 1


def test_a_long_request_level_run_reports_tinysims_numbers_and_clears_its_progress() -> None:
    at = app()
    at.slider(key="hours").set_value(72).run()
    assert not at.exception and not at.error
    summary = expected("seed_dev_stack.json", horizon_s=72 * 3600)
    assert metrics(at)["requests offered"] == f"{summary.requests.offered:,}"
    assert not at.progress and "Cancel" not in [b.label for b in at.button]  # gone once the run is done
