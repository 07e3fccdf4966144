"""Background tasks of the datasets app: thin wrappers that take ids and call app code."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from algorithms.task_queue import SHORT_TASK_PRIORITY, waiting_ids
from datasets import outputs, processing


@db_task(priority=SHORT_TASK_PRIORITY)
def process_dataset(dataset_id: int) -> None:
    processing.dataset_process(dataset_id=dataset_id)


@db_periodic_task(crontab(minute="*/10"))
def requeue_stale_datasets() -> None:
    processing.datasets_requeue_stale(
        older_than=timedelta(minutes=10), waiting=waiting_dataset_ids()
    )


def waiting_dataset_ids() -> set[int]:
    """Dataset ids of the ``process_dataset`` tasks still waiting in the queue."""
    return waiting_ids(process_dataset)


@db_periodic_task(crontab(minute="*/5"))
def apply_output_retention() -> None:
    outputs.outputs_apply_retention()
