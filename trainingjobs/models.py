"""Training jobs, their trials and the metric points the trials report.

The database is the source of truth: samplers are pure functions of the job's
history (its trials and their points), so any worker, after any restart, computes
the same next trials from these rows alone.

Statuses:
    job:   created -> running (<-> paused) -> completed | failed | canceled | timed_out;
           extending a finished job sets it running again.
    trial: queued -> running -> completed | failed | early_stopped | canceled | lost;
           a queued trial may also go straight to canceled.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from algorithms.models import Algorithm, IllegalTransition

__all__ = ["IllegalTransition", "JobEvent", "MetricPoint", "Trial", "TrainingJob", "TrialLog"]


class TrainingJobQuerySet(models.QuerySet["TrainingJob"]):
    def visible_to(self, user: Any) -> TrainingJobQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(owner=user)

    def search(self, term: str) -> TrainingJobQuerySet:
        """Jobs whose name contains ``term`` (any case): the list page's search box and the
        API's ``?search=`` alike; a term with a NUL matches nothing."""
        term = term.strip()
        if not term:
            return self
        if "\x00" in term:  # no field holds a NUL (PostgreSQL refuses one in a query)
            return self.none()
        return self.filter(name__icontains=term)


class TrainingJob(models.Model):
    class Status(models.TextChoices):
        CREATED = "created", "Created"
        RUNNING = "running", "Running"
        PAUSED = "paused", "Paused"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELED = "canceled", "Canceled"
        TIMED_OUT = "timed_out", "Timed out"

    class Objective(models.TextChoices):
        LAST = "last", "Last reported value"
        BEST = "best", "Best reported value"

    FINISHED = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELED, Status.TIMED_OUT})
    ACTIVE = frozenset({Status.CREATED, Status.RUNNING, Status.PAUSED})

    TRANSITIONS: dict[str, set[str]] = {
        Status.CREATED: {Status.RUNNING, Status.CANCELED, Status.FAILED},
        Status.RUNNING: {
            Status.PAUSED,
            Status.COMPLETED,
            Status.FAILED,
            Status.CANCELED,
            Status.TIMED_OUT,
        },
        Status.PAUSED: {Status.RUNNING, Status.CANCELED, Status.TIMED_OUT, Status.FAILED},
        # Extending a finished job continues the same search.
        Status.COMPLETED: {Status.RUNNING},
        Status.FAILED: {Status.RUNNING},
        Status.CANCELED: {Status.RUNNING},
        Status.TIMED_OUT: {Status.RUNNING},
    }

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_jobs"
    )
    name = models.CharField(max_length=128)
    description = models.TextField(blank=True)
    # A job keeps its algorithm: deleting an algorithm a job uses is refused.
    algorithm = models.ForeignKey(Algorithm, on_delete=models.PROTECT, related_name="training_jobs")
    # The data every trial reads (data_url); a dataset a job uses cannot be deleted.
    dataset = models.ForeignKey(
        "datasets.Dataset",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="training_jobs",
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.CREATED)
    status_reason = models.TextField(blank=True)

    # What every trial runs with. `fixed`: {name: typed value} passed to every trial
    # (defaults included, placeholders allowed in strings); `omitted`: optional
    # hyperparameters whose flag is not passed; `search_space`: {name: search.SearchSpace
    # JSON spec} for the searched ones. A name is in exactly one of the three.
    fixed = models.JSONField(default=dict, blank=True)
    omitted = models.JSONField(default=list, blank=True)
    search_space = models.JSONField(default=dict, blank=True)
    # [{"name": "tpe", "params": {...}}]; several take turns on one budget.
    search_algorithms = models.JSONField(default=list, blank=True)
    # {"name": "bandit", "slack_factor": 0.1, ...}; {} = no early termination.
    policy = models.JSONField(default=dict, blank=True)
    # {NAME: value} set in every trial's environment (validated by specs: never one of
    # the variables the console sets, nor its secrets).
    environment = models.JSONField(default=dict, blank=True)
    # How trials pass values to the script, copied from the algorithm at creation
    # (trainingjobs.interface): editing the algorithm never changes an existing job's
    # command lines. {} only for a row written directly (it reads the algorithm's).
    interface = models.JSONField(default=dict, blank=True)
    metric_name = models.CharField(max_length=64, blank=True)
    metric_goal = models.CharField(
        max_length=8, choices=Algorithm.Goal.choices, default=Algorithm.Goal.MAXIMIZE
    )
    metric_regex = models.CharField(max_length=1000, blank=True)
    objective = models.CharField(max_length=8, choices=Objective.choices, default=Objective.LAST)
    seed = models.PositiveIntegerField(default=0)

    max_trials = models.PositiveIntegerField(default=1)
    max_concurrent = models.PositiveIntegerField(default=1)
    max_duration_minutes = models.PositiveIntegerField(null=True, blank=True)
    trial_timeout_minutes = models.PositiveIntegerField(null=True, blank=True)
    max_failed = models.PositiveIntegerField(null=True, blank=True)
    lost_counts_as_failed = models.BooleanField(default=False)

    # Kept by trial_services.trial_finish in the same transaction as the trial's end: the
    # list page shows it for every job without aggregating points.
    best_trial = models.ForeignKey(
        "Trial", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When max_duration_minutes of running time runs out if the job keeps running: set
    # each time the job starts running (start, resume, extension of a finished job) from
    # the running time it has left, and moved by an extension. Only a running job times
    # out: a paused or finished job's clock is stopped.
    deadline_at = models.DateTimeField(null=True, blank=True)
    # The job's running time: the spans already closed (at a pause or an end) in
    # run_seconds, and the start of the open one in running_since (None unless running).
    # Elapsed, duration and the time limit count this, not wall time since started_at.
    run_seconds = models.FloatField(default=0)
    running_since = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = TrainingJobQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["owner", "status"])]

    def __str__(self) -> str:
        return self.name

    # Saved with every status change: transition() keeps the running clock.
    CLOCK_FIELDS = ("run_seconds", "running_since", "deadline_at")

    def transition(self, target: str, reason: str = "", *, now: datetime | None = None) -> None:
        """Move to `target` or raise IllegalTransition; the caller saves (``CLOCK_FIELDS``
        too). Leaving ``running`` closes the running span, entering it opens one and
        sets the deadline from the running time left."""
        if target not in self.TRANSITIONS.get(self.status, set()):
            raise IllegalTransition(f"Job {self.pk} cannot go from {self.status} to {target}")
        now = now or timezone.now()
        if self.status == self.Status.RUNNING and target != self.Status.RUNNING:
            self.run_seconds = self.run_time(now)
            self.running_since = None
        elif target == self.Status.RUNNING and self.status != self.Status.RUNNING:
            self.running_since = now
            self.deadline_at = self.deadline_from(now)
        self.status = target
        self.status_reason = reason

    def run_time(self, now: datetime | None = None) -> float:
        """Seconds the job has been running (paused and ended stretches left out)."""
        if self.running_since is None:
            return self.run_seconds
        span = ((now or timezone.now()) - self.running_since).total_seconds()
        return self.run_seconds + max(0.0, span)

    def deadline_from(self, now: datetime) -> datetime | None:
        """When the time limit runs out if the job runs from ``now`` on; None without one."""
        if self.max_duration_minutes is None:
            return None
        left = max(0.0, self.max_duration_minutes * 60 - self.run_time(now))
        return now + timedelta(seconds=left)

    @property
    def is_search(self) -> bool:
        """False for a plain single training run (no hyperparameter searched)."""
        return bool(self.search_space)

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class TrialQuerySet(models.QuerySet["Trial"]):
    def visible_to(self, user: Any) -> TrialQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(job__owner=user)

    def status_counts(self, job_id: int) -> dict[str, int]:
        """{status: number of the job's trials}, every status present (0 when none)."""
        counts = dict.fromkeys(Trial.Status.values, 0)
        rows = self.filter(job_id=job_id).order_by().values_list("status")
        for status, n in rows.annotate(n=models.Count("pk")):
            counts[status] = n
        return counts


