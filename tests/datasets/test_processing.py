"""A new dataset is read whole on a worker: idempotent, and safe against a deletion."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.test import TestCase
from django.utils import timezone

from datasets import processing, services
from datasets.models import Dataset
from datasets.storage import DatasetUnavailable, materialise_dataset
from tests.datasets.helpers import create_dataset, csv_upload

pytestmark = pytest.mark.django_db


def _waiting(owner: Any, name: str = "d", **fields: Any) -> Dataset:
    """A dataset as the request leaves it: stored, processing, its task not run yet."""
    fields.setdefault("upload", None if "server_path" in fields else csv_upload())
    with TestCase.captureOnCommitCallbacks(execute=False):
        dataset = services.dataset_create(owner=owner, name=name, **fields)
    assert dataset.status == "processing"
    return dataset


def test_a_second_delivery_of_the_task_changes_nothing(alice: Any) -> None:
    dataset = _waiting(alice)
    assert processing.dataset_process(dataset_id=dataset.pk) == "ready"
    before = Dataset.objects.get(pk=dataset.pk)
    assert processing.dataset_process(dataset_id=dataset.pk) is None
    after = Dataset.objects.get(pk=dataset.pk)
    assert (after.status, after.content_hash, after.files) == (
        before.status,
        before.content_hash,
        before.files,
    )


def test_a_dataset_deleted_while_processing_is_left_alone(alice: Any) -> None:
    dataset = _waiting(alice)
    Dataset.objects.filter(pk=dataset.pk).delete()
    assert processing.dataset_process(dataset_id=dataset.pk) is None


def test_a_server_folder_is_copied_on_the_worker(alice: Any, settings: Any, tmp_path: Path) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.csv").write_text("1,2\n")
    settings.DATASET_SERVER_ROOTS = [tmp_path.resolve()]
    dataset = _waiting(alice, server_path=str(tmp_path / "d"))
    assert dataset.blob.name == ""  # nothing copied in the request
    processing.dataset_process(dataset_id=dataset.pk)
    dataset.refresh_from_db()
    assert dataset.status == "ready" and default_storage.exists(dataset.blob.name)
    assert dataset.files == [{"path": "x.csv", "size": 4}]


def test_a_dataset_not_ready_is_not_materialised(alice: Any, tmp_path: Path) -> None:
    dataset = _waiting(alice)
    with pytest.raises(DatasetUnavailable, match="still being processed"):
        materialise_dataset(dataset.pk, tmp_path)


def test_stale_processing_is_queued_again(alice: Any) -> None:
    old = _waiting(alice, "old")
    _waiting(alice, "new")
    create_dataset(alice, "done", upload=csv_upload())
    Dataset.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with TestCase.captureOnCommitCallbacks(execute=True):
        assert processing.datasets_requeue_stale(older_than=timedelta(minutes=10)) == [old.pk]
    assert Dataset.objects.get(pk=old.pk).status == "ready"
    assert Dataset.objects.get(name="new").status == "processing"


def test_a_stale_dataset_whose_task_still_waits_in_the_queue_is_not_queued_twice(
    alice: Any,
) -> None:
    old = _waiting(alice, "old")
    Dataset.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    with TestCase.captureOnCommitCallbacks(execute=False) as queued:
        requeued = processing.datasets_requeue_stale(
            older_than=timedelta(minutes=10), waiting={old.pk}
        )
    assert requeued == [] and queued == []
    assert Dataset.objects.get(pk=old.pk).status == "processing"


def test_a_dataset_a_worker_still_reads_is_not_queued_again(alice: Any) -> None:
    # Made an hour ago, but its worker's heartbeat is a minute old: it is being read.
    reading = _waiting(alice, "reading")
    silent = _waiting(alice, "silent")
    hour_ago = timezone.now() - timedelta(hours=1)
    Dataset.objects.filter(pk__in=[reading.pk, silent.pk]).update(created_at=hour_ago)
    Dataset.objects.filter(pk=reading.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=1))
    Dataset.objects.filter(pk=silent.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=11))
    with TestCase.captureOnCommitCallbacks(execute=False):
        requeued = processing.datasets_requeue_stale(older_than=timedelta(minutes=10))
    assert requeued == [silent.pk]


def test_processing_marks_the_dataset_as_being_read(alice: Any, monkeypatch: Any) -> None:
    dataset = _waiting(alice)
    seen: list[Any] = []
    real_read = processing._read

    def read(row: Dataset) -> Any:
        seen.append(Dataset.objects.get(pk=row.pk).heartbeat_at)
        return real_read(row)

    monkeypatch.setattr(processing, "_read", read)
    assert processing.dataset_process(dataset_id=dataset.pk) == "ready"
    assert seen[0] is not None and timezone.now() - seen[0] < timedelta(minutes=1)


def test_a_folder_zip_is_removed_when_the_outcome_cannot_be_recorded(
    alice: Any, settings: Any, tmp_path: Path, monkeypatch: Any
) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.csv").write_text("1,2\n")
    settings.DATASET_SERVER_ROOTS = [tmp_path.resolve()]
    dataset = _waiting(alice, server_path=str(tmp_path / "d"))
    stored: list[str] = []
    real_read_folder = processing._read_folder

    def read_folder(row: Dataset) -> Any:
        outcome = real_read_folder(row)
        stored.append(outcome.blob)
        return outcome

    def finish(row: Dataset, outcome: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(processing, "_read_folder", read_folder)
    monkeypatch.setattr(processing, "_finish", finish)
    with pytest.raises(RuntimeError):
        processing.dataset_process(dataset_id=dataset.pk)
    assert stored and stored[0] and not default_storage.exists(stored[0])
    assert Dataset.objects.get(pk=dataset.pk).status == "processing"
