"""A training job the way a person runs one: create it, watch it finish, read its best trial.

The console is real (``manage.py serve`` with its worker threads) and so are the trials:
each one runs the bundled ``sgd-diabetes`` example as a subprocess.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import ARTIFACTS, login, screenshot, wait_for_status
from tests.support.live import LiveConsole

EXAMPLE = "sgd-diabetes"

REGISTER = (
    "from django.contrib.auth import get_user_model\n"
    "from algorithms import examples\n"
    "examples.register_examples(owner=get_user_model().objects.get(username='alice'))\n"
)


class ConsoleErrors:
    """Errors the browser reports while the test runs (a refused form's 400 aside)."""

    def __init__(self, page: Any) -> None:
        self.messages: list[str] = []
        page.on("pageerror", lambda exc: self.messages.append(f"pageerror: {exc}"))
        page.on("console", self._on_console)
        page.on("response", self._on_response)

    def _on_console(self, message: Any) -> None:
        # A failed request is reported with its URL by _on_response.
        if message.type == "error" and "Failed to load resource" not in message.text:
            self.messages.append(message.text)

    def _on_response(self, response: Any) -> None:
        # A refused form answers 400 on purpose; bob's 404s are another page's.
        if response.status >= 400 and response.status != 400:
            self.messages.append(f"{response.status} {response.url}")


@pytest.fixture
def errors(page: Any) -> Any:
    watcher = ConsoleErrors(page)
    yield watcher
    assert watcher.messages == []


def example_algorithm(page: Any, live_console: LiveConsole) -> str:
    """alice's copy of the example, ready; returns its detail URL."""
    live_console.manage("shell", "-c", REGISTER)
    wait_for_status(page, EXAMPLE, "Ready", timeout=120)
    page.locator(f'[data-testid=algorithm-row][data-name="{EXAMPLE}"] a').first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(EXAMPLE)
    return page.url


def hp_row(page: Any, name: str) -> Any:
    return page.locator(f'[data-testid=job-hp-row][data-name="{name}"]')


def set_range(page: Any, name: str, low: str, high: str, scale: str = "linear") -> None:
    row = hp_row(page, name)
    row.get_by_test_id("range-toggle").click()
    expect(row.get_by_test_id("low")).to_be_visible()
    row.get_by_test_id("low").fill(low)
    row.get_by_test_id("high").fill(high)
    row.get_by_test_id("scale").select_option(scale)


def wait_for_job(page: Any, status: str, timeout: float = 300) -> None:
    """Reload the job page, as a person would, until it shows `status`."""
    deadline = time.monotonic() + timeout
    badge = page.get_by_test_id("job-status")
    while True:
        page.reload()
        shown = badge.inner_text().strip()
        if shown == status:
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"the job still shows {shown!r} after {timeout}s, not {status!r}")
        page.wait_for_timeout(2000)


