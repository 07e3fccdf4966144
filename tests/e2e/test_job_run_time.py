"""A job's elapsed time counts only its running time, in Chromium against a real console:
while the job is paused, the job page's Elapsed stays still and no time left is shown
counting down (though a trial has ended, which gives a running job one); after it is
resumed it grows again."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.api import ApiClient
from tests.support.browser import login, slow_algorithm, start_job
from tests.support.live import LiveConsole


@pytest.fixture(scope="module")
def algorithm(live_console: LiveConsole, tmp_path_factory: pytest.TempPathFactory) -> int:
    return slow_algorithm(live_console, tmp_path_factory.mktemp("run-time-code"), "run-time")


def elapsed_text(page: Any) -> str:
    return str(page.get_by_test_id("elapsed").inner_text())


def wait_status(api: ApiClient, job: int, status: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        _, body = api.request("GET", f"/api/v1/training-jobs/{job}/")
        if body["status"] == status:
            return
        time.sleep(0.3)
    raise AssertionError(f"job {job} not {status}: {body['status']}")


def test_a_paused_jobs_elapsed_time_stands_still(
    page: Any, algorithm: int, api: ApiClient, jobs: list[int]
) -> None:
    job = start_job(api, algorithm, "run time", trials=4, reports=8, concurrent=1)
    jobs.append(job)
    wait_status(api, job, "running")
    # One trial ended first, so a running job would show an estimate of the time left.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        _, body = api.request("GET", f"/api/v1/training-jobs/{job}/")
        if body["trial_counts"].get("completed", 0) >= 1:
            break
        time.sleep(0.3)
    else:
        raise AssertionError(f"no trial of job {job} completed: {body['trial_counts']}")
    status, body = api.request("POST", f"/api/v1/training-jobs/{job}/pause/", {})
    assert status in (200, 202), body
    wait_status(api, job, "paused")
    _, paused = api.request("GET", f"/api/v1/training-jobs/{job}/")

    login(page, "alice")
    page.goto(f"/training-jobs/{job}/")
    expect(page.get_by_test_id("elapsed")).to_be_visible(timeout=15_000)
    first = elapsed_text(page)
    page.wait_for_timeout(3_000)
    assert elapsed_text(page) == first  # no running time passes while paused
    assert page.get_by_test_id("eta").count() == 0
    # The page's figure is the server's running time, not the time since the start.
    seconds = paused["run_seconds"]
    assert seconds < 90 and re.search(r"\d+ s", first), (first, seconds)
    assert "paused stretches" in str(page.get_by_test_id("elapsed").get_attribute("title"))

    status, body = api.request("POST", f"/api/v1/training-jobs/{job}/resume/", {})
    assert status in (200, 202), body
    page.wait_for_function(
        "(first) => { const n = document.querySelector('[data-testid=elapsed]');"
        " return n && n.innerText !== first; }",
        arg=first,
        timeout=20_000,
    )
