"""A refused create form keeps everything typed and puts each message beside its field."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.browser import (
    add_hyperparameter,
    fill_hyperparameter,
    login,
    screenshot,
    wait_for_status,
    write_script,
)

SAMPLE_LOG = "epoch 1 accuracy=0.5\nepoch 2 accuracy=0.75\n"

# What the user typed in each row, column by column, before the first submit.
ROWS = [
    {"name": "lr", "type": "float", "default": "5", "min": "0.001", "max": "1"},
    {"name": "lr", "type": "int", "default": "2", "min": "8", "max": "1"},
    {"name": "optimizer", "type": "str", "default": "adam", "choices": " , "},
]


def cell(page: Any, row: int, column: str) -> Any:
    """The table cell holding one input of the hyperparameter editor, with its messages."""
    return page.get_by_test_id("hp-row").nth(row).locator(f"td:has([data-col={column}])")


def test_refused_form_keeps_values_and_shows_messages_beside_fields(
    page: Any, tmp_path: Path
) -> None:
    script = write_script(tmp_path)
    login(page, "alice")
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill("bad name!")
    page.get_by_test_id("description").fill("Typed once, kept across refusals.")
    page.get_by_test_id("code-file").set_input_files(str(script))
    page.get_by_test_id("boot-file").fill("train.py")
    for row in ROWS:
        add_hyperparameter(page, **row)
    page.get_by_test_id("auto-search-switch").click()
    page.get_by_test_id("metric-name").fill("accuracy")
    page.get_by_test_id("goal-minimize").check()
    page.get_by_test_id("sample-log").fill(SAMPLE_LOG)
    page.get_by_test_id("metric-regex").fill("(a+)+$")
    page.get_by_test_id("sa-tpe").check()
    page.get_by_test_id("sa-tpe-seed").fill("11")
    page.get_by_test_id("sa-random").check()

    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("form-errors")).to_contain_text("The algorithm was not saved")
    screenshot(page, "algorithm-create-errors")

    # Every value is still there ...
    expect(page.get_by_test_id("name")).to_have_value("bad name!")
    expect(page.get_by_test_id("description")).to_have_value("Typed once, kept across refusals.")
    expect(page.get_by_test_id("boot-file")).to_have_value("train.py")
    expect(page.get_by_test_id("pending-code")).to_contain_text("train.py")
    expect(page.get_by_test_id("hp-row")).to_have_count(len(ROWS))
    for i, row in enumerate(ROWS):
        for column, value in row.items():
            field = page.get_by_test_id("hp-row").nth(i).locator(f"[data-col={column}]")
            expect(field).to_have_value(value)
    expect(page.get_by_test_id("auto-search")).to_be_checked()
    expect(page.get_by_test_id("metric-name")).to_have_value("accuracy")
    expect(page.get_by_test_id("goal-minimize")).to_be_checked()
    expect(page.get_by_test_id("sample-log")).to_have_value(SAMPLE_LOG)
    expect(page.get_by_test_id("metric-regex")).to_have_value("(a+)+$")
    expect(page.get_by_test_id("sa-tpe")).to_be_checked()
    expect(page.get_by_test_id("sa-tpe-seed")).to_have_value("11")
    expect(page.get_by_test_id("sa-random")).to_be_checked()
    expect(page.get_by_test_id("sa-grid")).not_to_be_checked()

    # ... and each message sits beside the field it is about.
    name_field = page.locator(".field", has=page.get_by_test_id("name"))
    expect(name_field.locator(".errorlist")).to_contain_text("letters (a-z, A-Z), digits")
    expect(cell(page, 0, "default")).to_contain_text("Default 5 is outside the range [0.001, 1]")
    expect(cell(page, 1, "name")).to_contain_text("Duplicate name 'lr' (also in row 1)")
    expect(cell(page, 1, "min")).to_contain_text("min must be less than max, got min=8, max=1")
    expect(cell(page, 2, "choices")).to_contain_text("The enumeration is empty")
    regex_field = page.locator(".field", has=page.get_by_test_id("metric-regex"))
    expect(regex_field.locator(".errorlist")).to_contain_text("exponential time")
    for clean in (cell(page, 0, "name"), cell(page, 2, "default"), cell(page, 1, "max")):
        expect(clean.locator(".errorlist")).to_have_count(0)
    expect(page.get_by_test_id("hp-row").nth(2)).to_have_class(re.compile(r"row-error"))

    # Fix everything; the kept upload is used without choosing the file again.
    page.get_by_test_id("name").fill("fixed-after-errors")
    fill_hyperparameter(page, 0, default="0.1")
    fill_hyperparameter(page, 1, name="layers", min="1", max="8")
    fill_hyperparameter(page, 2, choices="adam, sgd")
    page.get_by_test_id("smart-generate").click()
    expect(page.get_by_test_id("regex-feedback")).to_have_text("2 of 2 lines give a value.")
    expect(page.get_by_test_id("regex-match").locator(".value")).to_have_text(["0.5", "0.75"])
    page.get_by_test_id("submit").click()

    expect(page).to_have_url(re.compile(r"/algorithms/\d+/$"))
    expect(page.get_by_role("heading", name="fixed-after-errors")).to_be_visible()
    rows = page.get_by_test_id("hyperparameter-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(1)).to_contain_text("--layers")
    expect(rows.nth(2)).to_contain_text("one of adam, sgd")
    expect(page.get_by_text("accuracy (minimize)")).to_be_visible()
    expect(page.get_by_text("seed=11")).to_be_visible()
    wait_for_status(page, "fixed-after-errors", "Ready")
    screenshot(page, "algorithm-list-after-errors")


def test_choosing_a_py_file_fills_the_boot_file_and_another_name_is_refused_on_its_field(
    page: Any, tmp_path: Path
) -> None:
    script = write_script(tmp_path, "mytrain.py")
    login(page, "alice")
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill("wrong-boot-file")
    # A single .py file is the whole package: choosing it fills the empty boot file.
    page.get_by_test_id("code-file").set_input_files(str(script))
    expect(page.get_by_test_id("boot-file")).to_have_value("mytrain.py")

    # Typed over, another name is refused on its field at once; the file is kept.
    page.get_by_test_id("boot-file").fill("train.py")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/algorithms/create/$"))
    field = page.locator(".field:has([data-testid=boot-file])")
    expect(field).to_contain_text(
        "The package is the single file mytrain.py: its boot file is mytrain.py, not train.py."
    )
    expect(page.get_by_test_id("boot-file")).to_have_value("train.py")
    expect(page.get_by_test_id("pending-code")).to_contain_text("mytrain.py")
    screenshot(page, "algorithm-create-boot-file-refused")

    page.get_by_test_id("boot-file").fill("mytrain.py")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/algorithms/\d+/$"))
    wait_for_status(page, "wrong-boot-file", "Ready")
