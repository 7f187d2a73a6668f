"""Uploading a folder's worth of ALB access logs in a real browser: the dashboard names the format it
found and forecasts the logged traffic."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from tests.dashboard.served import CHROMIUM_FLAGS, ROOT, free_port

ALB_LOG = next((ROOT / "examples" / "logs" / "alb").rglob("*.log.gz"))


@contextmanager
def dashboard() -> Iterator[str]:
    port = free_port()
    cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app_streamlit.py"), "--server.headless", "true"]
    cmd += ["--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.time() < deadline and server.poll() is None, "Streamlit did not start"
            time.sleep(0.5)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=20)


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
