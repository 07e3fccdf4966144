"""The create page's safety nets in a browser: the table read from --help, and the warning
for a metric regex that reads nothing from the pasted sample."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.support.browser import add_hyperparameter, login, screenshot, wait_for_status

ARGPARSE_SCRIPT = '''import argparse
p = argparse.ArgumentParser(formatter_class=argparse.ArgumentDefaultsHelpFormatter)
p.add_argument("--lr", type=float, default=0.01, help="learning rate")
p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam", help="optimiser")
p.add_argument("--shuffle", action="store_true", help="shuffle each epoch")
args = p.parse_args()
print(f"accuracy={0.5 + args.lr:.3f}")
'''


def test_table_is_filled_from_the_scripts_help_after_review(page: Any, tmp_path: Path) -> None:
    script = tmp_path / "train.py"
    script.write_text(ARGPARSE_SCRIPT)
    login(page, "alice")
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill("from-help")
    page.get_by_test_id("code-file").set_input_files(str(script))
    page.get_by_test_id("boot-file").fill("train.py")
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/algorithms/\d+/$"))

    wait_for_status(page, "from-help", "Ready")
    page.get_by_role("link", name="from-help").click()
    expect(page.get_by_test_id("help-offer")).to_contain_text("lists 3 options")
    page.get_by_test_id("fill-from-help").click()
    expect(page.get_by_test_id("filled-from-help")).to_be_visible()
    rows = page.get_by_test_id("hp-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0).locator("[data-col=name]")).to_have_value("lr")
    expect(rows.nth(1).locator("[data-col=choices]")).to_have_value("adam, sgd")
    expect(rows.nth(2).locator("[data-col=type]")).to_have_value("bool")
    expect(page.get_by_test_id("bool-style")).to_have_value("flag")
    screenshot(page, "algorithm-filled-from-help")

    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/algorithms/\d+/$"))
    saved = page.get_by_test_id("hyperparameter-row")
    expect(saved).to_have_count(3)
    expect(saved.nth(1)).to_contain_text("--optimizer")


def test_regex_reading_nothing_from_the_sample_asks_for_a_confirmation(
    page: Any, tmp_path: Path
) -> None:
    script = tmp_path / "train.py"
    script.write_text(ARGPARSE_SCRIPT)
    login(page, "alice")
    page.goto("/algorithms/create/")
    page.get_by_test_id("name").fill("no-match")
    page.get_by_test_id("code-file").set_input_files(str(script))
    page.get_by_test_id("boot-file").fill("train.py")
    add_hyperparameter(page, name="lr", type="float", default="0.1", min="0.001", max="1")
    page.get_by_test_id("auto-search-switch").click()
    page.get_by_test_id("metric-name").fill("accuracy")
    page.get_by_test_id("sample-log").fill("epoch 1 acc 0.5\nepoch 2 acc 0.6\n")
    page.get_by_test_id("metric-regex").fill(r"accuracy=([0-9.]+)")
    page.get_by_test_id("sa-random").check()
    page.get_by_test_id("submit").click()

    warning = page.get_by_test_id("no-match-warning")
    expect(warning).to_contain_text("reads no value from any of the 2 lines")
    expect(page.get_by_test_id("sample-log")).to_have_value("epoch 1 acc 0.5\nepoch 2 acc 0.6\n")
    expect(page.get_by_test_id("pending-code")).to_contain_text("train.py")
    screenshot(page, "algorithm-no-match-warning")
    page.get_by_test_id("confirm-no-match").check()
    page.get_by_test_id("submit").click()
    page.wait_for_url(re.compile(r"/algorithms/\d+/$"))
    expect(page.get_by_role("status").first).to_contain_text("Algorithm 'no-match' created")
