"""Submissions too large to read, as a person meets them on the create-algorithm page.

A 20 MB sample log pasted into the form: the page comes back with the message on the
field and everything else kept. A package over the whole body limit (a console started
with a 2 MB limit): the console's 413 page with the limit, and nothing saved.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import login, screenshot, write_script
from tests.support.live import LiveConsole

MB = 1024 * 1024


def _fill_the_form(page: Any, script: Path, name: str) -> None:
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill(name)
    page.get_by_test_id("description").fill("Typed once, kept across the refusal.")
    page.get_by_test_id("code-file").set_input_files(str(script))
    page.get_by_test_id("boot-file").fill("train.py")


def test_a_20_mb_sample_log_is_refused_on_its_field_and_the_rest_is_kept(
    page: Any, tmp_path: Path
) -> None:
    login(page, "alice")
    _fill_the_form(page, write_script(tmp_path), "big-log")
    page.get_by_test_id("auto-search-switch").click()
    page.get_by_test_id("metric-name").fill("accuracy")
    page.get_by_test_id("metric-regex").fill(r"accuracy=([0-9.]+)")
    page.get_by_test_id("sa-random").check()
    # Pasting 20 MB through the keyboard would take minutes: the value is set as a paste does.
    page.get_by_test_id("sample-log").evaluate(
        "(el, n) => { el.value = 'epoch 1 accuracy=0.5\\n'.repeat(n); }", 20 * MB // 21 + 1
    )
    # Chromium takes tens of seconds to send a 20 MB textarea on a busy machine.
    page.get_by_test_id("submit").click(timeout=180_000)

    expect(page.get_by_test_id("form-errors")).to_contain_text("The algorithm was not saved")
    field = page.locator(".field:has([data-testid=sample-log])")
    # 21 MB as sent: the browser sends each line's end as CRLF.
    expect(field).to_contain_text(re.compile(r"The sample log you pasted is 2\d\.\d MB"))
    expect(field).to_contain_text("nothing was saved")
    expect(page.get_by_test_id("name")).to_have_value("big-log")
    expect(page.get_by_test_id("description")).to_have_value("Typed once, kept across the refusal.")
    expect(page.get_by_test_id("metric-regex")).to_have_value(r"accuracy=([0-9.]+)")
    expect(page.get_by_test_id("pending-code")).to_contain_text("train.py")
    screenshot(page, "algorithm-create-sample-log-too-large")

    page.get_by_test_id("sample-log").fill("epoch 1 accuracy=0.5\n")
    page.get_by_test_id("submit").click()
    expect(page.get_by_role("heading", name="big-log")).to_be_visible()


@pytest.fixture(scope="module")
def small_limit_console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveConsole]:
    console = LiveConsole(
        tmp_path_factory.mktemp("small-limit"), env_overrides={"MAX_REQUEST_MB": "2"}
    ).start()
    yield console
    console.stop()


def test_a_package_over_the_body_limit_gets_the_console_page_with_the_limit(
    browser: Any, small_limit_console: LiveConsole, tmp_path: Path
) -> None:
    context = browser.new_context(base_url=small_limit_console.url)
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        login(page, "alice")
        package = tmp_path / "big.zip"
        package.write_bytes(b"\0" * (5 * MB))
        _fill_the_form(page, package, "too-big")
        page.get_by_test_id("submit").click()

        expect(page.get_by_test_id("error-page")).to_contain_text("413")
        expect(page.get_by_test_id("error-message")).to_contain_text(
            "this page accepts at most 2 MB in one submission"
        )
        expect(page.get_by_test_id("error-message")).to_contain_text("nothing was saved")
        screenshot(page, "algorithm-create-body-too-large")
        page.goto("/algorithms/")
        expect(page.get_by_test_id("empty-state")).to_be_visible()
    finally:
        context.close()
