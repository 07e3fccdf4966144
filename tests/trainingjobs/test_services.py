"""Job and trial services: create, cancel, pause/resume, extend, stop, claim, finish, lost."""

from __future__ import annotations

import dataclasses
import math
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

from trainingjobs import execution, reaper, services, tasks, trial_services
from trainingjobs.models import TrainingJob, Trial
from trainingjobs.services import JobExtendError, JobStateError

from .engine_helpers import at, claim, finish, make_algorithm, make_job, step, trials

pytestmark = pytest.mark.django_db

S = Trial.Status
J = TrainingJob.Status


@pytest.fixture
def enqueued(monkeypatch: pytest.MonkeyPatch) -> dict[str, list[int]]:
    """What the services queue for the workers (recorded instead of run)."""
    queued: dict[str, list[int]] = {"schedule": [], "run_trial": []}
    monkeypatch.setattr(tasks, "schedule", queued["schedule"].append)
    monkeypatch.setattr(tasks, "run_trial", queued["run_trial"].append)
    return queued


def test_job_create_saves_the_spec_and_schedules_on_commit(
    alice: Any, enqueued: dict[str, list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    from trainingjobs.specs import JobSpec

    algorithm = make_algorithm(alice)
    spec = JobSpec(
        name="lr search",
        description="",
        algorithm=algorithm,
        fixed={"epochs": 3},
        omitted=[],
        search_space={"x": {"type": "uniform", "low": 0, "high": 1}},
        search_algorithms=[{"name": "tpe", "params": {}}],
        policy={},
        metric_name="accuracy",
        metric_goal="maximize",
        metric_regex=r"accuracy=(\S+)",
        objective="best",
        seed=3,
        max_trials=6,
        max_concurrent=2,
        max_duration_minutes=None,
        trial_timeout_minutes=5,
        max_failed=None,
        lost_counts_as_failed=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        job = services.job_create(owner=alice, spec=spec)
    job.refresh_from_db()
    assert (job.owner, job.algorithm, job.status) == (alice, algorithm, J.CREATED)
    saved = {f.name: getattr(job, f.name) for f in dataclasses.fields(spec)}
    assert saved == dataclasses.asdict(spec) | {"algorithm": algorithm}
    assert enqueued["schedule"] == [job.pk]


def test_cancel_ends_the_job_cancels_queued_trials_and_stops_running_ones(alice: Any) -> None:
    job = make_job(alice)
    step(job)
    running, queued = trials(job)
    claim(running)
    services.job_cancel(job=job)
    job.refresh_from_db()
    running.refresh_from_db()
    queued.refresh_from_db()
    assert (job.status, job.status_reason) == (J.CANCELED, "Canceled by the user.")
    assert job.finished_at is not None
    assert (queued.status, queued.status_reason) == (
        S.CANCELED,
        "Not started: the job was canceled.",
    )
    assert (running.status, running.stop_requested) == (S.RUNNING, S.CANCELED)
    assert not claim(queued)


def test_a_finished_job_cannot_be_canceled(alice: Any) -> None:
    job = make_job(alice, status=J.COMPLETED)
    with pytest.raises(JobStateError, match=r"already ended \(Completed\)"):
        services.job_cancel(job=job)


def test_pause_and_resume_refuse_the_wrong_state(alice: Any) -> None:
    job = make_job(alice)
    with pytest.raises(JobStateError, match="Only a running job can be paused"):
        services.job_pause(job=job)
    with pytest.raises(JobStateError, match="Only a paused job can be resumed"):
        services.job_resume(job=job)


def test_resume_queues_the_waiting_trials_again(
    alice: Any, enqueued: dict[str, list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    job = make_job(alice)
    step(job)
    services.job_pause(job=job)
    with django_capture_on_commit_callbacks(execute=True):
        services.job_resume(job=job)
    assert enqueued["run_trial"] == [t.pk for t in trials(job)]
    assert enqueued["schedule"] == [job.pk]


def _complete_all(job: TrainingJob) -> None:
    step(job)
    while job.status == J.RUNNING:
        for trial in trials(job, S.QUEUED):
            claim(trial)
            finish(trial, values=[trial.number / 10])
        step(job)


def test_extending_a_completed_job_continues_the_same_search(alice: Any) -> None:
    job = make_job(alice, max_trials=2)
    _complete_all(job)
    assert job.status == J.COMPLETED
    first_two = [t.params for t in trials(job)]
    services.job_extend(job=job, max_trials=4)
    job.refresh_from_db()
    assert (job.status, job.max_trials, job.finished_at) == (J.RUNNING, 4, None)
    _complete_all(job)
    rows = trials(job)
    assert [t.number for t in rows] == [1, 2, 3, 4]
    assert [t.params for t in rows[:2]] == first_two
    assert job.status == J.COMPLETED and job.best_trial == rows[-1]


def test_extending_a_timed_out_job_runs_it_to_the_new_total_of_running_time(
    alice: Any,
) -> None:
    job = make_job(alice, max_trials=10, max_duration_minutes=30)
    step(job, 0)
    step(job, 31)  # the check came a minute late: it ran 31 minutes
    assert job.status == J.TIMED_OUT
    assert (job.run_seconds, job.running_since) == (31 * 60, None)
    before = timezone.now()
    services.job_extend(job=job, max_duration_minutes=45)
    job.refresh_from_db()
    assert job.status == J.RUNNING
    assert job.max_duration_minutes == 45
    assert job.deadline_at is not None and job.running_since is not None
    # 45 minutes of running in all: 14 are left, however long it sat timed out
    assert job.deadline_at - job.running_since == timedelta(minutes=14)
    assert before <= job.running_since <= timezone.now()


def test_extending_a_running_job_moves_its_deadline(alice: Any) -> None:
    job = make_job(alice, max_duration_minutes=30)
    step(job, 0)
    services.job_extend(job=job, max_duration_minutes=40, max_trials=8)
    job.refresh_from_db()
    assert (job.deadline_at, job.max_trials, job.status) == (at(40), 8, J.RUNNING)


@pytest.mark.parametrize(
    ("fields", "extension", "message"),
    [
        ({}, {}, "Give more trials, more minutes, or both."),
        ({}, {"max_trials": 4}, r"Max trials must be more than the 4 already allowed, got 4\."),
        ({}, {"max_trials": 1001}, "Max trials must be at most 1000, got 1001."),
        ({}, {"max_duration_minutes": 60}, "The job has no time limit, so there is none to"),
        (
            {"max_duration_minutes": 60},
            {"max_duration_minutes": 30},
            r"Max duration \(minutes\) must be more than the 60 already allowed, got 30\.",
        ),
    ],
)
def test_extensions_that_are_not_more_are_refused(
    alice: Any, fields: dict[str, Any], extension: dict[str, Any], message: str
) -> None:
    job = make_job(alice, **fields)
    with pytest.raises(JobStateError, match=message):
        services.job_extend(job=job, **extension)


def test_a_refused_extension_names_each_field_and_changes_nothing(alice: Any) -> None:
    job = make_job(alice, max_trials=8, max_duration_minutes=60)
    with pytest.raises(JobExtendError) as refused:
        services.job_extend(job=job, max_trials=3, max_duration_minutes=45)
    assert refused.value.errors == {
        "max_trials": ["Max trials must be more than the 8 already allowed, got 3."],
        "max_duration_minutes": [
            "Max duration (minutes) must be more than the 60 already allowed, got 45."
        ],
    }
    job.refresh_from_db()
    assert (job.max_trials, job.max_duration_minutes) == (8, 60)


def test_extending_a_completed_job_with_time_only_is_refused(alice: Any) -> None:
    job = make_job(alice, max_trials=2, max_duration_minutes=600)
    _complete_all(job)
    with pytest.raises(JobStateError, match="has run all its 2 trials"):
        services.job_extend(job=job, max_duration_minutes=700)


def test_extending_a_job_at_its_failed_limit_is_refused(alice: Any) -> None:
    job = make_job(alice, max_trials=5, max_failed=1)
    step(job)
    trial = trials(job)[0]
    claim(trial)
    finish(trial, S.FAILED, values=[])
    step(job)
    assert job.status == J.FAILED
    with pytest.raises(JobStateError, match="limit of 1 failed trials"):
        services.job_extend(job=job, max_trials=9)


def test_stop_asks_a_running_trial_to_stop_early(alice: Any) -> None:
    job = make_job(alice)
    step(job)
    trial = trials(job)[0]
    claim(trial)
    trial_services.trial_stop(trial=trial)
    assert (trial.status, trial.stop_requested) == (S.RUNNING, S.EARLY_STOPPED)
    with pytest.raises(JobStateError, match="already stopping"):
        trial_services.trial_stop(trial=trial)


def test_stop_cancels_a_queued_trial_and_refuses_an_ended_one(alice: Any) -> None:
    job = make_job(alice)
    step(job)
    trial = trials(job)[0]
    trial_services.trial_stop(trial=trial)
    assert (trial.status, trial.status_reason) == (
        S.CANCELED,
        "Stopped by the user before it started.",
    )
    with pytest.raises(JobStateError, match=r"#1 has already ended \(Canceled\)"):
        trial_services.trial_stop(trial=trial)


def test_a_queued_trial_stopped_by_hand_never_runs_and_frees_its_place_in_the_budget(
    alice: Any, enqueued: dict[str, list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    job = make_job(alice, max_trials=2, max_concurrent=2)
    step(job)
    first, second = trials(job)
    with django_capture_on_commit_callbacks(execute=True):
        trial_services.trial_stop(trial=second)
    assert enqueued["schedule"] == [job.pk]  # the job is stepped to fill the place
    # Its task, delivered later, finds it canceled: it never starts.
    assert not execution.execute_trial(second.pk)
    second.refresh_from_db()
    assert (second.status, second.started_at, second.command) == (S.CANCELED, None, [])
    assert services.budget_used(services.trial_counts(job.pk)) == 1
    step(job)
    third = trials(job)[-1]
    assert (third.number, third.status) == (3, S.QUEUED)  # another trial takes its place
    for trial in (first, third):
        claim(trial)
        finish(trial, values=[0.5])
    step(job)
    assert (job.status, job.status_reason) == (J.COMPLETED, "Ran all 2 trials.")
    assert [t.status for t in trials(job)] == [S.COMPLETED, S.CANCELED, S.COMPLETED]


def test_the_last_trial_of_the_budget_stopped_before_it_started_is_replaced(alice: Any) -> None:
    job = make_job(alice, max_trials=2, max_concurrent=1)
    step(job)
    first = trials(job)[0]
    claim(first)
    finish(first, values=[0.5])
    step(job)
    second = trials(job)[-1]
    trial_services.trial_stop(trial=second)
    step(job)
    third = trials(job)[-1]
    assert third.number == 3  # the stopped one used no budget: one more trial runs
    claim(third)
    finish(third, values=[0.7])
    step(job)
    assert job.status == J.COMPLETED and len(trials(job)) == 3


def test_a_trial_is_claimed_once(alice: Any) -> None:
    job = make_job(alice)
    step(job)
    trial = trials(job)[0]
    assert claim(trial, worker="host-a:1")
    assert not claim(trial, worker="host-b:2")
    assert trial.worker == "host-a:1" and trial.started_at == at(0)


@pytest.mark.parametrize(
    ("objective", "goal", "values", "expected"),
    [
        ("last", "maximize", [0.2, 0.9, 0.4], 0.4),
        ("best", "maximize", [0.2, 0.9, 0.4], 0.9),
        ("best", "minimize", [0.2, 0.9, 0.4], 0.2),
        ("best", "maximize", [0.2, None, math.inf], 0.2),
        ("last", "maximize", [0.2, None], None),
        ("last", "maximize", [0.2, math.inf], None),
    ],
)
def test_a_trial_ends_with_its_objective(
    alice: Any, objective: str, goal: str, values: list[float | None], expected: float | None
) -> None:
    job = make_job(alice, objective=objective, metric_goal=goal)
    step(job)
    trial = trials(job)[0]
    claim(trial)
    assert finish(trial, values=values, minutes=3)
    assert (trial.status, trial.value, trial.finished_at) == (S.COMPLETED, expected, at(3))
    job.refresh_from_db()
    assert job.best_trial == (trial if expected is not None else None)


def test_the_best_trial_follows_the_goal_and_ignores_non_finite_values(alice: Any) -> None:
    job = make_job(alice, metric_goal="minimize", max_concurrent=4, max_trials=4)
    step(job)
    a, b, c, d = trials(job)
    for trial, values in ((a, [0.5]), (b, [0.3]), (c, [math.nan]), (d, [0.4])):
        claim(trial)
        finish(trial, values=values)
    job.refresh_from_db()
    assert job.best_trial == b


def test_a_failed_trial_is_never_the_best(alice: Any) -> None:
    job = make_job(alice)
    step(job)
    trial = trials(job)[0]
    claim(trial)
    finish(trial, S.FAILED, values=[0.99])
    job.refresh_from_db()
    assert trial.value == 0.99 and job.best_trial is None


def test_a_trial_ends_once(alice: Any) -> None:
    job = make_job(alice)
    step(job)
    trial = trials(job)[0]
    claim(trial)
    assert finish(trial, S.COMPLETED, values=[0.5])
    assert not finish(trial, S.FAILED, values=[])
    assert trial.status == S.COMPLETED


def test_trials_without_heartbeat_are_lost_and_their_job_goes_on(
    alice: Any, enqueued: dict[str, list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    job = make_job(alice)
    step(job)
    stale, fresh = trials(job)
    claim(stale, 0, worker="host-a:41")
    claim(fresh, 4)
    with django_capture_on_commit_callbacks(execute=True):
        lost = reaper.trials_mark_lost(older_than_s=120, now=at(5))
    assert lost == [stale.pk]
    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == S.LOST and fresh.status == S.RUNNING
    assert stale.status_reason.startswith("Lost: its worker host-a:41 gave no sign of life since")
    assert "(limit 120 s)" in stale.status_reason
    assert enqueued["schedule"] == [job.pk]


def test_a_late_finish_of_a_lost_trial_changes_nothing(alice: Any) -> None:
    job = make_job(alice)
    step(job)
    trial = trials(job)[0]
    claim(trial, 0)
    reaper.trials_mark_lost(older_than_s=60, now=at(10))
    assert not finish(trial, values=[0.9])
    assert trial.status == S.LOST


def test_queued_trials_of_running_jobs_are_queued_again_when_stale(
    alice: Any, enqueued: dict[str, list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    job = make_job(alice)
    step(job)
    with django_capture_on_commit_callbacks(execute=True):
        again = reaper.trials_requeue_stale(
            older_than_s=60, now=timezone.now() + timedelta(minutes=5)
        )
    assert sorted(again) == sorted(enqueued["run_trial"]) == [t.pk for t in trials(job)]


def test_a_queued_trial_is_queued_again_only_when_unclaimed_gone_from_the_queue_and_stale(
    alice: Any, enqueued: dict[str, list[int]], django_capture_on_commit_callbacks: Any
) -> None:
    job = make_job(alice)
    step(job)
    first, second = trials(job)
    assert first.enqueued_at == second.enqueued_at == at(0)

    def requeue(minutes: float, waiting: set[int] | None = None) -> list[int]:
        with django_capture_on_commit_callbacks(execute=True):
            return reaper.trials_requeue_stale(
                older_than_s=120, now=at(minutes), in_queue=lambda: set(waiting or ())
            )

    assert requeue(1) == []  # queued a minute ago: its task is still on its way
    assert requeue(3, waiting={first.pk}) == [second.pk]  # first is only behind busy workers
    second.refresh_from_db()
    assert second.enqueued_at == at(3) and enqueued["run_trial"] == [second.pk]
    assert requeue(4) == [first.pk]  # second was queued again a minute ago
    claim(first, 5)
    assert requeue(10) == [second.pk]  # a claimed trial is never queued again
    services.job_pause(job=job)
    assert requeue(20) == []  # a paused job's trials wait for its resume
    assert enqueued["run_trial"] == [second.pk, first.pk, second.pk]


def test_resuming_a_job_stamps_its_waiting_trials_as_queued_now(
    alice: Any, enqueued: dict[str, list[int]]
) -> None:
    job = make_job(alice)
    step(job)
    services.job_pause(job=job)
    services.job_resume(job=job)
    assert all(t.enqueued_at is not None and t.enqueued_at > at(0) for t in trials(job))
