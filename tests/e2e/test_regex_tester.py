"""The regex tester on the algorithm form never shows another sample's matches."""

from __future__ import annotations

from typing import Any

from playwright.sync_api import expect

from tests.support.browser import login, screenshot

LOSS_LOG = "loss: 0.5\nloss: 0.4\n"
MAP_TABLE = "| epoch | loss | mAP |\n|---|---|---|\n| 1 | 0.5 | 0.61 |\n| 2 | 0.4 | 0.65 |\n"


def test_failed_generate_clears_the_old_matches_and_a_table_column_is_read(page: Any) -> None:
    login(page, "alice")
    page.goto("/algorithms/create/")
    page.get_by_test_id("auto-search-switch").click()
    page.get_by_test_id("metric-name").fill("loss")
    page.get_by_test_id("sample-log").fill(LOSS_LOG)
    page.get_by_test_id("smart-generate").click()
    feedback = page.get_by_test_id("regex-feedback")
    expect(feedback).to_have_text("2 of 2 lines give a value.")
    expect(page.get_by_test_id("regex-match").locator(".value")).to_have_text(["0.5", "0.4"])

    # A metric the new sample never prints: the message, and no table of the old sample.
    page.get_by_test_id("metric-name").fill("mAP")
    page.get_by_test_id("sample-log").fill("epoch 1 done\nepoch 2 done\n")
    page.get_by_test_id("smart-generate").click()
    expect(feedback).to_contain_text("No line of the sample prints “mAP”")
    expect(page.get_by_test_id("regex-match")).to_have_count(0)
    screenshot(page, "regex-tester-failed-generate")

    # A table with a header row: its mAP column is read.
    page.get_by_test_id("sample-log").fill(MAP_TABLE)
    page.get_by_test_id("smart-generate").click()
    expect(feedback).to_have_text("2 of 4 lines give a value.")
    expect(page.get_by_test_id("regex-match").locator(".value")).to_have_text(["0.61", "0.65"])
    expect(page.get_by_test_id("regex-description")).to_contain_text("column 3 of 3")
