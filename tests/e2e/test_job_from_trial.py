"""Browser: the job page's "Narrowed ranges" opens the create page with the job's policy,
limits, seed and switches and the ranges narrowed; nothing is left to note as not carried.

The job is a row made in the database (ended, so no worker picks it up)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.support.browser import login, screenshot
from tests.support.live import LiveConsole

SEED = """\
import json
from django.contrib.auth import get_user_model
from algorithms.models import Algorithm, Hyperparameter
from trainingjobs.models import TrainingJob, Trial
alice = get_user_model().objects.get(username="alice")
algorithm, _ = Algorithm.objects.get_or_create(owner=alice, name="reuse-digits", defaults=dict(
    boot_file="train.py", status="ready", auto_search=True, metric_name="accuracy",
    metric_goal="maximize", metric_regex=r"accuracy=([0-9.]+)",
    search_algorithms=[{"name": "tpe", "params": {}}, {"name": "random", "params": {}}]))
if not algorithm.hyperparameters.exists():
    Hyperparameter.objects.create(algorithm=algorithm, position=0, name="lr", type="float",
                                  default=0.01, min=0.0001, max=1.0)
job, made = TrainingJob.objects.get_or_create(owner=alice, name="reuse-source", defaults=dict(
    algorithm=algorithm, status="completed", seed=11, lost_counts_as_failed=True,
    search_space={"lr": {"type": "float", "low": 0.0001, "high": 1.0, "log": True}},
    search_algorithms=[{"name": "random", "params": {"seed": 3}}],
    policy={"name": "median", "evaluation_interval": 2, "delay_evaluation": 4},
    metric_name="accuracy", metric_regex=r"accuracy=([0-9.]+)", max_trials=12,
    max_concurrent=3, max_failed=2, trial_timeout_minutes=5))
if made:
    best = Trial.objects.create(job=job, number=1, status="completed", value=0.93,
                                params={"lr": 0.01}, algorithm="random")
    job.best_trial = best
    job.save()
print(json.dumps({"job": job.pk}))
"""


@pytest.fixture(scope="module")
def seeded(live_console: LiveConsole) -> dict[str, int]:
    return dict(json.loads(live_console.manage("shell", "-c", SEED).strip().splitlines()[-1]))


def test_narrowed_ranges_open_the_form_with_the_jobs_policy_and_limits(
    page: Any, seeded: dict[str, int]
) -> None:
    login(page, "alice")
    page.goto(f"/training-jobs/{seeded['job']}/")
    page.get_by_test_id("reuse-narrow").click()
    page.wait_for_url(lambda url: "mode=narrow" in url)

    expect(page.get_by_test_id("name")).to_have_value("reuse-source from trial 1 (narrowed)")
    expect(page.get_by_test_id("policy")).to_have_value("median_stopping")
    expect(page.get_by_test_id("policy-median_stopping-evaluation_interval")).to_be_visible()
    expect(page.get_by_test_id("policy-median_stopping-evaluation_interval")).to_have_value("2")
    expect(page.get_by_test_id("policy-median_stopping-delay_evaluation")).to_have_value("4")
    expect(page.get_by_test_id("sa-random")).to_be_checked()
    expect(page.get_by_test_id("sa-tpe")).not_to_be_checked()
    expect(page.get_by_test_id("max-trials")).to_have_value("12")
    expect(page.get_by_test_id("max-concurrent")).to_have_value("3")
    expect(page.get_by_test_id("max-failed")).to_have_value("2")
    expect(page.get_by_test_id("trial-timeout")).to_have_value("5")
    expect(page.get_by_test_id("lost-counts")).to_be_checked()
    row = page.locator('[data-testid=job-hp-row][data-name="lr"]')
    expect(row.get_by_test_id("low")).to_have_value("0.001")
    expect(row.get_by_test_id("high")).to_have_value("0.1")
    expect(row.get_by_test_id("scale")).to_have_value("log")
    expect(page.get_by_test_id("seed")).to_be_visible()
    expect(page.get_by_test_id("seed")).to_have_value("11")
    expect(page.get_by_test_id("reuse-notes")).to_have_count(0)
    # A note says what was narrowed, from what to what.
    expect(page.get_by_test_id("reuse-narrowed")).to_have_text(
        "Ranges narrowed around the trial's values: lr: 0.0001–1 → 0.001–0.1 (log scale)",
        use_inner_text=True,
    )
    screenshot(page, "job-create-from-trial-narrowed")
