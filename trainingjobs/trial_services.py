"""Write workflows for one trial: a user's stop, a worker's claim, and the trial's end.

Views, API views, the worker (``trainingjobs.execution``) and the reaper call these. Trial
claims and ends are conditional UPDATEs on the trial's status: two workers, or a worker
and the lost-trial reaper, can race for the same trial and exactly one wins. A trial's end
locks its job's row first (``services.lock_job``) and keeps the job's best trial in the
same transaction. A stop the trial's state does not allow raises ``JobStateError``.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from trainingjobs import history, scheduler
from trainingjobs.models import MetricPoint, TrainingJob, Trial
from trainingjobs.services import JobStateError, lock_job, publish

JobStatus = TrainingJob.Status
TrialStatus = Trial.Status


def trial_stop(*, trial: Trial) -> Trial:
    """A user's early stop: a running trial ends early_stopped at the monitor's next poll;
    a queued one is canceled at once."""
    now = timezone.now()
    with transaction.atomic():
        queued = Trial.objects.filter(pk=trial.pk, status=TrialStatus.QUEUED)
        if queued.update(
            status=TrialStatus.CANCELED,
            status_reason="Stopped by the user before it started.",
            finished_at=now,
        ):
            scheduler.submit(trial.job_id)
            publish(
                trial.job_id,
                "trial.finished",
                {
                    "trial": trial.pk,
                    "status": TrialStatus.CANCELED,
                    "value": None,
                    "reason": "Stopped by the user before it started.",
                    "finished_at": now,
                },
            )
        elif not Trial.objects.filter(
            pk=trial.pk, status=TrialStatus.RUNNING, stop_requested=""
        ).update(stop_requested=TrialStatus.EARLY_STOPPED):
            current = Trial.objects.get(pk=trial.pk)
            if current.status == TrialStatus.RUNNING:
                raise JobStateError(f"Trial #{current.number} is already stopping.")
            raise JobStateError(
                f"Trial #{current.number} has already ended ({current.get_status_display()})."
            )
    trial.refresh_from_db()
    return trial


def trial_claim(*, trial_id: int, worker: str, now: datetime | None = None) -> bool:
    """Take a queued trial for this worker; True only for the one caller that won.

    A conditional UPDATE on the trial's own row: when a task is delivered twice, or two
    workers race, the database lets one UPDATE change the row and the other sees 0 rows.
    A trial of a job that is not running (paused, ended) is not claimed; a resume queues
    it again.
    """
    now = now or timezone.now()
    job_running = TrainingJob.objects.filter(pk=OuterRef("job_id"), status=JobStatus.RUNNING)
    won = (
        Trial.objects.filter(pk=trial_id, status=TrialStatus.QUEUED)
        .filter(Exists(job_running))
        .update(status=TrialStatus.RUNNING, worker=worker, started_at=now, heartbeat_at=now)
    )
    return bool(won)


def trial_finish(
    *,
    trial_id: int,
    status: str,
    reason: str,
    exit_code: int | None = None,
    now: datetime | None = None,
    only_if: Q | None = None,
    schedule: bool = True,
    locked: TrainingJob | None = None,
) -> bool:
    """End a running trial: its status, reason and objective; the job's best trial.

    The objective is computed from the stored points (flush them first), as the job
    says (last or best, finite values only). Only a trial still running is ended (and
    only when ``only_if`` holds too), so a trial the reaper marked lost stays lost and a
    trial ended twice ends once. Returns whether this call ended it. A scheduling step
    is queued on commit unless ``schedule`` is False (the caller steps the job itself).
    ``locked`` is the trial's job when the caller already holds its lock (``lock_job``)
    in the current transaction.
    """
    now = now or timezone.now()
    if locked is None:
        job_id = Trial.objects.filter(pk=trial_id).values_list("job_id", flat=True).first()
        if job_id is None:
            return False
    else:
        job_id = locked.pk
    with transaction.atomic():
        job = locked or lock_job(job_id, now=now)
        if job is None:
            return False
        stored = MetricPoint.objects.filter(trial_id=trial_id).order_by("step")
        value = history.objective(
            stored.values_list("value", flat=True), how=job.objective, goal=job.metric_goal
        )
        running = Trial.objects.filter(pk=trial_id, status=TrialStatus.RUNNING)
        if only_if is not None:
            running = running.filter(only_if)
        if not running.update(
            status=status,
            status_reason=reason,
            value=value,
            exit_code=exit_code,
            finished_at=now,
            stop_requested="",
        ):
            return False
        if status in Trial.SCORED:
            _update_best(job, trial_id, value)
        if schedule:
            scheduler.submit(job_id)
        publish(
            job_id,
            "trial.finished",
            {
                "trial": trial_id,
                "status": status,
                "value": value,
                "reason": reason,
                "finished_at": now,
                "best_trial": job.best_trial_id,
            },
        )
    return True


def _update_best(job: TrainingJob, trial_id: int, value: float | None) -> None:
    best_value = (
        Trial.objects.filter(pk=job.best_trial_id).values_list("value", flat=True).first()
        if job.best_trial_id
        else None
    )
    if history.is_better(value, best_value, goal=job.metric_goal):
        job.best_trial_id = trial_id
        job.save(update_fields=["best_trial", "updated_at"])
