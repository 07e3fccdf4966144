"""Migration 0008: a job that existed before jobs kept their interface gets its
algorithm's as it was then, so later edits of the algorithm change none of its commands."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("trainingjobs", "0007_job_running_time"),
    ("algorithms", "0004_algorithm_script_arguments"),
]
AFTER = [("trainingjobs", "0008_job_interface")]


def test_existing_jobs_get_their_algorithms_interface(django_user_model: Any) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    apps = executor.loader.project_state(BEFORE).apps
    User = apps.get_model("auth", "User")
    Algorithm = apps.get_model("algorithms", "Algorithm")
    Hyperparameter = apps.get_model("algorithms", "Hyperparameter")
    TrainingJob = apps.get_model("trainingjobs", "TrainingJob")
    owner = User.objects.create(username="old")
    algorithm = Algorithm.objects.create(
        owner=owner, name="old", boot_file="train.py", argument_style="space"
    )
    Hyperparameter.objects.create(algorithm=algorithm, position=1, name="y", type="int", default=3)
    Hyperparameter.objects.create(algorithm=algorithm, position=0, name="x", type="float")
    job = TrainingJob.objects.create(owner=owner, algorithm=algorithm, name="old job")

    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    apps = executor.loader.project_state(AFTER).apps
    migrated = apps.get_model("trainingjobs", "TrainingJob").objects.get(pk=job.pk)
    assert migrated.interface == {
        "table": [
            {"name": "x", "type": "float", "default": None},
            {"name": "y", "type": "int", "default": 3},
        ],
        "argument_style": "space",
        "bool_style": "true_false",
        "accepts_data_urls": False,
    }
    executor.loader.build_graph()
    MigrationExecutor(connection).migrate(executor.loader.graph.leaf_nodes())
