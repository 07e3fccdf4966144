"""A job's JSON export nests each trial's parameters as an object; its CSV keeps one
``param:<name>`` column per parameter."""

from __future__ import annotations

import csv
import doctest
import io
import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse

from trainingjobs import exports
from trainingjobs.models import TrainingJob, Trial

from .engine_helpers import T0, make_job

pytestmark = pytest.mark.django_db

SPACE = {
    "lr": {"type": "float", "low": 1e-4, "high": 1.0, "log": True},
    "opt": {"type": "choice", "values": ["adam", "sgd"]},
}


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def job(alice: Any) -> TrainingJob:
    job = make_job(alice, search_space=SPACE)
    Trial.objects.create(
        job=job, number=1, status="completed", algorithm="tpe", value=0.9,
        params={"lr": 0.01, "opt": "sgd"}, started_at=T0, finished_at=T0 + timedelta(seconds=8),
    )
    Trial.objects.create(
        job=job, number=2, status="failed", algorithm="random", value=None,
        params={"lr": 0.5}, started_at=T0,
    )
    return job


def body(response: Any) -> str:
    assert response.status_code == 200 and response.streaming
    return b"".join(response.streaming_content).decode()


def test_json_trials_nest_their_parameters(alice_client: Any, job: TrainingJob) -> None:
    url = reverse("trainingjobs:export", args=[job.pk, "trials", "json"])
    assert json.loads(body(alice_client.get(url))) == [
        {
            "number": 1, "status": "completed", "algorithm": "tpe", "value": 0.9,
            "started_at": T0.isoformat(), "finished_at": (T0 + timedelta(seconds=8)).isoformat(),
            "duration_s": 8.0, "params": {"lr": 0.01, "opt": "sgd"},
        },
        {
            "number": 2, "status": "failed", "algorithm": "random", "value": None,
            "started_at": T0.isoformat(), "finished_at": None, "duration_s": None,
            "params": {"lr": 0.5, "opt": None},  # a parameter the trial lacks is null
        },
    ]  # fmt: skip


def test_the_api_json_export_has_the_same_shape(alice_api: Any, job: TrainingJob) -> None:
    response = alice_api.get(f"/api/v1/training-jobs/{job.pk}/export/trials.json")
    rows = json.loads(body(response))
    assert [row["params"] for row in rows] == [
        {"lr": 0.01, "opt": "sgd"}, {"lr": 0.5, "opt": None},
    ]  # fmt: skip
    assert not any(key.startswith("param:") for row in rows for key in row)


def test_csv_trials_keep_one_column_per_parameter(alice_client: Any, job: TrainingJob) -> None:
    url = reverse("trainingjobs:export", args=[job.pk, "trials", "csv"])
    rows = list(csv.reader(io.StringIO(body(alice_client.get(url)))))
    assert rows[0] == [*exports.TRIAL_COLUMNS, "param:lr", "param:opt"]
    assert rows[1][-2:] == ["0.01", "sgd"] and rows[2][-2:] == ["0.5", ""]


def test_docstring_examples_of_exports_run() -> None:
    result = doctest.testmod(exports, verbose=False)
    assert result.attempted > 0 and result.failed == 0
