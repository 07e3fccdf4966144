"""Deleting a job (or one trial) removes its trials' outputs from the storage,
after the deletion commits; a deletion that rolls back removes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.db import transaction

from datasets import outputs
from datasets.models import OutputFile
from tests.datasets.helpers import make_trial
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db


def _job_with_outputs(owner: Any, folder: Path, trials: int = 2) -> tuple[Any, list[str]]:
    first = make_trial(owner)
    for number in range(2, trials + 1):
        make_trial(owner, job=first.job, number=number)
    for trial in first.job.trials.all():
        outputs.collect_outputs(trial.pk, folder)
    names = list(OutputFile.objects.values_list("storage_name", flat=True))
    assert len(names) == 2 * trials and all(default_storage.exists(n) for n in names)
    return first.job, names


def test_deleting_a_job_removes_its_outputs_after_commit(
    alice: Any, folder: Path, django_capture_on_commit_callbacks: Any
) -> None:
    job, names = _job_with_outputs(alice, folder)
    with django_capture_on_commit_callbacks(execute=False) as pending:
        job.delete()
        # Until the deletion commits, the files stay (a rollback must lose nothing).
        assert all(default_storage.exists(n) for n in names)
    for callback in pending:
        callback()
    assert not OutputFile.objects.exists()
    assert not any(default_storage.exists(n) for n in names)


def test_a_deletion_that_rolls_back_keeps_the_files(
    alice: Any, folder: Path, django_capture_on_commit_callbacks: Any
) -> None:
    job, names = _job_with_outputs(alice, folder)
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError), transaction.atomic():
            TrainingJob.objects.filter(pk=job.pk).delete()
            raise RuntimeError("something later in the transaction failed")
    assert OutputFile.objects.count() == len(names)
    assert all(default_storage.exists(n) for n in names)


def test_deleting_one_trial_removes_only_its_outputs(
    alice: Any, folder: Path, django_capture_on_commit_callbacks: Any
) -> None:
    job, _names = _job_with_outputs(alice, folder)
    doomed, kept = list(job.trials.order_by("number"))
    doomed_names = list(
        OutputFile.objects.filter(output_set__trial=doomed).values_list("storage_name", flat=True)
    )
    with django_capture_on_commit_callbacks(execute=True):
        doomed.delete()
    assert not any(default_storage.exists(n) for n in doomed_names)
    left = OutputFile.objects.filter(output_set__trial=kept).values_list("storage_name", flat=True)
    assert len(left) == 2 and all(default_storage.exists(n) for n in left)


def test_a_storage_refusing_the_deletion_is_logged_not_raised(
    alice: Any,
    folder: Path,
    django_capture_on_commit_callbacks: Any,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    job, _names = _job_with_outputs(alice, folder, trials=1)

    def refuse(name: str) -> None:
        raise ConnectionRefusedError("storage down")

    monkeypatch.setattr(default_storage, "delete", refuse)
    with django_capture_on_commit_callbacks(execute=True):
        job.delete()
    assert not TrainingJob.objects.exists()
    assert "could not delete stored file" in caplog.text
