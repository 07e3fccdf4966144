"""Reading a new dataset whole, on a worker: ``processing`` -> ``ready`` | ``failed``.

The request stored the upload (or checked the server folder's place) and saved the row
as ``processing``; :func:`dataset_process` reads the content here, with the safe-archive
rules (every member read to its end, see :mod:`datasets.ingest`): the listing, real
sizes, previews and the SHA-256. A server folder is copied into a zip and stored. The
outcome is written only while the row is still ``processing`` (a task delivered twice,
or a dataset deleted meanwhile, changes nothing); a refused dataset keeps its row with
the reason and loses its stored blob.
"""

from __future__ import annotations

import logging
import tempfile
from collections.abc import Collection
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.core.files import File
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone

from algorithms.package_members import PackageError
from algorithms.task_queue import heartbeats
from datasets import ingest
from datasets.models import Dataset
from datasets.storage import STORAGE_ERRORS, dataset_limits, delete_stored, local_copy

logger = logging.getLogger(__name__)

# How often a worker reading a dataset says so; the reaper waits ten minutes of silence.
HEARTBEAT_SECONDS = 60


@dataclass
class _Outcome:
    found: ingest.Inspected | None = None
    digest: str = ""
    blob: str = ""  # a blob this run stored (a server folder's zip)
    blob_size: int = 0
    reason: str = ""


def dataset_process(*, dataset_id: int) -> str | None:
    """Read a processing dataset whole and record the outcome; its new status, or None
    when there was nothing to do (no such row, or not processing)."""
    processing = Dataset.objects.filter(pk=dataset_id, status=Dataset.Status.PROCESSING)
    dataset = processing.first()
    if dataset is None:
        return None

    def beat() -> None:
        processing.update(heartbeat_at=timezone.now())

    beat()
    with heartbeats(beat, HEARTBEAT_SECONDS, f"dataset-{dataset_id}"):
        outcome = _read(dataset)
    try:
        with transaction.atomic():
            row = processing.select_for_update().first()
            if row is None:  # deleted, or finished by another delivery of the task
                _delete_on_commit(outcome.blob)
                return None
            if outcome.reason:
                _fail(row, outcome)
            else:
                _finish(row, outcome)
    except Exception:
        # Nothing recorded: the zip this run stored would belong to no row.
        delete_stored([outcome.blob])
        raise
    return row.status


def enqueue_processing(dataset_id: int) -> None:
    from datasets.tasks import process_dataset

    # On commit: a worker must never look for a row that is not committed yet.
    transaction.on_commit(lambda: process_dataset(dataset_id))


def datasets_requeue_stale(*, older_than: timedelta, waiting: Collection[int] = ()) -> list[int]:
    """Queue again the datasets left processing longer than ``older_than`` whose task is
    not ``waiting`` in the queue (ids; a dataset behind busy workers is not queued twice).

    A task dies with its worker; a worker reading a dataset keeps its ``heartbeat_at``
    fresh, so only one whose last sign of life (heartbeat, else creation) is older than
    ``older_than`` counts as stale. Processing is idempotent besides: a second delivery
    while the first still runs only costs the work twice.
    """
    cutoff = timezone.now() - older_than
    stale = [
        pk
        for pk in Dataset.objects.filter(status=Dataset.Status.PROCESSING)
        .alias(seen=Coalesce("heartbeat_at", "created_at"))
        .filter(seen__lt=cutoff)
        .values_list("pk", flat=True)
        if pk not in waiting
    ]
    for pk in stale:
        enqueue_processing(pk)
    return stale


# --- reading ------------------------------------------------------------------------------------


def _read(dataset: Dataset) -> _Outcome:
    try:
        if dataset.source == Dataset.Source.SERVER_PATH:
            return _read_folder(dataset)
        return _read_upload(dataset)
    except PackageError as exc:
        return _Outcome(reason=str(exc))
    except STORAGE_ERRORS as exc:
        logger.warning("dataset %s: the storage failed: %s", dataset.pk, exc)
        return _Outcome(
            reason=f"The storage failed while the dataset was read "
            f"({type(exc).__name__}: {exc}); upload it again."
        )


def _read_upload(dataset: Dataset) -> _Outcome:
    with local_copy(dataset.blob.name) as fileobj:
        found = ingest.inspect_upload(fileobj, dataset.original_name, dataset_limits())
        digest = ingest.sha256_of(fileobj)
    return _Outcome(found=found, digest=digest, blob_size=dataset.blob_size)


def _read_folder(dataset: Dataset) -> _Outcome:
    from datasets.services import server_roots

    with tempfile.TemporaryFile() as tmp:
        found = ingest.snapshot_folder(
            Path(dataset.server_path), tmp, dataset_limits(), allowed_roots=server_roots()
        )
        digest = ingest.sha256_of(tmp)
        size = tmp.seek(0, 2)
        tmp.seek(0)
        name = Dataset._meta.get_field("blob").generate_filename(dataset, dataset.original_name)
        stored = default_storage.save(name, File(tmp, name=dataset.original_name))
    return _Outcome(found=found, digest=digest, blob=stored, blob_size=size)


# --- recording ----------------------------------------------------------------------------------


def _finish(row: Dataset, outcome: _Outcome) -> None:
    found = outcome.found
    assert found is not None
    if outcome.blob:
        row.blob.name = outcome.blob
    row.status = Dataset.Status.READY
    row.status_reason = ""
    row.format = found.format
    row.content_hash = outcome.digest
    row.blob_size = outcome.blob_size
    row.size = found.size
    row.file_count = len(found.files)
    row.files = found.files
    row.previews = found.previews
    row.save()


def _fail(row: Dataset, outcome: _Outcome) -> None:
    _delete_on_commit(row.blob.name)
    row.blob.name = ""
    row.status = Dataset.Status.FAILED
    row.status_reason = outcome.reason
    row.save(update_fields=["blob", "status", "status_reason"])


def _delete_on_commit(name: str) -> None:
    if name:
        transaction.on_commit(lambda: delete_stored([name]))
