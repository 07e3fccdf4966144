"""Small actions a person does in the browser, shared by the browser tests."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from tests.support.live import USERS

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"


def login(page: Any, username: str) -> None:
    page.goto("/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", USERS[username])
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/accounts/login" not in url)


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    # From the top: a full-page shot of a scrolled page draws the sticky top bar mid-page.
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


TINY_SCRIPT = """\
import argparse

parser = argparse.ArgumentParser()
parser.add_argument("--lr", type=float, default=0.1)
parser.add_argument("--layers", type=int, default=2)
parser.add_argument("--optimizer", default="adam")
args = parser.parse_args()
for epoch in range(1, 4):
    accuracy = 1 - args.lr / epoch
    print(f"epoch {epoch} loss={1 - accuracy:.4f} accuracy={accuracy:.4f}", flush=True)
"""


def write_script(folder: Path, name: str = "train.py") -> Path:
    """A real, tiny training script that takes --name=value and prints its metric."""
    path = folder / name
    path.write_text(TINY_SCRIPT)
    return path


def fill_hyperparameter(page: Any, row: int, **values: str) -> None:
    """Type into row `row` (0-based) of the hyperparameter editor; a select (the type, a
    bool's default) is picked from."""
    cells = page.get_by_test_id("hp-row").nth(row)
    for column, value in values.items():
        field = cells.locator(f"[data-col={column}]")
        if field.evaluate("node => node.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def add_hyperparameter(page: Any, **values: str) -> None:
    """Click "+ Add hyperparameter" and fill the new last row."""
    page.get_by_test_id("hp-add").click()
    fill_hyperparameter(page, page.get_by_test_id("hp-row").count() - 1, **values)


def create_algorithm(page: Any, name: str, script: Path) -> int:
    """Create a plain algorithm (no auto search) from the create page; returns its id."""
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill(name)
    page.get_by_test_id("code-file").set_input_files(str(script))
    page.get_by_test_id("boot-file").fill(script.name)
    add_hyperparameter(page, name="lr", type="float", default="0.1", min="0.001", max="1")
    add_hyperparameter(page, name="layers", type="int", default="2", min="1", max="8")
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/algorithms/\d+/$"))
    return int(page.url.rstrip("/").rsplit("/", 1)[1])


def wait_for_status(page: Any, name: str, status: str, timeout: float = 60) -> None:
    """Reload the algorithm list (as a person would, every second) until `name` shows `status`."""
    deadline = time.monotonic() + timeout
    badge = page.locator(f'[data-testid=algorithm-row][data-name="{name}"] [data-testid=status]')
    while True:
        page.goto("/algorithms/")
        shown = badge.inner_text().strip()
        if shown == status:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{name!r} still shows {shown!r} after {timeout}s, not {status!r}")
        page.wait_for_timeout(1000)
