"""Creating an algorithm the way a person does: every click of the create page."""

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

SAMPLE_LOG = """\
epoch 1 loss=0.52 accuracy=0.87 val_accuracy=0.85
epoch 2 loss=0.31 accuracy=0.91 val_accuracy=0.89
Test set: Average loss: 0.2, Accuracy: 9812/10000 (98%)
"""


def test_create_algorithm_with_auto_search_reaches_ready(page: Any, tmp_path: Path) -> None:
    script = write_script(tmp_path)
    login(page, "alice")
    page.goto("/algorithms/")
    page.get_by_test_id("create-algorithm").click()
    expect(page.get_by_role("heading", name="Create algorithm")).to_be_visible()
    screenshot(page, "algorithm-create-empty")

    page.get_by_test_id("name").fill("tiny-mlp")
    page.get_by_test_id("description").fill("A tiny script that prints accuracy per epoch.")
    page.get_by_test_id("code-file").set_input_files(str(script))
    page.get_by_test_id("boot-file").fill("train.py")

    expect(page.get_by_text("No hyperparameters yet.")).to_be_visible()
    add_hyperparameter(page, name="lr", type="float", default="0.1", min="0.001", max="1")
    add_hyperparameter(page, name="layers", type="int", default="2", min="1", max="8")
    add_hyperparameter(page, name="optimizer", type="str", default="adam", choices="adam, sgd")
    expect(page.get_by_test_id("hp-row")).to_have_count(3)
    expect(page.get_by_text("No hyperparameters yet.")).to_be_hidden()

    metric = page.get_by_test_id("metric-name")
    expect(metric).to_be_hidden()
    page.get_by_test_id("auto-search-switch").click()
    expect(page.get_by_test_id("auto-search")).to_be_checked()
    expect(metric).to_be_visible()
    metric.fill("accuracy")
    page.get_by_test_id("goal-maximize").check()
    page.get_by_test_id("sample-log").fill(SAMPLE_LOG)

    # Smart generate offers one candidate per log format that mentions the metric and
    # tests the first one on the pasted log straight away.
    page.get_by_test_id("smart-generate").click()
    candidates = page.get_by_test_id("regex-candidate")
    expect(candidates).to_have_count(3)
    feedback = page.get_by_test_id("regex-feedback")
    expect(feedback).to_have_text("2 of 3 lines give a value.")
    regex = page.get_by_test_id("metric-regex")
    expect(regex).to_have_value(re.compile(r"accuracy"))

    # Picking the "n/N (pct%)" format reads the percentage of the test-set line.
    candidates.filter(has_text="pct%").get_by_role("radio").check()
    expect(feedback).to_have_text("1 of 3 lines give a value.")
    expect(page.get_by_test_id("regex-match")).to_have_count(1)
    expect(page.get_by_test_id("regex-match").locator(".value")).to_have_text("98")

    candidates.filter(has_text="name=value").get_by_role("radio").check()
    picked = regex.input_value()
    assert "=" in picked and "val_accuracy" not in picked
    page.get_by_test_id("regex-result").evaluate("node => node.replaceChildren()")
    page.get_by_test_id("regex-test").click()
    matches = page.get_by_test_id("regex-match")
    expect(matches).to_have_count(2)
    expect(matches.locator(".value")).to_have_text(["0.87", "0.91"])
    expect(matches.locator(".line").first).to_contain_text("epoch 1")
    expect(feedback).to_have_text("2 of 3 lines give a value.")

    page.get_by_test_id("sa-tpe").check()
    page.get_by_test_id("sa-tpe-seed").fill("7")
    page.get_by_test_id("sa-random").check()
    expect(page.get_by_test_id("sa-random-seed")).to_be_visible()
    expect(page.get_by_test_id("sa-grid-seed")).to_be_hidden()
    screenshot(page, "algorithm-create-filled")

    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/algorithms/\d+/$"))
    expect(page.get_by_role("status").first).to_contain_text("Algorithm 'tiny-mlp' created")
    expect(page.get_by_test_id("metric-regex")).to_have_text(picked)
    rows = page.get_by_test_id("hyperparameter-row")
    expect(rows).to_have_count(3)
    expect(rows.nth(0)).to_contain_text("--lr")
    expect(rows.nth(2)).to_contain_text("--optimizer")
    screenshot(page, "algorithm-detail-new")

    page.get_by_role("link", name="Algorithms").first.click()
    row = page.locator('[data-testid=algorithm-row][data-name="tiny-mlp"]')
    expect(row).to_be_visible()
    expect(row).to_contain_text("accuracy")
    expect(row.locator(".tag")).to_contain_text(["On", "tpe", "random"])  # as ticked

    wait_for_status(page, "tiny-mlp", "Ready")
    screenshot(page, "algorithm-list-ready")
    row.get_by_role("link", name="tiny-mlp").click()
    expect(page.get_by_test_id("status")).to_have_text("Ready")
    expect(page.get_by_test_id("package-files")).to_contain_text("train.py")
    expect(page.get_by_text("seed=7")).to_be_visible()
    screenshot(page, "algorithm-detail-ready")
