"""Browser: the job page's extend form, the job list's width, the create page's plan footer.

The jobs here are rows made in the database (ended ones, so no worker picks them up): these
tests are about what the pages show, not about running trials.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import ARTIFACTS, login, screenshot
from tests.support.live import LiveConsole

SEED = """\
import json
from django.contrib.auth import get_user_model
from algorithms.models import Algorithm, Hyperparameter
from trainingjobs.models import TrainingJob
alice = get_user_model().objects.get(username="alice")
ids = {}
for name in ("my-digits-sgd", "a-rather-long-algorithm-name-for-cifar10-resnet-sweeps"):
    algorithm, _ = Algorithm.objects.get_or_create(owner=alice, name=name, defaults=dict(
        boot_file="train.py", status="ready", auto_search=True, metric_name="accuracy",
        metric_goal="maximize", metric_regex=r"accuracy=([0-9.]+)",
        search_algorithms=[{"name": "random", "params": {}}]))
    if not algorithm.hyperparameters.exists():
        Hyperparameter.objects.create(algorithm=algorithm, position=0, name="lr", type="float",
                                      default=0.01, min=0.0001, max=1.0)
        Hyperparameter.objects.create(algorithm=algorithm, position=1, name="momentum",
                                      type="float", default=0.9)
    ids[name] = algorithm.pk
jobs = [
    ("layout-extend-me", "my-digits-sgd", "completed", ""),
    ("layout-digits-sgd-tpe-against-random-on-the-digits-set", "my-digits-sgd", "canceled",
     "Compare TPE against random search on the digits set with early stopping on"),
    ("layout-cifar", "a-rather-long-algorithm-name-for-cifar10-resnet-sweeps", "failed", ""),
]
for name, algorithm, status, description in jobs:
    job, _ = TrainingJob.objects.get_or_create(owner=alice, name=name, defaults=dict(
        algorithm_id=ids[algorithm], status=status, description=description,
        search_space={"lr": {"type": "float", "low": 0.001, "high": 0.1, "log": True}},
        search_algorithms=[{"name": "random", "params": {}}], metric_name="accuracy",
        metric_regex=r"accuracy=([0-9.]+)", max_trials=8, max_concurrent=2))
    ids[name] = job.pk
