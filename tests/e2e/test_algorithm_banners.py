"""Algorithm pages say things up front: no 'created' banner beside a Failed badge, and a
delete page that names the jobs using the algorithm, its Delete button disabled."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.api import ApiClient
from tests.support.browser import add_hyperparameter, login, screenshot, slow_algorithm, start_job
from tests.support.live import LiveConsole


def test_a_package_that_fails_its_check_shows_no_created_banner(
    page: Any, tmp_path: Path, problems: list[str]
) -> None:
    bad = tmp_path / "code.zip"
    with zipfile.ZipFile(bad, "w") as zf:
        zf.writestr("train.py", "print(1)\n")
        zf.writestr("/etc/evil.py", "")
    login(page, "alice")
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill("fails-its-check")
    page.get_by_test_id("code-file").set_input_files(str(bad))
    page.get_by_test_id("boot-file").fill("train.py")
    add_hyperparameter(page, name="lr", type="float", default="0.1", min="0.001", max="1")
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/algorithms/\d+/$"))
    success = page.locator(".alert-success")
    # Whichever state the check is in when the page is drawn, the banner matches it.
    if page.get_by_test_id("status").inner_text() == "Creating":
        expect(success).to_have_text("Algorithm 'fails-its-check' created; checking its package.")
    expect(page.get_by_test_id("status")).to_have_text("Failed", timeout=60_000)
    expect(page.get_by_test_id("status-reason")).to_contain_text("absolute path")
    expect(success).to_have_count(0)
    screenshot(page, "algorithm-failed-no-created-banner")


def test_delete_page_of_an_algorithm_in_use_says_so_before_the_click(
    page: Any,
    live_console: LiveConsole,
    api: ApiClient,
    jobs: list[int],
    tmp_path: Path,
    problems: list[str],
) -> None:
    algorithm = slow_algorithm(live_console, tmp_path, "in-use-by-a-job")
    jobs.append(start_job(api, algorithm, "uses the algorithm", trials=1, reports=5))
    login(page, "alice")
    page.goto(f"/algorithms/{algorithm}/delete/")
    expect(page.get_by_test_id("in-use")).to_have_text(
        "It cannot be deleted now: 1 training job uses it. Delete that job first."
    )
    button = page.get_by_test_id("confirm-delete")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("title", "Used by 1 training job")
    screenshot(page, "algorithm-delete-in-use")
