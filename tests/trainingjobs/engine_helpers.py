"""Named builders for the engine's tests: an algorithm, a job, and one trial's life.

Time is passed explicitly (``at(minutes)``) so that a test drives the scheduler and the
trials one step at a time, with no sleeps and no threads.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.utils import timezone

from algorithms.models import Algorithm, Hyperparameter
from trainingjobs import scheduler, trial_services
from trainingjobs.models import MetricPoint, TrainingJob, Trial

REGEX = r"accuracy=(\S+)"
T0 = timezone.now().replace(microsecond=0)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def make_algorithm(owner: Any, **fields: Any) -> Algorithm:
    values: dict[str, Any] = {
        "name": f"toy-{Algorithm.objects.count() + 1}",
        "boot_file": "train.py",
        "code_source": Algorithm.CodeSource.SERVER_PATH,
        "server_path": "/nonexistent",
        "status": Algorithm.Status.READY,
        "auto_search": True,
        "metric_name": "accuracy",
        "metric_regex": REGEX,
    }
    values.update(fields)
    algorithm = Algorithm.objects.create(owner=owner, **values)
    Hyperparameter.objects.create(
        algorithm=algorithm, position=0, name="x", type="float", default=0.5, min=0, max=1
    )
    Hyperparameter.objects.create(
        algorithm=algorithm, position=1, name="epochs", type="int", default=3, min=1, max=9
    )
    return algorithm


def make_job(owner: Any, algorithm: Algorithm | None = None, **fields: Any) -> TrainingJob:
    values: dict[str, Any] = {
        "name": "search",
        "algorithm": algorithm or make_algorithm(owner),
        "fixed": {"epochs": 3},
        "search_space": {"x": {"type": "uniform", "low": 0, "high": 1}},
        "search_algorithms": [{"name": "random", "params": {}}],
        "metric_name": "accuracy",
        "metric_goal": "maximize",
        "metric_regex": REGEX,
        "seed": 7,
        "max_trials": 4,
        "max_concurrent": 2,
    }
    values.update(fields)
    return TrainingJob.objects.create(owner=owner, **values)


def step(job: TrainingJob, minutes: float = 0) -> bool:
    changed = scheduler.schedule_step(job.pk, now=at(minutes))
    job.refresh_from_db()
    return changed


def trials(job: TrainingJob, *statuses: str) -> list[Trial]:
    rows = Trial.objects.filter(job=job).order_by("number")
    return list(rows.filter(status__in=statuses) if statuses else rows)


def claim(trial: Trial, minutes: float = 0, worker: str = "host-a:1") -> bool:
    won = trial_services.trial_claim(trial_id=trial.pk, worker=worker, now=at(minutes))
    trial.refresh_from_db()
    return won


def report(trial: Trial, values: Iterable[float | None]) -> None:
    start = MetricPoint.objects.filter(trial=trial).count()
    MetricPoint.objects.bulk_create(
        MetricPoint(trial=trial, step=start + i, value=v, created_at=timezone.now())
        for i, v in enumerate(values, start=1)
    )


def finish(
    trial: Trial,
    status: str = Trial.Status.COMPLETED,
    values: Iterable[float | None] = (0.5,),
    minutes: float = 0,
    reason: str = "",
) -> bool:
    report(trial, values)
    ended = trial_services.trial_finish(
        trial_id=trial.pk, status=status, reason=reason, exit_code=0, now=at(minutes)
    )
    trial.refresh_from_db()
    return ended
