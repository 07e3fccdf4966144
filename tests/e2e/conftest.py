"""Browser tests: headless Chromium (Debian's) driven by Playwright against a live console.

Screenshots of every page visited land in test-artifacts/screenshots/ (not committed).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.api import ApiClient
from tests.support.live import LiveConsole

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def live_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    console = LiveConsole(tmp_path_factory.mktemp("live-console")).start()
    yield console
    console.stop()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"Chromium not found at {CHROMIUM}; CI must install Debian's chromium")
        pytest.skip(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, live_console: LiveConsole) -> Iterator[Any]:
    context = browser.new_context(
        base_url=live_console.url, viewport={"width": 1400, "height": 900}
    )
    context.set_default_timeout(15_000)
    pg = context.new_page()
    yield pg
    context.close()


@pytest.fixture(scope="module")
def api(live_console: LiveConsole) -> ApiClient:
    """Alice's REST API session on the live console."""
    return ApiClient.login(live_console.url, "alice")


@pytest.fixture
def jobs(api: ApiClient) -> Iterator[list[int]]:
    """The jobs a test starts, canceled when it ends (pass or fail): the console's worker
    slots are the next test's."""
    started: list[int] = []
    yield started
    for job in started:
        api.request("POST", f"/api/v1/training-jobs/{job}/cancel/")


@pytest.fixture
def problems(page: Any) -> Iterator[list[str]]:
    """Script errors and console errors of the page: none is expected."""
    found: list[str] = []
    page.on("pageerror", lambda exc: found.append(f"pageerror: {exc}"))
    page.on("console", lambda m: found.append(f"console: {m.text}") if m.type == "error" else None)
    yield found
    assert found == []
