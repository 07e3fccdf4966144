"""Editing an algorithm (reordering rows, changing a default) and deleting it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.browser import (
    add_hyperparameter,
    create_algorithm,
    fill_hyperparameter,
    login,
    screenshot,
    write_script,
)


def hp_names(page: Any) -> Any:
    return page.get_by_test_id("hp-row").locator("[data-col=name]")


def test_edit_reorders_rows_and_changes_default(page: Any, tmp_path: Path) -> None:
    login(page, "alice")
    create_algorithm(page, "to-edit", write_script(tmp_path))
    detail_url = page.url

    page.get_by_test_id("edit-algorithm").click()
    expect(page.get_by_role("heading", name="Edit algorithm")).to_be_visible()
    expect(page.get_by_test_id("name")).to_have_value("to-edit")
    names = hp_names(page)
    expect(names.nth(0)).to_have_value("lr")
    expect(names.nth(1)).to_have_value("layers")

    add_hyperparameter(page, name="optimizer", type="str", default="adam", choices="adam, sgd")
    rows = page.get_by_test_id("hp-row")
    # Move "optimizer" to the top, then "lr" below "layers": optimizer, layers, lr.
    rows.nth(2).get_by_test_id("hp-up").click()
    rows.nth(1).get_by_test_id("hp-up").click()
    rows.nth(1).get_by_test_id("hp-down").click()
    expect(names.nth(0)).to_have_value("optimizer")
    expect(names.nth(1)).to_have_value("layers")
    expect(names.nth(2)).to_have_value("lr")
    expect(rows.nth(0).get_by_test_id("hp-up")).to_be_disabled()
    expect(rows.nth(2).get_by_test_id("hp-down")).to_be_disabled()
    expect(rows.locator(".row-no")).to_have_text(["1", "2", "3"])
    fill_hyperparameter(page, 1, default="4")
    screenshot(page, "algorithm-edit")

    page.get_by_test_id("submit").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("status").first).to_contain_text("Algorithm 'to-edit' saved")
    shown = page.get_by_test_id("hyperparameter-row")
    expect(shown).to_have_count(3)
    expect(shown.nth(0)).to_contain_text("--optimizer")
    expect(shown.nth(1)).to_contain_text("--layers")
    expect(shown.nth(1).locator("td").nth(3)).to_have_text("4")
    expect(shown.nth(2)).to_contain_text("--lr")

    # Removing a row in the editor removes it from the algorithm.
    page.get_by_test_id("edit-algorithm").click()
    page.get_by_test_id("hp-row").nth(0).get_by_test_id("hp-remove").click()
    expect(page.get_by_test_id("hp-row")).to_have_count(2)
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_test_id("hyperparameter-row")).to_have_count(2)
    # (Only the table: once the package is checked, the --help offer names --optimizer as
    # an option of the script that the table lacks.)
    expect(page.get_by_test_id("hyperparameter-table")).not_to_contain_text("--optimizer")


def test_delete_asks_for_confirmation(page: Any, tmp_path: Path) -> None:
    login(page, "alice")
    create_algorithm(page, "to-delete", write_script(tmp_path))
    detail_url = page.url

    page.get_by_test_id("delete-algorithm").click()
    expect(page.get_by_role("heading", name="Delete algorithm")).to_be_visible()
    expect(page.locator(".card")).to_contain_text("to-delete")
    screenshot(page, "algorithm-delete")

    # Cancel keeps it.
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(detail_url)

    page.get_by_test_id("delete-algorithm").click()
    page.get_by_test_id("confirm-delete").click()
    expect(page).to_have_url(re.compile(r"/algorithms/$"))
    expect(page.get_by_role("status").first).to_contain_text("Algorithm 'to-delete' deleted")
    expect(page.locator('[data-testid=algorithm-row][data-name="to-delete"]')).to_have_count(0)
    response = page.goto(detail_url)
    assert response is not None and response.status == 404
