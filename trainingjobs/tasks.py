"""Background tasks of training jobs: thin wrappers that take ids and call the engine.

Every task is idempotent: a scheduling step re-reads the job under its lock, a trial
runs only if its claim wins, and the reapers change only rows that are still stale.
"""

from __future__ import annotations

from django.conf import settings
from huey import crontab
from huey.contrib.djhuey import close_db, db_periodic_task, db_task, on_startup

from algorithms.task_queue import SHORT_TASK_PRIORITY, waiting_ids
from trainingjobs import event_retention, execution, reaper, scheduler


@db_task(priority=SHORT_TASK_PRIORITY)
def schedule(job_id: int) -> None:
    scheduler.schedule_step(job_id)


@db_task()
def run_trial(trial_id: int) -> None:
    execution.execute_trial(trial_id)


@db_periodic_task(crontab(minute="*"))
def reap_lost_trials() -> None:
    """Running trials whose worker stopped are lost; queued ones whose task vanished (not
    claimed, not in the queue, queued over the limit ago) are queued again (their jobs
    are stepped by the trials' ends)."""
    reaper.trials_mark_lost(older_than_s=settings.TRIAL_LOST_AFTER_SECONDS)
    reaper.trials_requeue_stale(older_than_s=settings.TRIAL_LOST_AFTER_SECONDS)


def waiting_trial_ids() -> set[int]:
    """Trial ids of the ``run_trial`` tasks still waiting in the queue (not yet taken)."""
    return waiting_ids(run_trial)


@db_periodic_task(crontab(minute="*"))
def check_deadlines() -> None:
    """Jobs past their max duration end even when none of their trials is reporting."""
    for job_id in scheduler.due_jobs():
        scheduler.schedule_step(job_id)


@db_periodic_task(crontab(minute="17"))
def prune_events() -> None:
    """Hourly: live events no page will ask for again are deleted."""
    event_retention.prune_events()


@on_startup()
@close_db
def reap_own_dead_trials() -> None:
    # A restarted worker does not wait for the heartbeat limit to free its host's trials.
    reaper.reap_dead_local_trials()
