"""A job's running time: paused and ended stretches are left out of its elapsed time, its
duration and its time limit."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from trainingjobs import dashboard, event_progress, pages, scheduler, services
from trainingjobs.models import TrainingJob
from trainingjobs.monitor import TrialMonitor

from .engine_helpers import at, claim, make_job, step, trials

pytestmark = pytest.mark.django_db

J = TrainingJob.Status


def seconds(minutes: float) -> float:
    return minutes * 60


def end(job: TrainingJob, minutes: float) -> None:
    with transaction.atomic():
        locked = services.lock_job(job.pk)
        assert locked is not None
        services.job_end(locked, status=J.COMPLETED, reason="Done.", now=at(minutes))
    job.refresh_from_db()


def test_a_paused_stretch_is_not_running_time(alice: Any) -> None:
    job = make_job(alice)
    step(job, 0)
    assert job.run_time(at(4)) == seconds(4)
    services.job_pause(job=job, now=at(5))
    job.refresh_from_db()
    assert (job.run_seconds, job.running_since) == (seconds(5), None)
    assert job.run_time(at(50)) == seconds(5)  # the clock is stopped while paused
    services.job_resume(job=job, now=at(50))
    job.refresh_from_db()
    assert job.running_since == at(50)
    assert job.run_time(at(52)) == seconds(7)
    end(job, 53)
    assert (job.run_seconds, job.running_since) == (seconds(8), None)


def test_a_finished_job_extended_later_counts_only_its_runs(alice: Any) -> None:
    job = make_job(alice, max_trials=2)
    step(job, -10)
    end(job, -10 + 70 / 60)  # ran 70 s, ten minutes ago
    assert pages.run_time(job) == 70
    services.job_extend(job=job, max_trials=4)
    job.refresh_from_db()
    assert job.status == J.RUNNING and job.running_since is not None
    later = job.running_since + timedelta(seconds=10)
    assert job.run_time(later) == 80  # not the ten minutes since it first started
    with transaction.atomic():
        locked = services.lock_job(job.pk)
        assert locked is not None
        services.job_end(locked, status=J.COMPLETED, reason="Done.", now=later)
    job.refresh_from_db()
    assert pages.run_time(job) == 80


def test_the_job_page_shows_the_running_time_as_its_duration(client: Client, alice: Any) -> None:
    job = make_job(alice, max_trials=2)
    step(job, -10)
    services.job_pause(job=job, now=at(-10 + 70 / 60))
    client.force_login(alice)
    page = client.get(reverse("trainingjobs:detail", args=[job.pk])).content.decode()
    assert 'data-testid="job-duration">1 min 10 s<' in page


def test_a_paused_job_does_not_time_out_and_resumes_with_its_time_left(alice: Any) -> None:
    job = make_job(alice, max_duration_minutes=30)
    step(job, 0)
    assert job.deadline_at == at(30)
    services.job_pause(job=job, now=at(5))
    assert scheduler.due_jobs(now=at(60)) == []
    step(job, 60)
    assert job.status == J.PAUSED
    services.job_resume(job=job, now=at(60))
    job.refresh_from_db()
    assert job.deadline_at == at(85)  # 25 minutes of running left
    step(job, 84)
    assert job.status == J.RUNNING
    assert scheduler.due_jobs(now=at(85)) == [job.pk]
    step(job, 85)
    assert job.status == J.TIMED_OUT
    assert job.run_seconds == seconds(30)


def test_a_running_trial_of_a_paused_job_is_not_stopped_by_the_old_deadline(
    alice: Any,
) -> None:
    job = make_job(alice, max_duration_minutes=1)
    step(job, -30)
    trial = trials(job)[0]
    claim(trial, -30)
    services.job_pause(job=job, now=at(-29.5))
    job.refresh_from_db()
    assert job.deadline_at is not None and job.deadline_at < at(0)
    monitor = TrialMonitor(trial, clock=lambda: 0.0)
    assert monitor.poll() is None  # the job's clock is stopped: no time out
    job.refresh_from_db()
    assert job.status == J.PAUSED


def test_the_pages_data_carry_the_running_time(alice: Any) -> None:
    job = make_job(alice)
    step(job, 0)
    services.job_pause(job=job, now=at(2))
    services.job_resume(job=job, now=at(9))
    job.refresh_from_db()
    info = dashboard.job_info(job, best_number=None)
    assert (info["run_seconds"], info["running_since"]) == (120, at(9).isoformat())
    progress = event_progress.progress(job.pk)
    assert progress is not None
    assert (progress["run_seconds"], progress["running_since"]) == (120, at(9).isoformat())
    services.job_pause(job=job, now=at(10))
    progress = event_progress.progress(job.pk)
    assert progress is not None
    assert (progress["run_seconds"], progress["running_since"]) == (180, None)
