"""Trials ended of a job's total: lost and canceled trials apart, everywhere the console
counts them (the rule of the trial budget, ``trainingjobs.trial_budget``)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client

from tests.trainingjobs.test_views import add_trial, make_job
from trainingjobs import event_progress, services, trial_budget
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db


def job_with_lost_trials(owner: Any) -> TrainingJob:
    """12 trials allowed: 11 completed and 1 failed used them; 2 lost and 1 canceled on
    the way did not (the search ran others in their place)."""
    job = make_job(owner, max_trials=12, status=TrainingJob.Status.COMPLETED)
    number = 0
    for status in ["completed"] * 5 + ["lost", "lost"] + ["completed"] * 6 + ["canceled"]:
        number += 1
        add_trial(job, number, 0.9 if status == "completed" else None, status=status)
    add_trial(job, number + 1, None, status="failed")
    return job


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_lost_and_canceled_trials_are_counted_apart_as_the_budget_counts_them(alice: Any) -> None:
    job = job_with_lost_trials(alice)
    counts = services.trial_counts(job.pk)
    tally = trial_budget.tally(counts, job.max_trials)

    assert (tally.ended, tally.total, tally.lost, tally.canceled) == (12, 12, 2, 1)
    assert tally.ended == services.budget_used(counts)  # nothing queued or running
    assert tally.text == "12 / 12 trials ended (2 lost, 1 canceled: not counted)"


def test_running_and_queued_trials_use_the_budget_but_have_not_ended() -> None:
    counts = {"completed": 3, "running": 2, "queued": 1, "lost": 1}

    assert trial_budget.budget_used(counts) == 6
    assert trial_budget.tally(counts, 10).text == "3 / 10 trials ended (1 lost: not counted)"
    assert trial_budget.tally({"completed": 2}, 10).apart == ""


def test_job_page_headline_and_progress_count_lost_trials_apart(
    alice_client: Client, alice: Any
) -> None:
    job = job_with_lost_trials(alice)
    html = alice_client.get(f"/training-jobs/{job.pk}/").content.decode()

    done = re.search(r'data-testid="trials-done">(.*?)</div>', html)
    assert done and text_of(done.group(1)).strip() == "12 / 12"
    assert '"trials-apart"' in html and "2 lost, 1 canceled: not counted</span>" in html
    assert (
        '<strong data-testid="progress-text">12 / 12 trials ended '
        "(2 lost, 1 canceled: not counted)</strong>" in html
    )
    # The page's script starts from the server's words (the job socket's job.progress
    # brings them anew) and leaves the statuses counted apart out of its bar.
    assert '"text": "12 / 12 trials ended (2 lost, 1 canceled: not counted)"}' in html
    assert '"apart": ["lost", "canceled"]}' in html


def test_job_list_and_home_page_count_lost_trials_apart(alice_client: Client, alice: Any) -> None:
    finished = job_with_lost_trials(alice)
    running = make_job(alice, finished.algorithm, name="still-running", max_trials=5)
    add_trial(running, 1, 0.5)
    add_trial(running, 2, None, status="lost")
    add_trial(running, 3, None, status="running", finished_at=None)

    listing = alice_client.get("/training-jobs/").content.decode()
    row = re.search(
        rf'<tr data-testid="job-row"[^>]*data-job="{finished.pk}".*?</tr>', listing, re.S
    )
    assert row
    assert 'data-done="12"' in row.group(0)
    assert "12 / 12" in text_of(row.group(0))
    assert "2 lost, 1 canceled: not counted" in row.group(0)

    home = alice_client.get("/").content.decode()
    cell = re.search(r'<tr data-testid="running-job">.*?</tr>', home, re.S)
    assert cell and "still-running" in cell.group(0)
    assert "1 / 5 1 lost: not counted" in text_of(cell.group(0))


def test_live_progress_of_the_job_list_carries_the_tally(alice: Any) -> None:
    job = job_with_lost_trials(alice)
    event = event_progress.progress(job.pk)

    assert event is not None
    assert event["tally"] == {
        "ended": 12,
        "total": 12,
        "lost": 2,
        "canceled": 1,
        "apart": "2 lost, 1 canceled: not counted",
        "text": "12 / 12 trials ended (2 lost, 1 canceled: not counted)",
    }
