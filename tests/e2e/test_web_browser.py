"""End-to-end test of the dashboard in a real headless Chromium (Playwright driving the
system's Chromium; the README's test command installs it with ``apt-get install -y chromium``).

The test fills the form, runs a comparison, checks that the figures and numbers appear, and
saves a screenshot under ``tmp_path``.
"""

from __future__ import annotations

import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from somatosim.web import create_app

pytestmark = pytest.mark.e2e

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


class LiveServer:
    """A uvicorn server in a background thread, bound to an ephemeral port."""

    def __init__(self, app: Any) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/"
        config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=20)
        self.sock.close()


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    with LiveServer(create_app()) as live:
        yield live.url


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing: the browser test needs Debian's Chromium; install it "
            "with 'apt-get install -y chromium' (the README's test command does this)"
        )
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()


def test_dashboard_compares_two_scenarios(browser: Any, server_url: str, tmp_path: Path) -> None:
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    problems: list[str] = []
    page.on("pageerror", lambda err: problems.append(f"page error: {err}"))
    page.on(
        "console",
        lambda msg: (
            problems.append(f"console {msg.type}: {msg.text}") if msg.type == "error" else None
        ),
    )
    outside: list[str] = []
    page.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith((server_url, "data:", "blob:"))
            else None
        ),
    )

    page.goto(server_url)
    page.wait_for_selector("body[data-ready='1']", timeout=30_000)

    # the form shows units and ranges from the scenario schema
    assert "18–90 years" in page.inner_text("#form-baseline .sec-subject")
    assert page.get_attribute("#baseline-subject-age_years", "max") == "90"

    # describe the person and the plans
    page.fill("#days", "14")
    page.fill("#seed", "3")
    page.fill("#baseline-subject-age_years", "55")
    page.select_option("#baseline-subject-sex", "female")
    page.click("#copy-baseline")
    page.fill("#whatif-name", "short sleep, low protein, lifting")
    page.fill("#whatif-sleep-hours", "5")
    page.fill("#whatif-diet-protein_g_per_kg", "0.6")
    page.click("#form-whatif .sec-exercise > button")
    page.fill("#change-day", "4")
    page.click("#run")

    # the figures are drawn
    for fig in ("#fig-gh", "#fig-igf1", "#fig-sds", "#fig-secretion"):
        page.wait_for_selector(f"{fig} .main-svg", timeout=60_000)
    assert page.locator("#fig-gh .scatterlayer .trace").count() >= 2
    assert page.locator("#fig-gh .shapelayer path").count() >= 2  # sleep shading
    igf1_text = page.inner_text("#fig-igf1")
    assert "reference P2.5–P97.5, female 55 y" in igf1_text

    # the numbers appear
    rows = page.locator("#summary-table tbody tr")
    assert rows.count() >= 6
    igf1_row = page.locator("#summary-table tr[data-key='igf1_final_ng_ml'] td")
    baseline_igf1 = float(igf1_row.nth(1).inner_text().replace(",", ""))
    whatif_igf1 = float(igf1_row.nth(2).inner_text().replace(",", "").replace("−", "-"))
    assert 20 < baseline_igf1 < 600 and 20 < whatif_igf1 < 600
    assert re.search(r"\d", page.inner_text("#cards"))
    assert page.locator("#warnings").is_visible()

    page.wait_for_timeout(300)
    shot = tmp_path / "dashboard.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000

    # a CSV download of both runs
    with page.expect_download() as download:
        page.click("#dl-csv")
    saved = tmp_path / "comparison.csv"
    download.value.save_as(str(saved))
    lines = saved.read_text().splitlines()
    assert lines[0].startswith("scenario,day") and len(lines) == 1 + 2 * 14

    # an invalid field is reported by name, next to the form
    page.fill("#whatif-subject-age_years", "150")
    page.fill("#change-day", "0")
    page.click("#run")
    page.wait_for_selector("#messages:not([hidden])")
    assert "whatif: subject.age_years = 150 is out of range" in page.inner_text("#messages")
    assert "invalid" in (page.get_attribute("#whatif-subject-age_years", "class") or "")

    expected = [p for p in problems if "422" not in p]  # the invalid run above
    assert not expected, expected
    assert not outside, f"the page requested outside resources: {outside}"
    page.close()
