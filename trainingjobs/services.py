"""Write workflows for training jobs.

Views, API views and tasks call these for every write (a trial's stop, claim and end are
in ``trainingjobs.trial_services``). Each job-level write locks the job's row first
(``lock_job``), the same lock the scheduler's step takes, so a cancel, a pause, an
extension, a trial's end and a scheduling step never interleave on one job. A request the
job's state does not allow raises ``JobStateError`` with a message for the user. Work for
the workers (a scheduling step, a trial) is enqueued on commit.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.utils import timezone

from algorithms.spec_values import plural
from trainingjobs import events, scheduler
from trainingjobs.models import TrainingJob, Trial
from trainingjobs.spec_fields import MAX_TRIALS
from trainingjobs.spec_values import label
from trainingjobs.trial_budget import budget_used  # the one rule; the scheduler reads it here

if TYPE_CHECKING:
    from trainingjobs.specs import JobSpec

logger = logging.getLogger(__name__)

JobStatus = TrainingJob.Status
TrialStatus = Trial.Status


class JobStateError(Exception):
    """The job or trial is not in a state that allows the request; the message says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class JobExtendError(JobStateError):
    """An extension refused for the values it gives: ``errors`` maps each field it is
    about (``max_trials``, ``max_duration_minutes``) to messages that name it as the job
    page labels it, so the page and the API put each message on its field."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(" ".join(message for messages in errors.values() for message in messages))
        self.errors = errors


# --- the lock and the one place events leave from --------------------------------------------


def lock_job(job_id: int, *, now: datetime | None = None) -> TrainingJob | None:
    """The job's row, locked for the rest of the current transaction (None if deleted).

    The first statement is a write on purpose. On PostgreSQL the UPDATE takes the row
    lock (as SELECT ... FOR UPDATE would) before anything is read. On SQLite, where
    ``select_for_update`` is a no-op, a transaction that starts with a write takes the
    database's write lock before it reads, so two steps for one job run one after the
    other and the second reads what the first committed. (The embedded settings already
    open every transaction with BEGIN IMMEDIATE; the write keeps this true for a
    ``DATABASE_URL=sqlite://`` deployment opened in the default deferred mode.)

    The lock is PostgreSQL's ``FOR NO KEY UPDATE`` (what the UPDATE takes), not ``FOR
    UPDATE``: inserting a row that references the job (a live event, stored in the
    transaction of the change it announces) takes ``FOR KEY SHARE`` on the job's row,
    which ``FOR UPDATE`` would block. A trial's flush then never waits for a lock holder,
    and a lock holder that waits for the flush's event number (the unique ``seq``) is
    never waited on in return. For the same reason a transaction takes this lock before
    it stores any event of the job.
    """
    touched = TrainingJob.objects.filter(pk=job_id).update(updated_at=now or timezone.now())
    if not touched:
        return None
    return TrainingJob.objects.select_for_update(no_key=True).get(pk=job_id)


def publish(job_id: int, event: str, data: dict[str, Any] | None = None) -> None:
    """Where the live dashboard's events leave the engine.

    Every change a dashboard shows (job status, trial start and end, metric points) goes
    through here, inside the transaction that makes the change: ``trainingjobs.events``
    numbers and stores it there (no commit of its own) and sends it to the job's
    websocket group once that transaction commits.
    """
    logger.debug("job %s: %s %s", job_id, event, data or {})
    events.publish(job_id, event, data)


def enqueue_trials(trial_ids: Iterable[int], *, stamped: bool = False) -> None:
    """Queue ``run_trial`` for each trial once the current transaction commits.

    Their ``enqueued_at`` is set to now unless ``stamped`` (the caller set it already, as
    the scheduler does when it creates them).
    """
    from trainingjobs.tasks import run_trial

    ids = list(trial_ids)
    if not stamped:
        Trial.objects.filter(pk__in=ids).update(enqueued_at=timezone.now())
    # On commit: a worker must never look for a trial row that is not committed yet.
    transaction.on_commit(lambda: [run_trial(pk) for pk in ids])


# --- jobs -------------------------------------------------------------------------------------


def job_create(*, owner: Any, spec: JobSpec) -> TrainingJob:
    """Save a validated job; its first scheduling step runs once the job is committed."""
    with transaction.atomic():
        job = TrainingJob.objects.create(owner=owner, **spec.model_fields())
        scheduler.submit(job.pk)
        publish(job.pk, "job.created")
    return job


def job_end(job: TrainingJob, *, status: str, reason: str, now: datetime) -> None:
    """End a locked job: queued trials are canceled, running ones asked to stop.

    Running trials end cooperatively: their monitor sees ``stop_requested`` at its next
    poll and ends the process group, so a job's end never waits on a worker.
    """
    job.transition(status, reason, now=now)
    job.finished_at = now
    job.save(
        update_fields=["status", "status_reason", "finished_at", *job.CLOCK_FIELDS, "updated_at"]
    )
    trials = Trial.objects.filter(job_id=job.pk)
    trials.filter(status=TrialStatus.QUEUED).update(
        status=TrialStatus.CANCELED,
        status_reason=f"Not started: {_ended(job)}",
        finished_at=now,
    )
    trials.filter(status=TrialStatus.RUNNING, stop_requested="").update(
        stop_requested=TrialStatus.CANCELED
    )
    publish(job.pk, "job.status", {"status": status, "reason": reason})


def _ended(job: TrainingJob) -> str:
    label = TrainingJob.Status(job.status).label.lower()
    return f"the job was {label}." if job.status == JobStatus.CANCELED else f"the job {label}."


def job_cancel(*, job: TrainingJob, reason: str = "Canceled by the user.") -> TrainingJob:
    """Cancel a job that has not ended; its running trials are stopped within a poll."""
    with transaction.atomic():
        locked = _locked(job)
        if locked.status not in TrainingJob.ACTIVE:
            raise JobStateError(f"The job has already ended ({locked.get_status_display()}).")
        job_end(locked, status=JobStatus.CANCELED, reason=reason, now=timezone.now())
    return locked


def job_pause(*, job: TrainingJob, now: datetime | None = None) -> TrainingJob:
    """No new trial starts while paused (queued ones wait); running ones finish. The job's
    clock stops: its running time and the time it has left do not change while paused."""
    with transaction.atomic():
        locked = _locked(job)
        if locked.status != JobStatus.RUNNING:
            raise JobStateError(
                f"Only a running job can be paused; this one is {locked.get_status_display()}."
            )
        # The clock stops: a paused job's running time and time left stay as they are.
        locked.transition(JobStatus.PAUSED, "Paused by the user.", now=now)
        locked.save(update_fields=["status", "status_reason", *locked.CLOCK_FIELDS, "updated_at"])
        publish(locked.pk, "job.status", {"status": locked.status})
    return locked


def job_resume(*, job: TrainingJob, now: datetime | None = None) -> TrainingJob:
    """Run a paused job again: its waiting trials are queued again and free slots filled;
    its deadline is now plus the running time it has left."""
    with transaction.atomic():
        locked = _locked(job)
        if locked.status != JobStatus.PAUSED:
            raise JobStateError(
                f"Only a paused job can be resumed; this one is {locked.get_status_display()}."
            )
        locked.transition(JobStatus.RUNNING, now=now)
        locked.save(update_fields=["status", "status_reason", *locked.CLOCK_FIELDS, "updated_at"])
        # Their run_trial tasks found the job paused and left them queued.
        waiting = Trial.objects.filter(job_id=locked.pk, status=TrialStatus.QUEUED)
        enqueue_trials(waiting.values_list("pk", flat=True))
        scheduler.submit(locked.pk)
        publish(locked.pk, "job.status", {"status": locked.status})
    return locked


def job_extend(
    *,
    job: TrainingJob,
    max_trials: int | None = None,
    max_duration_minutes: int | None = None,
) -> TrainingJob:
    """Give a job more trials and/or more time (new totals, each above the current one).

    A finished job runs again and continues the same search from the same history. The
    time limit counts running time: the job runs until its running time reaches the new
    total (the time it had left when it ended, plus the added minutes).
    Refused when the job would end again at once (no trial or no time left, or its
    failed-trials limit already reached), with a message saying which.
    """
    if max_trials is None and max_duration_minutes is None:
        raise JobStateError("Give more trials, more minutes, or both.")
    now = timezone.now()
    with transaction.atomic():
        locked = _locked(job)
        was_finished = locked.is_finished
        errors: dict[str, list[str]] = {}
        if max_trials is not None:
            _extend_trials(locked, max_trials, errors)
        if max_duration_minutes is not None:
            _extend_duration(locked, max_duration_minutes, now, errors)
        if errors:
            raise JobExtendError(errors)
        _check_can_run(locked, now)
        if was_finished:
            locked.transition(JobStatus.RUNNING, now=now)
            locked.finished_at = None
        locked.save()
        if locked.status == JobStatus.RUNNING:
            scheduler.submit(locked.pk)
        publish(locked.pk, "job.extended")
    return locked


def _extend_trials(job: TrainingJob, max_trials: int, errors: dict[str, list[str]]) -> None:
    name = label("max_trials")
    if max_trials <= job.max_trials:
        errors["max_trials"] = [
            f"{name} must be more than the {job.max_trials} already allowed, got {max_trials}."
        ]
    elif max_trials > MAX_TRIALS:
        errors["max_trials"] = [f"{name} must be at most {MAX_TRIALS}, got {max_trials}."]
    else:
        job.max_trials = max_trials


def _extend_duration(
    job: TrainingJob, minutes: int, now: datetime, errors: dict[str, list[str]]
) -> None:
    current = job.max_duration_minutes
    if current is None:
        errors["max_duration_minutes"] = ["The job has no time limit, so there is none to extend."]
    elif minutes <= current:
        errors["max_duration_minutes"] = [
            f"{label('max_duration_minutes')} must be more than the {current} already allowed, "
            f"got {minutes}."
        ]
    else:
        job.max_duration_minutes = minutes
        if job.status == JobStatus.RUNNING:
            job.deadline_at = job.deadline_from(now)  # a paused or ended job's is set on resume


def _check_can_run(job: TrainingJob, now: datetime) -> None:
    counts = trial_counts(job.pk)
    if budget_used(counts) >= job.max_trials:
        ran = plural(job.max_trials, "trial")
        raise JobExtendError({"max_trials": [f"The job has run all its {ran}: give it more."]})
    limit = job.max_duration_minutes
    if limit is not None and job.run_time(now) >= limit * 60:
        raise JobExtendError(
            {"max_duration_minutes": ["The job has no time left: give it more minutes."]}
        )
    failed = failed_count(job, counts)
    if job.max_failed is not None and failed >= max(job.max_failed, 1):
        raise JobStateError(
            f"The job stopped at its limit of {job.max_failed} failed trials; it would stop "
            "again at once."
        )


def _locked(job: TrainingJob) -> TrainingJob:
    locked = lock_job(job.pk)
    if locked is None:
        raise JobStateError("The job no longer exists.")
    return locked


# --- counting -------------------------------------------------------------------------------


def trial_counts(job_id: int) -> dict[str, int]:
    """{status: number of trials} for the job, every status present (0 when none)."""
    return Trial.objects.status_counts(job_id)


def failed_count(job: TrainingJob, counts: dict[str, int]) -> int:
    lost = counts[TrialStatus.LOST] if job.lost_counts_as_failed else 0
    return counts[TrialStatus.FAILED] + lost
