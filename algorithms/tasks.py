"""Background tasks of the algorithms app: thin wrappers that take ids and call a service."""

from __future__ import annotations

from datetime import timedelta

from huey import crontab
from huey.contrib.djhuey import HUEY, db_periodic_task, db_task
from huey.exceptions import TaskLockedException

from algorithms import package_validation, pending
from algorithms.task_queue import SHORT_TASK_PRIORITY


@db_task(priority=SHORT_TASK_PRIORITY)
def validate_algorithm_package(algorithm_id: int) -> None:
    # While the consumer is down the periodic requeue keeps adding a task per creating
    # algorithm; when it comes back the copies would run side by side. The per-id lock
    # lets one run; a copy that finds it taken returns, since the running one (the
    # service is idempotent) does the same work.
    try:
        with HUEY.lock_task(f"validate-algorithm-{algorithm_id}"):
            package_validation.algorithm_validate_package(algorithm_id=algorithm_id)
    except TaskLockedException:
        return


@db_periodic_task(crontab(minute="*/2"))
def requeue_stale_validations() -> None:
    package_validation.algorithm_requeue_stale_validations(older_than=timedelta(minutes=2))


@db_periodic_task(crontab(minute="17", hour="*"))
def purge_pending_uploads() -> None:
    pending.pending_purge(older_than=timedelta(days=1))
