"""The job page's trial table shows a running trial's latest report, marked as the latest."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.api import ApiClient
from tests.support.browser import login, screenshot, slow_algorithm, start_job
from tests.support.live import LiveConsole


@pytest.fixture(scope="module")
def algorithm(live_console: LiveConsole, tmp_path_factory: pytest.TempPathFactory) -> int:
    return slow_algorithm(live_console, tmp_path_factory.mktemp("latest-code"), "latest-value")


def _reported(params: dict[str, Any], report: int) -> float:
    """What the SLOW script prints as accuracy at ``report``."""
    return round(1 - 0.5 / (report * params["lr"] * 10 + params["layers"]), 5)


def _latest_cell(page: Any, params: dict[str, Any]) -> int:
    """Check the running row's muted latest value against the script's; its report."""
    latest = page.locator("[data-testid=trial-row][data-status=running]").first.get_by_test_id(
        "trial-latest"
    )
    expect(latest).to_have_attribute("title", re.compile(r"^latest, report \d+$"))
    expect(latest).to_have_class(re.compile(r"\bmuted\b"))
    report = int((latest.get_attribute("title") or "").rsplit(" ", 1)[1])
    value = float(latest.inner_text())
    # The cell may have moved on one report between the two reads.
    assert value in (_reported(params, report), _reported(params, report + 1))
    return report


def test_running_trial_shows_its_latest_report_live_and_after_a_reload(
    page: Any, algorithm: int, api: ApiClient, jobs: list[int], problems: list[str]
) -> None:
    job = start_job(api, algorithm, "latest value", trials=1, reports=100)
    jobs.append(job)
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/")
    expect(page.get_by_test_id("live-state")).to_have_text("Live", timeout=15_000)
    running = page.locator("[data-testid=trial-row][data-status=running]")
    expect(running.get_by_test_id("trial-latest")).to_be_visible(timeout=60_000)
    status, body = api.request("GET", f"/api/v1/training-jobs/{job}/trials/")
    assert status == 200, body
    trials = body["results"] if isinstance(body, dict) else body
    params = trials[0]["params"]

    first = _latest_cell(page, params)
    page.wait_for_timeout(1500)
    assert _latest_cell(page, params) > first  # it follows the reports live
    screenshot(page, "trial-table-latest")

    # A page opened while the trial runs shows it straight away (from the metric request).
    page.reload()
    expect(running.get_by_test_id("trial-latest")).to_be_visible(timeout=15_000)
    assert _latest_cell(page, params) > first
