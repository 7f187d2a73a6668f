"""Uploading a folder's worth of ALB access logs in a real browser: the dashboard names the format it
found and forecasts the logged traffic."""

from __future__ import annotations

import shutil

import pytest

from tests.dashboard.served import CHROMIUM_FLAGS, ROOT, dashboard

ALB_LOG = next((ROOT / "examples" / "logs" / "alb").rglob("*.log.gz"))


@pytest.mark.browser
def test_uploading_an_alb_log_forecasts_its_traffic() -> None:
    chromium = shutil.which("chromium")
    assert chromium, "Chromium is missing: `make test` installs Debian's chromium package"
    from playwright.sync_api import sync_playwright

    with dashboard() as url, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_FLAGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url, wait_until="domcontentloaded")
        page.wait_for_selector(".js-plotly-plot", timeout=90_000)
        page.locator("input[type=file]").set_input_files(str(ALB_LOG))
        page.get_by_text("format: alb-log").wait_for(timeout=90_000)
        page.wait_for_selector(".js-plotly-plot", timeout=90_000)
        page.wait_for_timeout(1500)
        text = page.inner_text("body")
        exceptions = page.locator(".stException").count()
        errors = page.locator(".stAlert").all_inner_texts()
        browser.close()
    assert exceptions == 0 and not [e for e in errors if "Error" in e or "traffic.csv" in e], errors
    assert "monthly cost" in text