def test_search_job_runs_to_completion_and_its_best_trial_is_shown(
    page: Any, live_console: LiveConsole, errors: Any
) -> None:
    login(page, "alice")
    example_algorithm(page, live_console)
    page.get_by_test_id("create-job").click()
    expect(page.get_by_role("heading", name="Create training job")).to_be_visible()
    expect(page.get_by_test_id("algorithm")).to_have_text(re.compile(EXAMPLE))
    # The rows come with the algorithm's defaults; nothing is searched yet: a single run.
    expect(hp_row(page, "eta0").get_by_test_id("value")).to_have_value("0.01")
    expect(page.get_by_test_id("planned-trials")).to_have_text("1")
    expect(page.get_by_test_id("search-section")).to_be_hidden()
    expect(page.get_by_test_id("seed")).to_be_hidden()  # a single run has nothing to seed
    screenshot(page, "job-create-empty")

    page.get_by_test_id("name").fill("diabetes-search")
    set_range(page, "eta0", "0.001", "0.1", scale="log")
    set_range(page, "alpha", "0.00001", "0.01", scale="log")
    hp_row(page, "iterations").get_by_test_id("value").fill("12")
    expect(page.get_by_test_id("search-section")).to_be_visible()
    expect(page.get_by_test_id("metric-name")).to_have_value("val_rmse")
    expect(page.get_by_test_id("goal-minimize")).to_be_checked()
    expect(page.get_by_test_id("sa-tpe")).to_be_checked()
    page.get_by_test_id("policy").select_option("bandit")
    page.get_by_test_id("policy-bandit-slack_factor").fill("0.5")
    page.get_by_test_id("policy-bandit-delay_evaluation").fill("4")
    page.get_by_test_id("max-trials").fill("4")
    page.get_by_test_id("max-concurrent").fill("2")
    page.get_by_test_id("seed").fill("7")
    expect(page.get_by_test_id("planned-trials")).to_have_text("4")
    expect(page.get_by_test_id("grid-size")).to_have_text("—")
    screenshot(page, "job-create-filled")

    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/training-jobs/\d+/$"))
    expect(page.get_by_role("status").first).to_contain_text("Training job 'diabetes-search'")
    expect(page.get_by_test_id("config-ranges")).to_contain_text("eta0: 0.001 … 0.1, log scale")
    expect(page.get_by_test_id("config-fixed")).to_contain_text("iterations = 12")
    expect(page.get_by_test_id("config-policy")).to_contain_text("bandit")
    expect(page.get_by_test_id("config-seed")).to_have_text("7")
    screenshot(page, "job-detail-running")
    job_url = page.url

    wait_for_job(page, "Completed")
    rows = page.get_by_test_id("trial-row")
    expect(rows).to_have_count(4)
    best = page.locator("[data-testid=trial-row][data-best=true]")
    expect(best).to_have_count(1)
    best_value = best.get_by_test_id("trial-value").inner_text()
    expect(page.get_by_test_id("best-value")).to_have_text(best_value)
    expect(page.get_by_test_id("best-params")).to_contain_text("eta0=")
    # Both charts are drawn by the console's own Plotly.
    expect(page.locator("[data-testid=metric-chart] .main-svg").first).to_be_visible()
    expect(page.locator("[data-testid=parallel-chart] .main-svg").first).to_be_visible()
    # The objective column sorts (minimize: the best is the smallest value).
    page.locator("[data-testid=trial-table] th", has_text="val_rmse").click()
    scored = [v for v in rows.get_by_test_id("trial-value").all_inner_texts() if v != "—"]
    assert scored == sorted(scored, key=float)
    screenshot(page, "job-detail-completed")

    page.get_by_test_id("best-trial-link").click()
    expect(page).to_have_url(re.compile(r"/training-jobs/\d+/trials/\d+/$"))
    expect(page.get_by_test_id("best-tag")).to_be_visible()
    expect(page.get_by_test_id("trial-status")).to_have_text("Completed")
    expect(page.get_by_test_id("trial-value")).to_contain_text(best_value)
    command = page.get_by_test_id("command-line")
    expect(command).to_contain_text("train.py")
    expect(command).to_contain_text("--iterations=12")
    expect(command).to_contain_text("--eta0=")
    expect(page.locator('[data-testid=trial-hp][data-name="eta0"]')).to_contain_text("searched")
    expect(page.get_by_test_id("trial-log")).to_contain_text("val_rmse")
    expect(page.get_by_test_id("metric-points").locator("tbody tr")).to_have_count(12)
    expect(page.locator("[data-testid=trial-chart] .main-svg").first).to_be_visible()
    screenshot(page, "job-trial-best")

    page.get_by_test_id("full-log").click()
    assert "val_rmse" in page.locator("body").inner_text()

    page.goto("/training-jobs/")
    row = page.locator('[data-testid=job-row][data-name="diabetes-search"]')
    expect(row.get_by_test_id("status")).to_have_text("Completed")
    expect(row.get_by_test_id("trials-done")).to_contain_text("4 / 4")
    expect(row.get_by_test_id("best-value")).to_contain_text(best_value)
    screenshot(page, "job-list")
    page.goto(job_url)


