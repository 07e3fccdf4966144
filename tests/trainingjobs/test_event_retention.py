"""Stored live events are pruned to what a reconnecting page may still ask for, and a page
that asks for pruned events is told to reload rather than given a silent gap."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from trainingjobs import event_replay, event_retention, events
from trainingjobs.models import JobEvent, TrainingJob

from .engine_helpers import make_job

pytestmark = pytest.mark.django_db


def add_events(job: TrainingJob, count: int) -> None:
    JobEvent.objects.bulk_create(
        JobEvent(job=job, seq=n, type="job.status", data={"n": n}) for n in range(1, count + 1)
    )


def seqs(job: TrainingJob) -> list[int]:
    return list(JobEvent.objects.filter(job=job).order_by("seq").values_list("seq", flat=True))


def test_a_running_job_keeps_its_last_events_and_an_old_finished_one_only_its_last(
    alice: Any,
) -> None:
    running = make_job(alice, status=TrainingJob.Status.RUNNING)
    ended = make_job(
        alice,
        status=TrainingJob.Status.COMPLETED,
        finished_at=timezone.now() - timedelta(days=2),
    )
    recent = make_job(
        alice,
        status=TrainingJob.Status.COMPLETED,
        finished_at=timezone.now() - timedelta(hours=1),
    )
    for job in (running, ended, recent):
        add_events(job, 10)

    assert event_retention.prune_events(keep=4) == 6 + 9 + 6
    assert seqs(running) == [7, 8, 9, 10]
    assert seqs(ended) == [10]
    assert seqs(recent) == [7, 8, 9, 10]
    # Again: nothing more to prune.
    assert event_retention.prune_events(keep=4) == 0


def test_numbering_goes_on_after_pruning(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    job = make_job(
        alice, status=TrainingJob.Status.COMPLETED, finished_at=timezone.now() - timedelta(days=3)
    )
    add_events(job, 5)
    event_retention.prune_events()
    with django_capture_on_commit_callbacks(execute=True):
        events.publish(job.pk, "job.status", {"status": "running"})
    assert seqs(job) == [5, 6]


def test_a_page_asking_for_pruned_events_is_told_to_reload(alice: Any) -> None:
    job = make_job(alice, status=TrainingJob.Status.RUNNING)
    add_events(job, 10)
    event_retention.prune_events(keep=4)

    missed, complete = event_replay.since(job.pk, 2)
    assert [e["seq"] for e in missed] == [7, 8, 9, 10]
    assert complete is False
    # A page that holds the last pruned number's successor, or later, misses nothing.
    missed, complete = event_replay.since(job.pk, 6)
    assert [e["seq"] for e in missed] == [7, 8, 9, 10] and complete is True
    assert event_replay.since(job.pk, 10) == ([], True)
