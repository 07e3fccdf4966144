"""A form with a file input refused with errors: the banner says what is kept, and names
the file to choose again when the browser has cleared it and the console did not keep it."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.browser import login, screenshot, write_script


def chosen_files(page: Any, testid: str) -> int:
    return int(page.get_by_test_id(testid).evaluate("input => input.files.length"))


def test_algorithm_form_names_a_refused_file_to_choose_again(
    page: Any, tmp_path: Path
) -> None:
    notes = tmp_path / "train.txt"
    notes.write_text("print('accuracy=0.9')\n")
    login(page, "alice")
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill("banner-check")
    page.get_by_test_id("description").fill("typed once")
    page.get_by_test_id("code-file").set_input_files(str(notes))
    page.get_by_test_id("boot-file").fill("train.py")
    page.get_by_test_id("submit").click()

    banner = page.get_by_test_id("form-errors")
    expect(banner).to_contain_text("The algorithm was not saved.")
    expect(page.get_by_test_id("form-errors-kept")).to_have_text(
        "the other fields are kept, but a browser cannot keep a chosen file: "
        "choose train.txt again."
    )
    # The banner is right: the typed fields are there, the file input is empty.
    expect(page.get_by_test_id("name")).to_have_value("banner-check")
    expect(page.get_by_test_id("description")).to_have_value("typed once")
    assert chosen_files(page, "code-file") == 0
    screenshot(page, "algorithm-refused-file-banner")

    # A good file with another field refused is kept by the console, and the banner says so.
    page.get_by_test_id("name").fill("bad name!")
    page.get_by_test_id("code-file").set_input_files(str(write_script(tmp_path)))
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("form-errors-kept")).to_have_text(
        "everything you typed is kept, and so is the file train.py."
    )
    expect(page.get_by_test_id("pending-code")).to_contain_text("Uploaded: train.py")
    screenshot(page, "algorithm-kept-file-banner")


def test_dataset_form_names_a_refused_file_to_choose_again(page: Any, tmp_path: Path) -> None:
    unsafe = tmp_path / "digits.zip"
    with zipfile.ZipFile(unsafe, "w") as zf:
        zf.writestr("../escape.csv", "1,2\n")
    login(page, "alice")
    page.goto("/datasets/create/")
    page.get_by_test_id("name").fill("banner-data")
    page.get_by_test_id("file").set_input_files(str(unsafe))
    page.get_by_test_id("submit").click()

    expect(page.get_by_test_id("form-errors")).to_contain_text("The dataset was not saved.")
    expect(page.get_by_test_id("form-errors-kept")).to_have_text(
        "the other fields are kept, but a browser cannot keep a chosen file: "
        "choose digits.zip again."
    )
    expect(page.get_by_test_id("name")).to_have_value("banner-data")
    assert chosen_files(page, "file") == 0
    screenshot(page, "dataset-refused-file-banner")


def test_dataset_form_has_no_server_folder_field_when_folders_are_disabled(page: Any) -> None:
    # The test console allows no dataset server folders (DATASET_SERVER_ROOTS unset).
    login(page, "alice")
    page.goto("/datasets/create/")
    expect(page.get_by_test_id("file")).to_be_visible()
    expect(page.get_by_text("Or a server folder")).to_have_count(0)
    expect(page.get_by_test_id("server-path")).to_have_count(0)
    screenshot(page, "dataset-create-no-server-folder")
