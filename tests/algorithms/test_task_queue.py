"""The reapers' view of the queue: which ids still wait for a worker, per task."""

from __future__ import annotations

from huey.contrib.djhuey import HUEY

from algorithms.task_queue import waiting_ids
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
