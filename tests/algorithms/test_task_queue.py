"""The reapers' view of the queue: which ids still wait for a worker, per task."""

from __future__ import annotations

import time

from django.db import DatabaseError
from huey.contrib.djhuey import HUEY

from algorithms.task_queue import heartbeats, waiting_ids
from datasets.tasks import process_dataset, waiting_dataset_ids
from trainingjobs.tasks import run_trial, waiting_trial_ids


def test_waiting_ids_are_the_queued_calls_of_that_task_only() -> None:
    # Put calls in the queue without running them (the tests' huey runs tasks at once).
    for call in (run_trial.s(7), run_trial.s(9), process_dataset.s(3)):
        HUEY.storage.enqueue(HUEY.serialize_task(call))
    try:
        assert waiting_ids(run_trial) == {7, 9}
        assert waiting_trial_ids() == {7, 9}
        assert waiting_dataset_ids() == {3}
    finally:
        HUEY.storage.flush_queue()
    assert waiting_ids(run_trial) == set()


def test_heartbeats_beat_while_the_work_lasts_and_stop_after() -> None:
    beats: list[float] = []
    with heartbeats(lambda: beats.append(time.monotonic()), 0.05, "test"):
        time.sleep(0.5)
    after = len(beats)
    time.sleep(0.2)
    assert after >= 3 and len(beats) == after


def test_a_failed_heartbeat_never_ends_the_work() -> None:
    def beat() -> None:
        raise DatabaseError("the database went away")

    with heartbeats(beat, 0.01, "test"):
        time.sleep(0.1)  # the block runs to its end; the failure is only logged


def test_short_work_writes_no_heartbeat() -> None:
    beats: list[int] = []
    with heartbeats(lambda: beats.append(1), 60, "test"):
        pass
    assert beats == []


def test_short_tasks_leave_the_queue_before_the_trials_queued_ahead_of_them() -> None:
    from algorithms.tasks import validate_algorithm_package
    from trainingjobs.tasks import schedule

    calls = (
        run_trial.s(1),
        run_trial.s(2),
        validate_algorithm_package.s(5),
        run_trial.s(3),
        process_dataset.s(6),
        schedule.s(7),
    )
    for call in calls:  # as HUEY.enqueue stores them, without running them
        HUEY.storage.enqueue(HUEY.serialize_task(call), call.priority)
    try:
        taken = []
        while (data := HUEY.storage.dequeue()) is not None:
            task = HUEY.deserialize_task(data)
            taken.append((task.name.rsplit(".", 1)[-1], task.args[0]))
    finally:
        HUEY.storage.flush_queue()
    # The short ones first, in the order they came; then the trials, in theirs.
    assert taken == [
        ("validate_algorithm_package", 5),
        ("process_dataset", 6),
        ("schedule", 7),
        ("run_trial", 1),
        ("run_trial", 2),
        ("run_trial", 3),
    ]
