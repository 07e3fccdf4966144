"""The scheduler, one step at a time: free slots, turns, limits and the job's end."""

from __future__ import annotations

from typing import Any

import pytest

from trainingjobs import scheduler
from trainingjobs.models import TrainingJob, Trial

from .engine_helpers import at, claim, finish, make_job, step, trials

pytestmark = pytest.mark.django_db

S = Trial.Status
J = TrainingJob.Status


def test_first_step_starts_the_job_and_queues_max_concurrent_trials(
    alice: Any, django_capture_on_commit_callbacks: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from trainingjobs import tasks

    enqueued: list[int] = []
    monkeypatch.setattr(tasks, "run_trial", enqueued.append)
    job = make_job(alice, max_trials=5, max_concurrent=2, max_duration_minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert step(job)
    assert job.status == J.RUNNING
    assert job.started_at == at(0)
    assert job.deadline_at == at(30)
    queued = trials(job, S.QUEUED)
    assert [t.number for t in queued] == [1, 2]
    assert all(t.algorithm == "random" and 0 <= t.params["x"] <= 1 for t in queued)
    assert enqueued == [t.pk for t in queued]  # on commit


def test_step_fills_only_free_slots(alice: Any) -> None:
    job = make_job(alice, max_trials=10, max_concurrent=3)
    step(job)
    first, second, _ = trials(job)
    claim(first)
    claim(second)
    assert not step(job)  # 2 running + 1 queued = 3
    finish(first)
    assert step(job)
    assert len(trials(job)) == 4
    assert len(trials(job, S.QUEUED, S.RUNNING)) == 3


def _max_overlap(rows: list[Trial]) -> int:
    events = sorted(
        [(t.started_at, 1) for t in rows if t.started_at]
        + [(t.finished_at, -1) for t in rows if t.started_at and t.finished_at]
    )
    running = peak = 0
    for _, delta in events:  # an end at the same instant as a start sorts first (-1 < 1)
        running += delta
        peak = max(peak, running)
    return peak


def test_concurrency_never_exceeded_over_a_whole_job(alice: Any) -> None:
    job = make_job(alice, max_trials=9, max_concurrent=3)
    minute = 0
    step(job, minute)
    while job.status == J.RUNNING:
        for trial in trials(job, S.QUEUED):
            claim(trial, minute)
        running = trials(job, S.RUNNING)
        assert len(running) <= 3
        minute += 1
        # The oldest running trial ends; its end triggers the next step.
        finish(running[0], values=[0.1 * running[0].number], minutes=minute)
        step(job, minute)
    rows = trials(job)
    assert len(rows) == 9
    assert all(t.status == S.COMPLETED for t in rows)
    assert _max_overlap(rows) == 3
    assert job.status == J.COMPLETED
    assert job.status_reason == "Ran all 9 trials."
    assert job.best_trial == rows[-1]


def test_job_completes_at_max_trials_only_when_nothing_is_pending(alice: Any) -> None:
    job = make_job(alice, max_trials=2, max_concurrent=2)
    step(job)
    one, two = trials(job)
    claim(one)
    claim(two)
    finish(one, values=[0.3])
    assert not step(job)
    assert job.status == J.RUNNING
    finish(two, values=[0.6])
    step(job)
    assert job.status == J.COMPLETED
    assert job.finished_at is not None
    assert job.best_trial == two


def test_deadline_times_the_job_out_and_stops_its_trials(alice: Any) -> None:
    job = make_job(alice, max_trials=10, max_concurrent=2, max_duration_minutes=60)
    step(job, 0)
    one, two = trials(job)
    claim(one, 1)
    step(job, 59)
    assert job.status == J.RUNNING
    step(job, 60)
    assert job.status == J.TIMED_OUT
    assert job.status_reason == (
        "Reached its maximum duration of 60 minutes; the 1 trial still running was stopped."
    )
    one.refresh_from_db()
    two.refresh_from_db()
    assert one.status == S.RUNNING and one.stop_requested == S.CANCELED
    assert two.status == S.CANCELED and two.status_reason == "Not started: the job timed out."


def test_due_jobs_lists_jobs_past_their_deadline(alice: Any) -> None:
    late = make_job(alice, max_duration_minutes=5)
    on_time = make_job(alice, max_duration_minutes=50)
    step(late, 0)
    step(on_time, 0)
    assert scheduler.due_jobs(now=at(10)) == [late.pk]


def test_job_fails_at_max_failed_trials_with_the_first_failure(alice: Any) -> None:
    job = make_job(alice, max_trials=10, max_concurrent=2, max_failed=2)
    step(job)
    one, two = trials(job)
    claim(one)
    claim(two)
    finish(one, S.FAILED, values=[], reason="Exited with code 1.\nLast lines: boom")
    step(job)
    assert job.status == J.RUNNING
    finish(two, S.FAILED, values=[], reason="Exited with code 2.")
    step(job)
    assert job.status == J.FAILED
    assert job.status_reason.startswith("2 trials failed, reaching the limit of 2 failed trials.")
    assert "The first failure, trial #1: Exited with code 1.\nLast lines: boom" in job.status_reason
    assert trials(job, S.QUEUED) == []
    assert all(t.status == S.CANCELED for t in trials(job)[2:])


@pytest.mark.parametrize("counts", [False, True])
def test_lost_trials_count_as_failed_only_when_asked(alice: Any, counts: bool) -> None:
    job = make_job(alice, max_trials=10, max_failed=1, lost_counts_as_failed=counts)
    step(job)
    lost = trials(job)[0]
    claim(lost)
    finish(lost, S.LOST, values=[], reason="Lost: no heartbeat")
    step(job)
    assert job.status == (J.FAILED if counts else J.RUNNING)


def test_lost_trials_do_not_use_the_trial_budget(alice: Any) -> None:
    job = make_job(alice, max_trials=2, max_concurrent=1)
    step(job)
    first = trials(job)[0]
    claim(first)
    finish(first, S.LOST, values=[])
    step(job)
    assert [t.number for t in trials(job, S.QUEUED)] == [2]
    second = trials(job)[1]
    claim(second)
    finish(second)
    step(job)
    assert job.status == J.RUNNING  # 1 of 2 trials counted
    assert len(trials(job)) == 3


def test_a_job_whose_every_trial_failed_says_why(alice: Any) -> None:
    job = make_job(alice, max_trials=2, max_concurrent=2)
    step(job)
    for number, trial in enumerate(trials(job), start=1):
        claim(trial)
        finish(trial, S.FAILED, values=[], reason=f"Exited with code {number}.\nTraceback x")
    step(job)
    assert job.status == J.FAILED
    assert job.status_reason == (
        "Ran all 2 trials. Every trial (2) ended without success. "
        "The first failure, trial #1: Exited with code 1.\nTraceback x"
    )


def test_grid_exhausted_ends_the_job_once_nothing_is_pending(alice: Any) -> None:
    job = make_job(
        alice,
        search_space={"x": {"type": "choice", "values": [0.1, 0.2, 0.3]}},
        search_algorithms=[{"name": "grid", "params": {}}],
        max_trials=10,
        max_concurrent=2,
    )
    step(job)
    one, two = trials(job)
    claim(one)
    claim(two)
    finish(one)
    step(job)
    three = trials(job)[2]
    claim(three)
    finish(two)
    assert not step(job)  # nothing left to propose, but trial 3 still runs
    assert job.status == J.RUNNING
    finish(three)
    step(job)
    assert job.status == J.COMPLETED
    assert job.status_reason == "The search space is exhausted: all 3 grid points have been tried."
    assert sorted(t.params["x"] for t in trials(job)) == [0.1, 0.2, 0.3]


def test_two_algorithms_take_turns_on_one_budget(alice: Any) -> None:
    job = make_job(
        alice,
        search_algorithms=[{"name": "random", "params": {}}, {"name": "tpe", "params": {}}],
        max_trials=7,
        max_concurrent=3,
    )
    step(job)
    while job.status == J.RUNNING:
        for trial in trials(job, S.QUEUED):
            claim(trial)
            finish(trial, values=[trial.params["x"]])
        step(job)
    rows = trials(job)
    assert len(rows) == 7
    assert [t.algorithm for t in rows[:3]] == ["random", "tpe", "random"]
    by_algorithm = {name: sum(t.algorithm == name for t in rows) for name in ("random", "tpe")}
    assert by_algorithm == {"random": 4, "tpe": 3}
    assert len({t.params["x"] for t in rows}) == 7


def test_an_algorithm_that_runs_out_leaves_its_turns_to_the_other(alice: Any) -> None:
    job = make_job(
        alice,
        search_space={"x": {"type": "choice", "values": [0.1, 0.2, 0.3, 0.4]}},
        search_algorithms=[{"name": "grid", "params": {}}, {"name": "random", "params": {}}],
        max_trials=6,
        max_concurrent=4,
    )
    step(job)
    for trial in trials(job):
        claim(trial)
        finish(trial)
    step(job)  # the grid is walked: random takes both remaining turns
    rows = trials(job)
    assert [t.algorithm for t in rows] == ["grid", "random", "grid", "random", "random", "random"]
    assert [rows[0].params["x"], rows[2].params["x"]] == [0.1, 0.2]
    assert sorted(t.params["x"] for t in rows[:4]) == [0.1, 0.2, 0.3, 0.4]


def test_the_same_history_and_seed_give_the_same_trials(alice: Any) -> None:
    first = make_job(alice, seed=11, max_trials=3, max_concurrent=3)
    second = make_job(alice, seed=11, max_trials=3, max_concurrent=3)
    other = make_job(alice, seed=12, max_trials=3, max_concurrent=3)
    for job in (first, second, other):
        step(job)
    params = [[t.params for t in trials(job)] for job in (first, second, other)]
    assert params[0] == params[1] != params[2]


def test_a_paused_job_starts_no_trial_until_resumed(alice: Any) -> None:
    from trainingjobs import services

    job = make_job(alice, max_trials=4, max_concurrent=2)
    step(job)
    one, two = trials(job)
    claim(one)
    services.job_pause(job=job)
    assert not claim(two)  # its task finds the job paused and leaves it queued
    finish(one)
    assert not step(job)
    assert len(trials(job)) == 2
    services.job_resume(job=job)
    assert claim(two)
    assert step(job)
    assert len(trials(job)) == 3


def test_a_plain_run_has_one_trial_without_params_and_completes_on_exit_0(alice: Any) -> None:
    job = make_job(
        alice,
        search_space={},
        search_algorithms=[],
        metric_regex="",
        max_trials=1,
        max_concurrent=1,
    )
    step(job)
    (run,) = trials(job)
    assert run.params == {} and run.algorithm == ""
    claim(run)
    finish(run, values=[])
    step(job)
    assert job.status == J.COMPLETED
    assert job.status_reason == "The run finished."


def test_a_finished_job_is_not_stepped(alice: Any) -> None:
    job = make_job(alice, status=J.CANCELED)
    assert not step(job)
    assert trials(job) == []


def test_a_sampler_that_cannot_start_fails_the_job(alice: Any) -> None:
    job = make_job(alice, search_algorithms=[{"name": "random", "params": {"bogus": 1}}])
    step(job)
    assert job.status == J.FAILED
    assert job.status_reason.startswith("The search could not start: random has no parameter")


@pytest.mark.django_db(transaction=True)
def test_steps_of_one_job_never_interleave(alice: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers step the same job at once: the second waits for the first's commit.

    The first step holds its transaction open until the second has had a full second to
    get in; with the job's lock it cannot, and then it sees the first step's trials.
    """
    import threading

    from django.db import connection, transaction

    from trainingjobs import services, tasks

    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("threads share an in-memory SQLite database without its file locks")
    # Already running: the step's first write would otherwise be the job's start.
    job = make_job(alice, max_trials=10, max_concurrent=2, status=J.RUNNING)
    inside: list[str] = []
    second_inside = threading.Event()
    real_counts = services.trial_counts

    def counts(job_id: int) -> dict[str, int]:
        name = threading.current_thread().name
        inside.append(name)
        # The first of the step's commit callbacks: runs the moment the step commits.
        transaction.on_commit(lambda: inside.append(name + " committed"))
        if name == "first":
            second_inside.wait(timeout=1.0)
        else:
            second_inside.set()
        return real_counts(job_id)

    monkeypatch.setattr(services, "trial_counts", counts)
    monkeypatch.setattr(tasks, "run_trial", lambda trial_id: None)  # steps only

    errors: list[BaseException] = []

    def run() -> None:
        try:
            scheduler.schedule_step(job.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    first = threading.Thread(target=run, name="first")
    first.start()
    while not inside:  # the first step holds the lock
        threading.Event().wait(0.01)
    second = threading.Thread(target=run, name="second")
    second.start()
    first.join()
    second.join()
    assert errors == []
    assert inside == ["first", "first committed", "second", "second committed"]
    assert len(trials(job)) == 2  # not 4: the second step saw the first one's trials


# The same race on a real SQLite file (the test database is in memory): two threads step
# one job; the second step must start only after the first has committed.
SQLITE_RACE = """
import os, sys, threading
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from trainingjobs import scheduler, services, tasks
from trainingjobs.models import Trial
from tests.trainingjobs.engine_helpers import make_job

job = make_job(get_user_model().objects.create(username="alice"), status="running")
order, second_in = [], threading.Event()
counts = services.trial_counts

def trial_counts(job_id):
    name = threading.current_thread().name
    order.append(name)
    transaction.on_commit(lambda: order.append(name + " committed"))
    if name == "first":
        second_in.wait(1.0)
    else:
        second_in.set()
    return counts(job_id)

services.trial_counts = trial_counts
tasks.run_trial = lambda trial_id: None

def run():
    try:
        scheduler.schedule_step(job.pk)
    except Exception as exc:
        order.append(repr(exc))
    finally:
        connection.close()

first = threading.Thread(target=run, name="first")
first.start()
while not order:
    threading.Event().wait(0.01)
second = threading.Thread(target=run, name="second")
second.start()
first.join()
second.join()
print(order, Trial.objects.filter(job=job).count())
"""


@pytest.mark.parametrize("deferred", [False, True], ids=["embedded", "database-url"])
def test_steps_of_one_job_never_interleave_on_a_sqlite_file(tmp_path: Any, deferred: bool) -> None:
    import os
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "console.settings", "DATA_DIR": str(tmp_path)}
    for name in ("DATABASE_URL", "REDIS_URL"):  # the embedded default unless set below
        env.pop(name, None)
    if deferred:
        # A DATABASE_URL opens SQLite in its default deferred mode: the step's first
        # statement, a write, is what takes the lock before anything is read.
        env |= {"DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3", "SECRET_KEY": "test"}
    done = subprocess.run(
        [sys.executable, "-c", SQLITE_RACE],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == (
        "['first', 'first committed', 'second', 'second committed'] 2"
    )


def test_a_validated_jobs_seed_reaches_its_samplers(alice: Any) -> None:
    """A job created through the console's own checks (as the API and the create page do)
    stores no sampler seed unless one is given, so the job's seed drives the search: the
    same seed gives the same trials, another seed other trials, and a second search
    algorithm gets the next seed. A seed given for one search algorithm pins that one."""
    from algorithms.models import Algorithm, Engine, Hyperparameter
    from trainingjobs.specs import validate_job_spec

    algorithm = Algorithm.objects.create(
        owner=alice,
        name="seeded",
        boot_file="train.py",
        engine=Engine.default(),
        status=Algorithm.Status.READY,
        auto_search=True,
        metric_name="loss",
        metric_goal="minimize",
        metric_regex=r"loss=([0-9.]+)",
        search_algorithms=[{"name": "random", "params": {}}, {"name": "tpe", "params": {}}],
    )
    Hyperparameter.objects.create(
        algorithm=algorithm, position=0, name="x", type="float", default=0.5, min=0, max=1
    )

    def job(seed: int, search_algorithms: list[dict[str, Any]]) -> TrainingJob:
        spec = validate_job_spec(
            owner=alice,
            data={
                "name": f"seed-{seed}",
                "algorithm": algorithm.pk,
                "search_space": {"x": {"type": "float", "low": 0, "high": 1}},
                "search_algorithms": search_algorithms,
                "max_trials": 4,
                "max_concurrent": 4,
                "seed": seed,
            },
        )
        return make_job(
            alice,
            algorithm=algorithm,
            search_space=spec.search_space,
            search_algorithms=spec.search_algorithms,
            seed=spec.seed,
            max_trials=4,
            max_concurrent=4,
        )

    both = [{"name": "random"}, {"name": "tpe"}]
    first, again, other = job(11, both), job(11, both), job(12, both)
    assert [sa["params"]["seed"] for sa in first.search_algorithms] == [None, None]
    assert [s.seed for _, s in scheduler._samplers(first)] == [11, 12]
    for each in (first, again, other):
        step(each)
    xs = [[t.params["x"] for t in trials(each)] for each in (first, again, other)]
    assert xs[0] == xs[1] != xs[2]

    pinned = job(11, [{"name": "random", "params": {"seed": 5}}])
    assert [s.seed for _, s in scheduler._samplers(pinned)] == [5]
