"""Background tasks of the algorithms app: thin wrappers that take ids and call a service."""

from __future__ import annotations

from huey.contrib.djhuey import db_task

from algorithms import services


@db_task()
def validate_algorithm_package(algorithm_id: int) -> None:
    services.algorithm_validate_package(algorithm_id=algorithm_id)
