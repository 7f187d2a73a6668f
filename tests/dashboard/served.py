"""The dashboard served by Streamlit and driven in Debian's Chromium through Playwright: start and stop
the server, read and set widgets by their labels, and time a change until the last chart has drawn."""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).parents[2]
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
#: Records when the page last changed, and when a Plotly chart last changed (ms, performance.now()).
WATCH_DRAWS = """
window.__lastAny = 0; window.__lastPlot = 0;
new MutationObserver((records) => {
  const now = performance.now();
  window.__lastAny = now;
  for (const r of records) {
    const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
    if (el && el.closest && el.closest('.js-plotly-plot')) { window.__lastPlot = now; break; }
  }
}).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def chromium() -> str:
    path = shutil.which("chromium")
    assert path, "Chromium is missing: `make browser` installs Debian's chromium package"
    return path


@contextlib.contextmanager
def dashboard(timeout_s: float = 90) -> Iterator[str]:
    """Serve app_streamlit.py on a free port; yields its URL and stops the server afterwards."""
    port = free_port()
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(ROOT / "app_streamlit.py"),
        "--server.headless",
        "true",
        "--server.address",
        "127.0.0.1",
        "--server.port",
        str(port),
        "--browser.gatherUsageStats",
        "false",
    ]
    server = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + timeout_s
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            assert time.time() < deadline and server.poll() is None, "Streamlit did not start"
            time.sleep(0.3)
        yield f"http://127.0.0.1:{port}/"
    finally:
        server.terminate()
        server.wait(timeout=20)


def open_page(browser: Any, url: str, width: int = 1280, height: int = 900) -> Any:
    page = browser.new_page(viewport={"width": width, "height": height})
    page.add_init_script(WATCH_DRAWS)
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector(".js-plotly-plot", timeout=180_000)
    settle(page, 0.0)
    return page


def settle(page: Any, t0_ms: float, quiet_ms: float = 600, timeout_s: float = 600) -> float:
    """Wait until the script has finished and nothing has changed for ``quiet_ms``; returns the seconds
    from ``t0_ms`` until the last chart drew (or until the page last changed, if no chart did)."""
    deadline = time.time() + timeout_s
    while True:
        running = page.locator('[data-testid="stStatusWidget"]').count() > 0
        stale = page.locator('[data-stale="true"]').count() > 0
        now, last_any, last_plot = page.evaluate("[performance.now(), window.__lastAny, window.__lastPlot]")
        if not running and not stale and now - last_any >= quiet_ms and last_any > t0_ms:
            end = last_plot if last_plot > t0_ms else last_any
            return float(end - t0_ms) / 1000
        assert time.time() < deadline, "the dashboard did not settle"
        page.wait_for_timeout(50)


def now_ms(page: Any) -> float:
    return float(page.evaluate("performance.now()"))


def choose(page: Any, label: str, option: str) -> float:
    """Pick ``option`` in the selectbox ``label``; returns the page time just before the pick."""
    box = page.get_by_role("combobox", name=label, exact=True)
    box.focus()
    box.press("ArrowDown")  # opens the list from the keyboard (a click can land while another popup closes)
    option_el = page.get_by_role("option", name=option, exact=True)
    t0 = now_ms(page)
    option_el.click()
    return t0


def selected(page: Any, label: str) -> str:
    return str(page.get_by_role("combobox", name=label, exact=True).input_value())


def press_slider(page: Any, label: str, key: str, index: int = 0) -> float:
    thumb = _thumbs(page, label).nth(index)
    thumb.focus()
    t0 = now_ms(page)
    thumb.press(key)
    return t0


def slider_value(page: Any, label: str, index: int = 0) -> str:
    return str(_thumbs(page, label).nth(index).get_attribute("aria-valuetext"))


def _thumbs(page: Any, label: str) -> Any:
    """A slider's thumbs: one, or a range's start and end (labelled "<label> — start" / "— end")."""
    return page.locator(f'input[type="range"][aria-label="{label}"], input[type="range"][aria-label^="{label} — "]')


def type_number(page: Any, label: str, value: str) -> float:
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    t0 = now_ms(page)
    box.press("Enter")
    return t0


def number(page: Any, label: str) -> str:
    return str(page.get_by_label(label, exact=True).input_value())


def metric(page: Any, label: str) -> str:
    card = page.locator('[data-testid="stMetric"]').filter(
        has=page.locator('[data-testid="stMetricLabel"]', has_text=label)
    )
    return str(card.locator('[data-testid="stMetricValue"]').first.inner_text()).strip()


def exceptions(page: Any) -> int:
    return int(page.locator(".stException").count())


def group_button(page: Any, text: str) -> Any:
    """A segmented-control or pills option by its exact text."""
    return page.locator('[data-testid="stButtonGroup"] button').filter(has=page.get_by_text(text, exact=True))
