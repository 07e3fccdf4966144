"""The algorithm form in a browser: filling the table from --help merges into the rows a
person typed, the search algorithms keep the order they were ticked in, an int bound no
search can hold is refused on its cell, and the code package is marked required."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.browser import (
    add_hyperparameter,
    login,
    screenshot,
    wait_for_status,
    write_script,
)

DIGITS = Path(__file__).resolve().parents[2] / "examples" / "digits_sgd"


def test_filling_from_help_keeps_the_typed_rows_and_adds_the_missing_ones(page: Any) -> None:
    login(page, "alice")
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill("digits-review")
    page.get_by_test_id("code-source-server").check()
    page.get_by_test_id("server-path").fill(str(DIGITS))
    page.get_by_test_id("boot-file").fill("train.py")
    add_hyperparameter(page, name="eta0", type="float", default="0.01", min="0.0001", max="1")
    add_hyperparameter(page, name="epochs", type="int", default="30", min="5", max="100")
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/algorithms/\d+/$"))
    wait_for_status(page, "digits-review", "Ready", timeout=120)
    page.get_by_role("link", name="digits-review").click()
    offer = page.get_by_test_id("help-offer")
    expect(offer).to_contain_text("lists 7 options; not in the table: --alpha, --schedule")
    expect(offer).to_contain_text("--seed")
    expect(offer).to_contain_text("--data_url, --train_url (a data location")
    screenshot(page, "algorithm-detail-help-offer")

    page.get_by_test_id("edit-algorithm").click()
    rows = page.get_by_test_id("hp-row")
    rows.nth(1).locator("[data-col=description]").fill("typed, not saved yet")
    page.get_by_test_id("fill-from-help").click()

    report = page.get_by_test_id("filled-from-help")
    expect(report).to_be_visible()
    expect(page.get_by_test_id("merge-added")).to_have_text(
        "Added: alpha, schedule, penalty, average, seed."
    )
    expect(rows).to_have_count(7)
    eta0, epochs, seed = rows.nth(0), rows.nth(1), rows.nth(6)
    expect(eta0.locator("[data-col=min]")).to_have_value("0.0001")
    expect(eta0.locator("[data-col=max]")).to_have_value("1")
    expect(epochs.locator("[data-col=min]")).to_have_value("5")
    expect(epochs.locator("[data-col=max]")).to_have_value("100")
    expect(epochs.locator("[data-col=description]")).to_have_value("typed, not saved yet")
    expect(seed.locator("[data-col=name]")).to_have_value("seed")
    expect(seed.locator("[data-col=type]")).to_have_value("int")
    expect(seed.locator("[data-col=default]")).to_have_value("0")
    expect(rows.nth(3).locator("[data-col=default]")).to_have_value("invscaling")
    expect(rows.nth(5).locator("[data-col=type]")).to_have_value("bool")
    expect(page.locator("tr[data-mark=added]")).to_have_count(5)
    screenshot(page, "algorithm-merged-from-help")

    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/algorithms/\d+/$"))
    saved = page.get_by_test_id("hyperparameter-row")
    expect(saved).to_have_count(7)
    expect(saved.nth(1)).to_contain_text("typed, not saved yet")
    expect(page.get_by_test_id("help-offer")).to_contain_text("all in the table")


def test_search_algorithms_keep_the_order_they_were_ticked_in(
    page: Any, tmp_path: Path
) -> None:
    login(page, "alice")
    page.goto("/algorithms/create/")
    expect(page.locator("label[for=id_code]")).to_have_class("required")
    expect(page.get_by_text("Code package")).to_be_visible()
    page.get_by_test_id("name").fill("ticked-order")
    page.get_by_test_id("code-file").set_input_files(str(write_script(tmp_path)))
    page.get_by_test_id("boot-file").fill("train.py")
    add_hyperparameter(page, name="lr", type="float", default="0.1", min="0.001", max="1")
    page.get_by_test_id("auto-search-switch").click()
    page.get_by_test_id("metric-name").fill("accuracy")
    page.get_by_test_id("metric-regex").fill(r"accuracy=([0-9.]+)")

    page.get_by_test_id("sa-tpe").check()
    page.get_by_test_id("sa-random").check()
    expect(page.get_by_test_id("sa-tpe-order")).to_have_text("1 · default")
    expect(page.get_by_test_id("sa-random-order")).to_have_text("2")
    expect(page.get_by_test_id("sa-grid-order")).to_be_hidden()
    screenshot(page, "algorithm-search-order")
    page.get_by_test_id("sa-tpe").uncheck()
    expect(page.get_by_test_id("sa-random-order")).to_have_text("1 · default")
    page.get_by_test_id("sa-tpe").check()
    expect(page.get_by_test_id("sa-tpe-order")).to_have_text("2")

    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/algorithms/\d+/$"))
    expect(page.locator(".algo-summary .tag")).to_have_text(["random", "tpe"])


def test_an_int_bound_no_search_can_hold_is_refused_on_its_cell(
    page: Any, tmp_path: Path
) -> None:
    login(page, "alice")
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill("huge-bound")
    page.get_by_test_id("code-file").set_input_files(str(write_script(tmp_path)))
    page.get_by_test_id("boot-file").fill("train.py")
    huge = "99999999999999999999999"
    add_hyperparameter(page, name="epochs", type="int", default="30", min="5", max=huge)
    page.get_by_test_id("submit").click()

    row = page.get_by_test_id("hp-row").nth(0)
    expect(row).to_contain_text(f"max must be within +-2**53, got max={huge}")
    expect(row.locator("[data-col=max]")).to_have_value(huge)
    expect(page.get_by_test_id("pending-code")).to_contain_text("train.py")
    screenshot(page, "algorithm-int-bound-refused")