def test_refused_submit_keeps_everything_typed(
    page: Any, live_console: LiveConsole, errors: Any
) -> None:
    login(page, "alice")
    example_algorithm(page, live_console)
    page.get_by_test_id("create-job").click()

    page.get_by_test_id("description").fill("kept across a refusal")
    set_range(page, "eta0", "0.05", "0.001", scale="log")  # min above max
    alpha = hp_row(page, "alpha")
    alpha.get_by_test_id("range-toggle").click()
    alpha.get_by_test_id("dist").select_option("loguniform")
    alpha.get_by_test_id("dlow").fill("-12")
    alpha.get_by_test_id("dhigh").fill("-2")
    penalty = hp_row(page, "penalty")
    penalty.get_by_test_id("range-toggle").click()
    penalty.get_by_test_id("values").select_option(["l1", "elasticnet"])
    hp_row(page, "iterations").get_by_test_id("value").fill("many")
    hp_row(page, "standardize").get_by_test_id("include").uncheck()
    page.get_by_test_id("goal-maximize").check()
    page.get_by_test_id("objective-best").check()
    page.get_by_test_id("policy").select_option("bandit")
    page.get_by_test_id("policy-bandit-slack_factor").fill("-1")
    page.get_by_test_id("max-trials").fill("3")
    page.get_by_test_id("max-concurrent").fill("5")
    page.get_by_test_id("trial-timeout").fill("7")
    page.get_by_test_id("seed").fill("-3")

    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("was not created")
    screenshot(page, "job-create-refused")

    # Every value and toggle is as typed ...
    expect(page.get_by_test_id("description")).to_have_value("kept across a refusal")
    eta0 = hp_row(page, "eta0")
    expect(eta0.get_by_test_id("search")).to_be_checked()
    expect(eta0.get_by_test_id("low")).to_have_value("0.05")
    expect(eta0.get_by_test_id("high")).to_have_value("0.001")
    expect(eta0.get_by_test_id("scale")).to_have_value("log")
    expect(alpha.get_by_test_id("search")).to_be_checked()
    expect(alpha.get_by_test_id("dist")).to_have_value("loguniform")
    expect(alpha.get_by_test_id("dlow")).to_have_value("-12")
    expect(alpha.get_by_test_id("dhigh")).to_have_value("-2")
    expect(alpha.get_by_test_id("dlow")).to_be_visible()
    expect(alpha.get_by_test_id("low")).to_be_hidden()
    picked = penalty.get_by_test_id("values").evaluate(
        "s => Array.from(s.selectedOptions).map(o => o.value)"
    )
    assert picked == ["l1", "elasticnet"]
    expect(hp_row(page, "iterations").get_by_test_id("value")).to_have_value("many")
    expect(hp_row(page, "standardize").get_by_test_id("include")).not_to_be_checked()
    expect(page.get_by_test_id("goal-maximize")).to_be_checked()
    expect(page.get_by_test_id("objective-best")).to_be_checked()
    expect(page.get_by_test_id("policy")).to_have_value("bandit")
    expect(page.get_by_test_id("policy-bandit-slack_factor")).to_have_value("-1")
    expect(page.get_by_test_id("max-trials")).to_have_value("3")
    expect(page.get_by_test_id("max-concurrent")).to_have_value("5")
    expect(page.get_by_test_id("trial-timeout")).to_have_value("7")
    expect(page.get_by_test_id("seed")).to_have_value("-3")

    # ... and each message sits by what it is about (a blank name is not one: the job
    # takes the name the page suggests).
    name_field = page.locator(".field", has=page.get_by_test_id("name"))
    expect(name_field.locator(".errorlist")).to_have_count(0)
    expect(eta0.locator(".rf:has([data-testid=low])")).to_contain_text("less than")
    expect(hp_row(page, "iterations").locator(".value-cell .errorlist")).to_contain_text("many")
    slack = page.locator(".param", has=page.get_by_test_id("policy-bandit-slack_factor"))
    expect(slack.locator(".errorlist")).not_to_have_count(0)
    concurrent = page.locator(".limit", has=page.get_by_test_id("max-concurrent"))
    expect(concurrent.locator(".errorlist")).to_contain_text("cannot be more than")
    seed = page.locator(".limit", has=page.get_by_test_id("seed"))
    expect(seed.locator(".errorlist")).to_have_text(
        "Seed must be between 0 and 2147483647, got -3."
    )
    expect(alpha.locator(".errorlist")).to_have_count(0)

    # Fixed, it is accepted with what was kept.
    page.get_by_test_id("name").fill("fixed-after-refusal")
    eta0.get_by_test_id("low").fill("0.001")
    eta0.get_by_test_id("high").fill("0.05")
    hp_row(page, "iterations").get_by_test_id("value").fill("6")
    page.get_by_test_id("policy-bandit-slack_factor").fill("0.2")
    page.get_by_test_id("max-concurrent").fill("1")
    page.get_by_test_id("seed").fill("2024")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/training-jobs/\d+/$"))
    expect(page.get_by_test_id("config-seed")).to_have_text("2024")
    expect(page.get_by_test_id("config-ranges")).to_contain_text("alpha: loguniform(low=-12")
    expect(page.get_by_test_id("config-ranges")).to_contain_text("penalty: one of l1, elasticnet")
    expect(page.get_by_test_id("job-config")).to_contain_text("standardize")

    # Cancel it: the slots go back to the other tests.
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("cancel-job").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Canceled")
    expect(page.get_by_role("status").first).to_contain_text("Job canceled")
    screenshot(page, "job-detail-canceled")


