"""A search on the bundled digits as a CSV dataset: every trial gets the data path, writes
a model, and the best trial's model downloads and loads. Real trials, real subprocesses."""

from __future__ import annotations

import io
import json
import pickle
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from algorithms import services as algorithm_services
from algorithms.models import Algorithm
from datasets import services
from datasets.models import OutputFile
from tests.datasets.helpers import create_dataset
from trainingjobs import execution, scheduler
from trainingjobs.models import TrainingJob, Trial

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
DIGITS_SGD = ROOT / "examples" / "digits_sgd"


def digits_csv() -> bytes:
    """scikit-learn's bundled 8x8 digits as a CSV: 64 pixel columns, the label last."""
    from sklearn.datasets import load_digits

    digits = load_digits()
    table = np.column_stack([digits.data, digits.target])
    buf = io.BytesIO()
    np.savetxt(buf, table, fmt="%g", delimiter=",")
    return buf.getvalue()


def digits_algorithm(owner: Any, capture: Any) -> Algorithm:
    spec = json.loads((DIGITS_SGD / "algorithm.json").read_text())
    with capture(execute=True):  # the package check runs on commit (huey immediate)
        algorithm = algorithm_services.algorithm_create(
            owner=owner, spec=spec, server_path=str(DIGITS_SGD)
        )
    Algorithm.objects.filter(pk=algorithm.pk).update(accepts_data_urls=True)
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY, algorithm.status_reason
    return algorithm


def run_to_end(job_id: int, limit: int = 10) -> TrainingJob:
    """Drive the job a step at a time on this process: schedule, then run what is queued."""
    for _ in range(limit):
        scheduler.schedule_step(job_id)
        queued = Trial.objects.filter(job_id=job_id, status=Trial.Status.QUEUED)
        for trial_id in queued.values_list("pk", flat=True):
            execution.execute_trial(trial_id)
        job = TrainingJob.objects.get(pk=job_id)
        if job.is_finished:
            return job
    raise AssertionError(f"job {job_id} did not end: {job.status}")


def test_search_on_the_digits_csv_downloads_a_model_that_loads(
    alice: Any,
    alice_api: Any,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    settings.TRIAL_WORK_DIR = tmp_path / "work"
    settings.DATA_CACHE_DIR = tmp_path / "cache"
    dataset = create_dataset(alice, "digits", upload=SimpleUploadedFile("digits.csv", digits_csv()))
    algorithm = digits_algorithm(alice, django_capture_on_commit_callbacks)
    answer = alice_api.post(
        "/api/v1/training-jobs/",
        {
            "name": "digits on a dataset",
            "algorithm": algorithm.pk,
            "dataset": dataset.pk,
            "hyperparameters": {"epochs": 20},
            "search_space": {"eta0": {"type": "float", "low": 0.001, "high": 0.1, "log": True}},
            "search_algorithms": [{"name": "random", "params": {}}],
            "max_trials": 2,
            "max_concurrent": 1,
        },
        format="json",
    )
    assert answer.status_code == 201, answer.content
    assert answer.json()["dataset"] == dataset.pk
    job = run_to_end(answer.json()["id"])

    data_path = tmp_path / "cache" / "datasets" / dataset.content_hash / "digits.csv"
    trials = list(job.trials.order_by("number"))
    assert [t.status for t in trials] == ["completed", "completed"], [
        t.status_reason for t in trials
    ]
    for trial in trials:
        assert f"--data_url={data_path}" in trial.command
        stored = OutputFile.objects.filter(output_set__trial=trial)
        assert set(stored.values_list("path", flat=True)) == {"model.pkl", "metrics.json"}

    assert job.best_trial_id is not None
    zipped = alice_api.get(f"/api/v1/trials/{job.best_trial_id}/outputs.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content)))
    saved = pickle.loads(archive.read("model.pkl"))
    table = np.loadtxt(io.BytesIO(digits_csv()), delimiter=",")
    predicted = saved["model"].predict(saved["scaler"].transform(table[:, :-1]))
    assert (predicted == table[:, -1]).mean() > 0.8


def _ready_algorithm(owner: Any) -> Algorithm:
    return Algorithm.objects.create(
        owner=owner,
        name="a",
        boot_file="train.py",
        code_source="server_path",
        server_path=str(DIGITS_SGD),
        status=Algorithm.Status.READY,
    )


def test_another_users_dataset_cannot_be_picked(alice: Any, bob: Any, alice_api: Any) -> None:
    theirs = create_dataset(bob, "theirs", upload=SimpleUploadedFile("d.csv", b"1,2\n"))
    algorithm = _ready_algorithm(alice)
    answer = alice_api.post(
        "/api/v1/training-jobs/",
        {"name": "j", "algorithm": algorithm.pk, "dataset": theirs.pk},
        format="json",
    )
    assert answer.status_code == 400
    assert "Unknown dataset" in json.dumps(answer.json()["dataset"])
    assert not TrainingJob.objects.exists()


def test_a_dataset_in_use_cannot_be_deleted(alice: Any, alice_api: Any, alice_client: Any) -> None:
    dataset = create_dataset(alice, "used", upload=SimpleUploadedFile("d.csv", b"1,2\n"))
    algorithm = Algorithm.objects.create(
        owner=alice, name="a", boot_file="train.py", status=Algorithm.Status.READY
    )
    TrainingJob.objects.create(owner=alice, name="j", algorithm=algorithm, dataset=dataset)
    answer = alice_api.delete(f"/api/v1/datasets/{dataset.pk}/")
    assert answer.status_code == 409
    assert "used by 1 training job" in answer.json()["detail"]
    page = alice_client.post(f"/datasets/{dataset.pk}/delete/", follow=True)
    assert "used by 1 training job" in page.content.decode()
    assert services.Dataset.objects.filter(pk=dataset.pk).exists()


def test_a_dataset_not_ready_cannot_be_picked(alice: Any, alice_api: Any) -> None:
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=False):
        waiting = services.dataset_create(
            owner=alice, name="waiting", upload=SimpleUploadedFile("d.csv", b"1,2\n")
        )
    algorithm = _ready_algorithm(alice)
    answer = alice_api.post(
        "/api/v1/training-jobs/",
        {"name": "j", "algorithm": algorithm.pk, "dataset": waiting.pk},
        format="json",
    )
    assert answer.status_code == 400
    assert "'waiting' is still being processed" in json.dumps(answer.json()["dataset"])
    assert not TrainingJob.objects.exists()