class Trial(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        EARLY_STOPPED = "early_stopped", "Early stopped"
        CANCELED = "canceled", "Canceled"
        LOST = "lost", "Lost"

    PENDING = frozenset({Status.QUEUED, Status.RUNNING})
    # Trials whose value is a result: the job's best, best so far, the leaderboard and
    # importance read only these (a failed, canceled or lost trial's last report is not).
    SCORED = frozenset({Status.COMPLETED, Status.EARLY_STOPPED})
    FINISHED = frozenset(
        {Status.COMPLETED, Status.FAILED, Status.EARLY_STOPPED, Status.CANCELED, Status.LOST}
    )

    TRANSITIONS: dict[str, set[str]] = {
        Status.QUEUED: {Status.RUNNING, Status.CANCELED, Status.LOST},
        Status.RUNNING: {
            Status.COMPLETED,
            Status.FAILED,
            Status.EARLY_STOPPED,
            Status.CANCELED,
            Status.LOST,
        },
    }

    job = models.ForeignKey(TrainingJob, on_delete=models.CASCADE, related_name="trials")
    # 1-based, in creation order within the job.
    number = models.PositiveIntegerField()
    # The search algorithm (sampler name) that proposed it; "" for a single run.
    algorithm = models.CharField(max_length=32, blank=True)
    # The searched values only; fixed ones are on the job.
    params = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    status_reason = models.TextField(blank=True)
    # The objective (last or best reported value, as the job says); None when the
    # trial reported nothing or its objective is not finite.
    value = models.FloatField(null=True, blank=True)
    # The argument list it ran, exactly (written when it starts).
    command = models.JSONField(default=list, blank=True)
    exit_code = models.IntegerField(null=True, blank=True)
    # "host:pid" of the worker that claimed it, and its last sign of life.
    worker = models.CharField(max_length=200, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)
    # When its run_trial task was last queued: a trial still queued long after this (no
    # worker claimed it, its task is no longer in the queue) is queued again.
    enqueued_at = models.DateTimeField(null=True, blank=True)
    # Set by a user (stop button) or a cancel: the monitor ends the process and gives
    # the trial this status ("early_stopped" or "canceled").
    stop_requested = models.CharField(max_length=16, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    objects = TrialQuerySet.as_manager()

    class Meta:
        ordering = ["job_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["job", "number"], name="unique_trial_number_per_job")
        ]
        indexes = [models.Index(fields=["job", "status"]), models.Index(fields=["status"])]

    def __str__(self) -> str:
        return f"{self.job_id}#{self.number}"

    def transition(self, target: str, reason: str = "") -> None:
        """Move to `target` or raise IllegalTransition; the caller saves."""
        if target not in self.TRANSITIONS.get(self.status, set()):
            raise IllegalTransition(f"Trial {self.pk} cannot go from {self.status} to {target}")
        self.status = target
        self.status_reason = reason

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED


class TrialLog(models.Model):
    """The captured output of a trial (stdout and stderr, as a terminal shows them).

    Kept apart from Trial so that lists of trials never load logs. Capped: past the
    cap, ``truncated`` is set and a notice line ends ``text``; metrics are still read.
    """

    trial = models.OneToOneField(Trial, on_delete=models.CASCADE, related_name="log")
    text = models.TextField(blank=True)
    size = models.PositiveBigIntegerField(default=0)  # characters stored
    lines = models.PositiveIntegerField(default=0)  # lines seen, stored or not
    truncated = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"log of {self.trial_id}"


class MetricPoint(models.Model):
    """One report of the search metric: the `step`-th value the trial's log showed.

    ``value`` is None for NaN (SQLite stores no NaN); infinities are kept as they are.
    """

    trial = models.ForeignKey(Trial, on_delete=models.CASCADE, related_name="points")
    step = models.PositiveIntegerField()  # 1-based report index
    value = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["trial_id", "step"]
        constraints = [
            models.UniqueConstraint(fields=["trial", "step"], name="unique_point_step_per_trial")
        ]

    def __str__(self) -> str:
        return f"{self.trial_id}@{self.step}={self.value}"


class JobEvent(models.Model):
    """One event the live dashboard saw, numbered per job (``seq`` 1, 2, 3 ...).

    Written by ``trainingjobs.events`` before the event is sent, so a page that was
    disconnected asks for the events after the last number it holds and gets exactly
    those. Only the dashboard reads these rows; the trials and points stay the truth.
    """

    job = models.ForeignKey(TrainingJob, on_delete=models.CASCADE, related_name="events")
    seq = models.PositiveBigIntegerField()
    type = models.CharField(max_length=32)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["job_id", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["job", "seq"], name="unique_event_seq_per_job")
        ]

    def __str__(self) -> str:
        return f"{self.job_id}:{self.seq} {self.type}"