BORDER = "n => getComputedStyle(n).borderTopColor"


def test_a_policy_without_a_slack_marks_its_select_not_every_parameter(
    page: Any, live_console: LiveConsole, errors: Any
) -> None:
    login(page, "alice")
    example_algorithm(page, live_console)
    page.get_by_test_id("create-job").click()
    page.get_by_test_id("name").fill("bandit-without-slack")
    set_range(page, "eta0", "0.001", "0.05", scale="log")
    page.get_by_test_id("policy").select_option("bandit")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("was not created")

    field = page.locator(".field", has=page.get_by_test_id("policy"))
    expect(field.locator(".errorlist").first).to_have_text(
        "bandit needs exactly one of slack_factor or slack_amount, got neither."
    )
    field.scroll_into_view_if_needed()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    field.screenshot(path=str(ARTIFACTS / "job-create-policy-error.png"))
    red = page.get_by_test_id("policy").evaluate(BORDER)
    # The parameters have no error of their own: their frames keep their colour.
    for name in ("evaluation_interval", "slack_factor", "slack_amount"):
        frame = page.locator(".param", has=page.get_by_test_id(f"policy-bandit-{name}"))
        assert frame.locator(".param-input").evaluate(BORDER) != red, name
    expect(page.get_by_test_id("policy-bandit-slack_factor")).to_have_value("")

    # Given a slack, it is created (and canceled: the slots go back to the other tests).
    page.get_by_test_id("policy-bandit-slack_factor").fill("0.2")
    page.get_by_test_id("max-trials").fill("1")
    page.get_by_test_id("max-concurrent").fill("1")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/training-jobs/\d+/$"))
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("cancel-job").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Canceled")


# A training run that takes as long as it is told (a second a step), so the test can
# open its page and stop it while it runs, however fast or loaded the machine is.
SLOW_RUN = (
    "from django.contrib.auth import get_user_model\n"
    "from django.core.files.base import ContentFile\n"
    "from algorithms import services\n"
    "script = (b'import argparse, time\\n'\n"
    "    b'parser = argparse.ArgumentParser()\\n'\n"
    "    b'parser.add_argument(\"--steps\", type=int, default=3)\\n'\n"
    "    b'for step in range(1, parser.parse_args().steps + 1):\\n'\n"
    "    b'    time.sleep(1)\\n'\n"
    "    b'    print(f\"step {step}: loss={1 / step:.4f}\", flush=True)\\n')\n"
    "services.algorithm_create(\n"
    "    owner=get_user_model().objects.get(username='alice'),\n"
    "    spec={'name': 'slow-run', 'boot_file': 'train.py', 'hyperparameters': [\n"
    "        {'name': 'steps', 'type': 'int', 'default': 3, 'min': 1, 'max': 1000}],\n"
    "        'metric': {'name': 'loss', 'goal': 'minimize', 'regex': 'loss=([0-9.]+)'}},\n"
    "    code=ContentFile(script, name='train.py'))\n"
)


