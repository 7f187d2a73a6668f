"""The real dashboard in a real browser (Streamlit serving, headless Chromium), walked as a new user
would: presets, sliders, compare, recommend, apply, download, uploads. A screenshot of every step is kept
under test-artifacts/."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

import pytest

from models import Plan, load_scenario
from tests.dashboard.served import (
    CHROMIUM_FLAGS,
    ROOT,
    choose,
    chromium,
    dashboard,
    exceptions,
    group_button,
    metric,
    number,
    open_page,
    press_slider,
    selected,
    settle,
    slider_value,
)
from tinysim import simulate

ARTIFACTS = ROOT / "test-artifacts"
#: What each preset loads into the sidebar (labels as shown, values as the widgets show them).
PRESET_WIDGETS: dict[str, dict[str, tuple[str, str]]] = {
    "Seed hyperscale (ALB)": {
        "front door": ("combobox", "Load balancer (ALB)"),
        "instance type": ("combobox", "m3.medium"),
        "requests/s": ("number", "166.667"),
        "task CPU units (1,024 = 1 vCPU)": ("slider", "1024"),
        "worker slots per task": ("slider", "4"),
    },
    "Serverless burst": {
        "compute": ("combobox", "Lambda"),
        "shape": ("combobox", "spike"),
        "base requests/s": ("number", "20.000"),
        "spike requests/s": ("number", "3000.000"),
        "reserved concurrency (0 = account limit)": ("number", "800"),
        "Lambda architecture": ("combobox", "arm64"),
    },
    "Trace replay": {
        "shape": ("combobox", "trace"),
        "launch type": ("combobox", "Fargate"),
        "task CPU units (1,024 = 1 vCPU)": ("slider", "512"),
        "worker slots per task": ("slider", "2"),
    },
    "Seed dev stack": {
        "front door": ("combobox", "API Gateway (HTTP API)"),
        "launch type": ("combobox", "EC2 instances"),
        "requests/s": ("number", "0.381"),
    },
}


def shown(page: Any, label: str, kind: str) -> str:
    if kind == "combobox":
        return selected(page, label)
    if kind == "number":
        return number(page, label)
    return slider_value(page, label)


def cli_failed(preset_file: str) -> int:
    out = subprocess.run(
        [sys.executable, "-m", "tinysim", "run", str(ROOT / "examples" / preset_file), "--json", "--quiet"],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    return int(json.loads(out.stdout)["failures"]["total"])


@pytest.mark.browser
def test_a_new_users_walk_through_the_dashboard() -> None:
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    step = iter(range(1, 100))

    def shot(page: Any, name: str) -> None:
        page.screenshot(path=str(ARTIFACTS / f"dashboard-{next(step):02d}-{name}.png"), full_page=True)
        assert exceptions(page) == 0, name

    with dashboard() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium(), args=CHROMIUM_FLAGS)
        page = open_page(browser, url, width=1280, height=1800)  # 1280 px wide; tall, so a shot shows the view
        text = page.inner_text("body")
        dev = load_scenario(ROOT / "examples" / "seed_dev_stack.json")
        assert "monthly cost" in text and f"${simulate(dev).summary.total_usd:,.2f}" in text
        assert page.get_by_text("Deploy", exact=True).count() == 0  # no Streamlit deploy menu
        shot(page, "load")

        for preset, widgets in PRESET_WIDGETS.items():
            settle(page, choose(page, "preset", preset))
            for label, (kind, value) in widgets.items():
                assert shown(page, label, kind) == value, (preset, label)
            shot(page, "preset-" + preset.split()[0].lower() + "-" + preset.split()[-1].strip("()").lower())
            if preset == "Trace replay":  # the headline's failures are the CLI's
                failed = cli_failed("trace_replay.json")
                assert failed > 0 and metric(page, "failed requests") == f"{failed:,}"

        for view in ("Traffic", "Compute", "Latency", "Lambda", "ALB LCUs", "Break-even", "Cost"):
            t0 = float(page.evaluate("performance.now()"))
            group_button(page, view).click()
            settle(page, t0)
            shot(page, "view-" + view.lower().replace(" ", "-"))

        # slider moves: the log-scale traffic slider steps 0.3 -> 0.5 and the number box follows
        settle(page, press_slider(page, "requests/s (log scale)", "ArrowRight"))
        assert slider_value(page, "requests/s (log scale)") == "0.5" and number(page, "requests/s") == "0.500"
        before = metric(page, "monthly cost")
        settle(page, press_slider(page, "tasks min..max", "ArrowRight", index=1))
        assert slider_value(page, "tasks min..max", index=1) == "6"
        settle(page, press_slider(page, "scale out above CPU %", "ArrowLeft"))
        assert slider_value(page, "scale out above CPU %") == "69"
        assert metric(page, "monthly cost") != "" and before != ""
        shot(page, "slider-moves")

        for stack in ("ECS on EC2 + ALB", "ECS on Fargate + ALB", "Lambda + API Gateway"):
            group_button(page, stack).click()
            settle(page, 0.0)
        assert page.locator('[data-testid="stDataFrame"]').count() >= 2  # the bill and the comparison
        assert "Monthly cost by stack" in page.inner_text("body")
        shot(page, "compare-three")

        page.get_by_role("button", name="Recommend", exact=True).click()
        page.get_by_text("Recommended:").wait_for(timeout=600_000)
        settle(page, 0.0)
        shot(page, "recommend")
        recommended = page.get_by_text("Recommended:").inner_text()
        page.get_by_role("button", name="Apply to sidebar", exact=True).click()
        settle(page, 0.0)
        lo, hi = slider_value(page, "tasks min..max", 0), slider_value(page, "tasks min..max", 1)
        assert f"tasks {lo}-{hi}" in recommended, recommended
        shot(page, "apply-to-sidebar")

        with page.expect_download() as download:
            page.get_by_role("button", name="Download the recommended plan.json").click()
        target = ARTIFACTS / "recommended-plan.json"
        download.value.save_as(target)
        plan = Plan.model_validate_json(target.read_text())
        assert (plan.container.tasks.min, plan.container.tasks.max) == (int(lo), int(hi))
        page.wait_for_timeout(500)
        assert page.get_by_text("Recommended:").count() == 1  # the download keeps the page
        shot(page, "download")

        uploader = page.locator('[data-testid="stFileUploaderDropzoneInput"]')
        good = b"requests\n" + b"".join(b"%d\n" % (20 + (i % 30)) for i in range(180))
        uploader.set_input_files(files=[{"name": "my_shop.csv", "mimeType": "text/csv", "buffer": good}])
        page.get_by_text("my_shop.csv", exact=False).first.wait_for()
        settle(page, 0.0)
        assert "Replaying my_shop.csv" in page.inner_text('[data-testid="stSidebar"]')
        assert page.locator('[data-testid="stAlertContentError"]').count() == 0
        shot(page, "upload-good")

        bad = b"requests\n5\n-3\n"
        uploader.set_input_files(files=[{"name": "broken.csv", "mimeType": "text/csv", "buffer": bad}])
        page.get_by_text("counts must be numbers").first.wait_for()
        assert "traffic.csv='broken.csv': column 'requests' row 3 is" in page.inner_text("body")  # named as uploaded
        settle(page, 0.0)
        assert metric(page, "monthly cost").startswith("$")  # the results stay on the page
        shot(page, "upload-bad")
        browser.close()
