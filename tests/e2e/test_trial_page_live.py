"""A trial's page follows the trial from queued to ended without a reload, in Chromium
against a real console: opened while the trial waits for a worker, it shows the start
time, its command line and a ticking duration once the trial runs; at the trial's end the
header's badge shows the final status, the Run card its exit code and end, a reason
banner says why it stopped, the Stop early button and the log's Follow box go and the live
marker says it ended: all as a reload draws the page.
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


def worker_slots(console: LiveConsole) -> int:
    """Trials the console runs at once: serve's two worker threads, or in scale mode two
    threads in each run_huey process."""
    return console.workers * 2 if console.database else 2


def test_a_queued_trials_page_follows_it_to_its_end(
    page: Any,
    algorithm: int,
    api: ApiClient,
    jobs: list[int],
    problems: list[str],
    live_console: LiveConsole,
) -> None:
    # One trial more than the console's worker slots, all at once: the last one waits.
    last = worker_slots(live_console) + 1
    job = start_job(api, algorithm, "queued trial page", trials=last, reports=16, concurrent=last)
    jobs.append(job)
    listed = api.wait_for(
        f"/api/v1/training-jobs/{job}/trials/",
        lambda body: any(t["number"] == last for t in _rows(body)),
        timeout=30,
    )
    waiting = next(t for t in _rows(listed) if t["number"] == last)
    assert waiting["status"] == "queued", waiting
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/trials/{last}/")

    header = page.get_by_test_id("trial-status")
    started = page.get_by_test_id("trial-started")
    duration = page.get_by_test_id("trial-duration")
    expect(header).to_have_text("Queued")
    expect(page.get_by_test_id("live-state")).to_have_text("Live", timeout=15_000)
    expect(started).to_have_text("not yet")
    expect(duration).to_have_text("—")
    expect(page.get_by_test_id("command-pending")).to_have_text("Written when the trial starts.")
    expect(page.get_by_test_id("log-follow")).to_be_enabled()
    expect(page.get_by_test_id("log-help")).to_contain_text("The trial is queued")
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
    expect(page.get_by_test_id("log-help")).to_contain_text("The trial is running")
    # Known once it starts: the command line it runs; no exit code yet.
    expect(page.get_by_test_id("command-line")).to_contain_text("train.py --lr=")
    expect(page.get_by_test_id("command-pending")).to_have_count(0)
    expect(page.get_by_test_id("trial-exit-code")).to_have_text("—")
    expect(page.get_by_test_id("trial-finished")).to_have_count(0)
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
    expect(page.get_by_test_id("trial-exit-code")).to_have_text("0")
    expect(page.get_by_test_id("trial-finished")).to_have_text(DATE_TIME)
    expect(page.get_by_test_id("command-line")).to_contain_text("train.py --lr=")
    expect(page.get_by_test_id("trial-reason")).to_have_count(0)  # completed: no reason
    # The whole log is in (its last report among it): nothing is left to follow.
    expect(page.get_by_test_id("log-follow")).to_have_count(0)
    expect(page.get_by_test_id("trial-log")).to_contain_text("epoch 16 accuracy=")
    final = duration.inner_text()
    page.wait_for_timeout(1500)
    assert duration.inner_text() == final
    screenshot(page, "trial-page-ended")

    # The swapped-in command line's Copy button copies it.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_test_id("copy-command").click()
    expect(page.get_by_test_id("copy-command")).to_have_text("Copied")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == page.get_by_test_id("command-line").inner_text()
    expect(page.get_by_test_id("copy-command")).to_have_text("Copy")

    # A reload draws the same: the live page said what the server now says.
    shown = _shown(page)
    page.reload()
    assert _shown(page) == shown
    expect(page.get_by_test_id("stop-trial")).to_have_count(0)


def test_a_trial_stopped_while_its_page_is_open_shows_why_and_how_it_ended(
    page: Any, algorithm: int, api: ApiClient, jobs: list[int], problems: list[str]
) -> None:
    job = start_job(api, algorithm, "stopped trial page", trials=1, reports=200)
    jobs.append(job)
    listed = api.wait_for(
        f"/api/v1/training-jobs/{job}/trials/",
        lambda body: any(t["status"] == "running" for t in _rows(body)),
        timeout=30,
    )
    trial = _rows(listed)[0]
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/trials/1/")
    expect(page.get_by_test_id("live-state")).to_have_text("Live", timeout=15_000)
    expect(page.get_by_test_id("trial-value")).to_contain_text("latest, report", timeout=15_000)
    expect(page.get_by_test_id("trial-reason")).to_have_count(0)
    expect(page.get_by_test_id("best-tag")).to_have_count(0)  # nothing scored yet

    # Stopped from elsewhere (the API, as the CLI does): the page is not reloaded.
    status, body = api.request("POST", f"/api/v1/trials/{trial['id']}/stop/")
    assert status == 200, body
    header = page.get_by_test_id("trial-status")
    expect(header).to_have_text("Early stopped", timeout=30_000)
    reason = page.get_by_test_id("trial-reason")
    expect(reason).to_have_text(re.compile(r"^Stopped by the user at report \d+\.$"))
    expect(reason).to_have_class(re.compile(r"\balert-warning\b"))
    expect(page.get_by_test_id("trial-finished")).to_have_text(DATE_TIME)
    expect(page.get_by_test_id("trial-value")).not_to_contain_text("latest")
    expect(page.get_by_test_id("log-follow")).to_have_count(0)
    expect(page.get_by_test_id("stop-trial")).to_have_count(0)
    # Its last report scores it, the job's only scored trial: the best of the job.
    expect(page.get_by_test_id("best-tag")).to_have_text("best of the job")
    screenshot(page, "trial-page-stopped")

    shown = _shown(page)
    page.reload()
    assert _shown(page) == shown


def test_stop_early_on_the_trial_page_leaves_no_message_for_later_pages(
    page: Any, algorithm: int, api: ApiClient, jobs: list[int], problems: list[str]
) -> None:
    job = start_job(api, algorithm, "stop early from the page", trials=1, reports=200)
    jobs.append(job)
    api.wait_for(
        f"/api/v1/training-jobs/{job}/trials/",
        lambda body: any(t["status"] == "running" for t in _rows(body)),
        timeout=30,
    )
    login(page, "alice")
    page.goto(f"/training-jobs/{job}/trials/1/")
    expect(page.get_by_test_id("live-state")).to_have_text("Live", timeout=15_000)
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("stop-trial").click()
    expect(page.get_by_test_id("trial-status")).to_have_text("Early stopped", timeout=30_000)
    expect(page.locator(".messages")).to_have_count(0)
    # The stop was asked by the page's script: no "being stopped" on the next page drawn.
    page.goto(f"/training-jobs/{job}/")
    expect(page.get_by_test_id("job-status")).to_be_visible()
    expect(page.locator(".messages")).to_have_count(0)
    assert "is being stopped" not in page.content()


def _shown(page: Any) -> dict[str, str]:
    """What the page shows of the parts a trial's start and end change, and its log's
    header (no Follow box once it ended)."""
    parts = page.locator("[data-trial-part]")
    shown = {
        parts.nth(i).get_attribute("data-trial-part"): " ".join(parts.nth(i).inner_text().split())
        for i in range(parts.count())
    }
    shown["log-tools"] = " ".join(page.locator(".log-tools").inner_text().split())
    return shown


def _rows(body: Any) -> list[dict[str, Any]]:
    return list(body["results"] if isinstance(body, dict) else body)