print(json.dumps(ids))
"""


@pytest.fixture(scope="module")
def seeded(live_console: LiveConsole) -> dict[str, int]:
    return dict(json.loads(live_console.manage("shell", "-c", SEED).strip().splitlines()[-1]))


def test_extend_marks_each_field_and_keeps_what_was_typed(
    page: Any, seeded: dict[str, int]
) -> None:
    login(page, "alice")
    page.goto(f"/training-jobs/{seeded['layout-extend-me']}/")
    trials = page.get_by_test_id("extend-max-trials")
    minutes = page.get_by_test_id("extend-minutes")
    marked = page.locator(".extend-field.has-error")

    trials.fill("abc")
    minutes.fill("1e999")
    page.get_by_test_id("extend-job").click()
    expect(page.get_by_test_id("form-errors")).to_contain_text("The job was not extended.")
    expect(page.get_by_test_id("extend-max-trials-errors")).to_have_text(
        "Max trials must be a whole number, got 'abc'."
    )
    expect(page.get_by_test_id("extend-minutes-errors")).to_have_text(
        "Max duration (minutes) must be a whole number, got '1e999'."
    )
    expect(trials).to_have_value("abc")
    expect(minutes).to_have_value("1e999")
    expect(marked).to_have_count(2)
    expect(trials).to_have_css("border-color", "rgb(207, 34, 46)")
    # The answer opens at the form, where the messages are.
    expect(page.get_by_test_id("extend")).to_be_in_viewport()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("extend").screenshot(path=str(ARTIFACTS / "job-extend-not-numbers.png"))

    trials.fill("3")
    minutes.fill("")
    page.get_by_test_id("extend-job").click()
    expect(page.get_by_test_id("extend-max-trials-errors")).to_have_text(
        "Max trials must be more than the 8 already allowed, got 3."
    )
    expect(trials).to_have_value("3")
    expect(marked).to_have_count(1)
    expect(page.get_by_test_id("job-status")).to_have_text("Completed")
    screenshot(page, "job-extend-fewer-trials")


@pytest.mark.parametrize("width", [1280, 1400, 1920])
def test_job_list_fits_common_widths(
    browser: Any, live_console: LiveConsole, seeded: dict[str, int], width: int
) -> None:
    context = browser.new_context(
        base_url=live_console.url, viewport={"width": width, "height": 900}
    )
    page = context.new_page()
    login(page, "alice")
    page.goto("/training-jobs/")
    wrap = page.locator(".table-wrap").first
    expect(page.get_by_test_id("job-table")).to_be_visible()
    overflow = wrap.evaluate("w => w.scrollWidth - w.clientWidth")
    assert overflow <= 0, f"the job table is {overflow}px wider than its box at {width}px"
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    row = page.locator('[data-testid=job-row][data-name="layout-extend-me"]')
    short = row.get_by_test_id("algorithm")
    expect(short).to_have_text("my-digits-sgd")
    # On one line and whole: the cell is one line high and nothing is cut.
    assert short.evaluate("a => a.scrollWidth <= a.clientWidth")
    one_line = (
        "a => a.getBoundingClientRect().height < 1.5 * parseFloat(getComputedStyle(a).lineHeight)"
    )
    assert short.evaluate(one_line)
    long_name = "a-rather-long-algorithm-name-for-cifar10-resnet-sweeps"
    cut = page.locator('[data-testid=job-row][data-name="layout-cifar"]').get_by_test_id(
        "algorithm"
    )
    expect(cut).to_have_attribute("title", long_name)
    assert cut.evaluate("a => a.scrollWidth > a.clientWidth")  # an ellipsis, the title in full
    created = page.locator("[data-testid=job-table] th", has_text="Created")
    box = created.bounding_box()
    wrap_box = wrap.bounding_box()
    assert box is not None and wrap_box is not None
    assert box["x"] + box["width"] <= wrap_box["x"] + wrap_box["width"] + 1
    screenshot(page, f"job-list-{width}")
    context.close()


def test_create_footer_follows_the_range_toggle_before_the_server_answers(
    page: Any, seeded: dict[str, int]
) -> None:
    login(page, "alice")
    page.goto(f"/training-jobs/create/?algorithm={seeded['my-digits-sgd']}")
    plan = page.get_by_test_id("plan")
    expect(plan).to_contain_text("1 trial: a single training run")
    # No count from the server for now: what the footer says comes from the toggle itself.
    page.route("**/training-jobs/create/plan/", lambda route: route.abort())
    momentum = page.locator('[data-testid=job-hp-row][data-name="momentum"]')
    momentum.get_by_test_id("range-toggle").click()
    expect(plan).to_contain_text("Trials: fill in the range of momentum to see how many")
    expect(plan).not_to_contain_text("single training run")
    expect(plan).not_to_contain_text("marked")
    lr = page.locator('[data-testid=job-hp-row][data-name="lr"]')
    lr.get_by_test_id("range-toggle").click()
    expect(plan).to_contain_text("Trials: fill in the range of momentum to see how many")
    page.unroute("**/training-jobs/create/plan/")

    # Filled in, the trials are counted though no name is typed yet.
    momentum.get_by_test_id("low").fill("0.5")
    momentum.get_by_test_id("high").fill("0.99")
    expect(page.get_by_test_id("planned-trials")).to_have_text("10")
    expect(page.get_by_test_id("name")).to_have_value("")
    momentum.get_by_test_id("high").fill("0.1")
    expect(page.get_by_test_id("plan-needs")).to_have_text(
        "Trials: fix the range of momentum to see how many"
    )
    expect(page.get_by_test_id("plan-needs")).to_have_attribute(
        "title", "momentum: low must be less than high, got low=0.5, high=0.1."
    )
    momentum.get_by_test_id("range-toggle").click()
    lr.get_by_test_id("range-toggle").click()
    expect(plan).to_contain_text("1 trial: a single training run")
    screenshot(page, "job-create-footer")
