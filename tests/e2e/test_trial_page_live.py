"""A trial's page follows the trial from queued to ended without a reload, in Chromium
against a real console: opened while the trial waits for a worker, it shows the start
time and a ticking duration once the trial runs; at the trial's end the header's badge
shows the final status, the Stop early button goes and the live marker says it ended.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.api import ApiClient
from tests.support.browser import login, screenshot, slow_algorithm, start_job
from tests.support.live import LiveConsole

# Django's "Y-m-d H:i:s", as the server writes the start and the page's script too.
DATE_TIME = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$")


@pytest.fixture(scope="module")
def algorithm(live_console: LiveConsole, tmp_path_factory: pytest.TempPathFactory) -> int:
    folder = tmp_path_factory.mktemp("trial-page-code")
    return slow_algorithm(live_console, folder, "trial-page-live")


def test_a_queued_trials_page_follows_it_to_its_end(
    page: Any, algorithm: int, api: ApiClient, jobs: list[int], problems: list[str]
) -> None:
    # Three trials at once on the console's two worker threads: the third waits.
    job = start_job(api, algorithm, "queued trial page", trials=3, reports=16, concurrent=3)
    jobs.append(job)
    listed = api.wait_for(
        f"/api/v1/training-jobs/{job}/trials/",
        lambda body: any(t["number"] == 3 for t in _rows(body)),
        timeout=30,
    )
    third = next(t for t in _rows(listed) if t["number"] == 3)
    assert third["status"] == "queued", third
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/trials/3/")

    header = page.get_by_test_id("trial-status")
    started = page.get_by_test_id("trial-started")
    duration = page.get_by_test_id("trial-duration")
    expect(header).to_have_text("Queued")
    expect(page.get_by_test_id("live-state")).to_have_text("Live", timeout=15_000)
    expect(started).to_have_text("not yet")
    expect(duration).to_have_text("—")
    screenshot(page, "trial-page-queued")

    # It runs once a worker is free: the start time, and a duration that ticks.
    expect(header).to_have_text("Running", timeout=30_000)
    expect(started).to_have_text(DATE_TIME)
    expect(page.get_by_test_id("trial-run").locator(".badge")).to_have_text("Running")
    expect(duration).to_have_text(re.compile(r"^\d+ s$"))
    ticked = duration.inner_text()
    page.wait_for_timeout(1500)
    assert duration.inner_text() != ticked
    expect(page.get_by_test_id("stop-trial")).to_be_visible()
    screenshot(page, "trial-page-running")

    # Its end: the header says so as the Run card does, nothing is left to stop.
    expect(header).to_have_text("Completed", timeout=30_000)
    expect(header).to_have_class(re.compile(r"\bbadge-completed\b"))
    expect(page.get_by_test_id("trial-run").locator(".badge")).to_have_text("Completed")
    expect(page.get_by_test_id("stop-trial")).to_have_count(0)
    live = page.get_by_test_id("live-state")
    expect(live).to_have_text("Ended")
    expect(live).to_have_attribute("data-state", "ended")
    expect(page.get_by_test_id("trial-value")).not_to_contain_text("latest")
    final = duration.inner_text()
    page.wait_for_timeout(1500)
    assert duration.inner_text() == final
    screenshot(page, "trial-page-ended")

    # A reload draws the same: the live page said what the server now says.
    shown = (header.inner_text(), started.inner_text(), final)
    page.reload()
    assert (header.inner_text(), started.inner_text(), duration.inner_text()) == shown
    expect(page.get_by_test_id("stop-trial")).to_have_count(0)


def _rows(body: Any) -> list[dict[str, Any]]:
    return list(body["results"] if isinstance(body, dict) else body)