def test_a_running_trial_is_stopped_early_from_its_page(
    page: Any, live_console: LiveConsole, errors: Any
) -> None:
    login(page, "alice")
    live_console.manage("shell", "-c", SLOW_RUN)
    wait_for_status(page, "slow-run", "Ready", timeout=120)
    page.locator('[data-testid=algorithm-row][data-name="slow-run"] a').first.click()
    page.get_by_test_id("create-job").click()
    page.get_by_test_id("name").fill("long-single-run")
    hp_row(page, "steps").get_by_test_id("value").fill("600")
    expect(page.get_by_test_id("planned-trials")).to_have_text("1")
    page.get_by_test_id("submit").click()
    expect(page).to_have_url(re.compile(r"/training-jobs/\d+/$"))
    expect(page.get_by_test_id("job-config")).to_contain_text("Single training run")

    # Open the trial once it runs: its page shows what it has so far.
    deadline = time.monotonic() + 120
    while not page.locator("[data-testid=trial-row] [data-testid=trial-value]").count() or (
        page.get_by_test_id("trials-running").inner_text() != "1"
    ):
        assert time.monotonic() < deadline, "the trial did not start"
        page.wait_for_timeout(1000)
        page.reload()
    job_url = page.url
    page.get_by_test_id("nav-training-jobs").click()
    expect(page.locator('[data-testid=job-row][data-name="long-single-run"]')).to_contain_text(
        "Running"
    )
    page.get_by_role("link", name="Overview").click()
    expect(page.get_by_test_id("running-jobs")).to_contain_text("long-single-run")
    screenshot(page, "home-running-job")
    page.goto(job_url)
    page.get_by_test_id("trial-row").first.get_by_role("link").first.click()
    expect(page.get_by_test_id("trial-status")).to_have_text("Running")
    expect(page.get_by_test_id("command-line")).to_contain_text("--steps=600")
    screenshot(page, "job-trial-running")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("stop-trial").click()
    expect(page.locator(".messages")).to_have_count(0)  # the page's script asked
    deadline = time.monotonic() + 60
    while page.get_by_test_id("trial-status").inner_text() != "Early stopped":
        assert time.monotonic() < deadline, "the trial was not stopped"
        page.wait_for_timeout(1000)
        page.reload()
    # No "being stopped" message left for a later page, long after the trial ended.
    page.reload()
    expect(page.locator(".messages")).to_have_count(0)
    expect(page.get_by_test_id("stop-trial")).to_have_count(0)
    expect(page.get_by_test_id("trial-reason")).to_contain_text("Stopped by the user")
    screenshot(page, "job-trial-stopped")


def test_another_user_gets_404_on_alices_job_pages(
    page: Any, browser: Any, live_console: LiveConsole
) -> None:
    login(page, "alice")
    page.goto("/training-jobs/")
    link = page.get_by_test_id("job-row").first.get_by_role("link").first
    if not link.count():
        pytest.skip("no job of alice's yet (runs after the create tests)")
    link.click()
    job_url = page.url
    bob = browser.new_context(base_url=live_console.url).new_page()
    login(bob, "bob")
    for url in (job_url, job_url + "trials/1/", job_url + "trials/1/log/"):
        response = bob.goto(url)
        assert response is not None and response.status == 404, url
    bob.goto("/training-jobs/")
    expect(bob.get_by_test_id("empty-state")).to_be_visible()
    bob.context.close()
