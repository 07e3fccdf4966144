"""Write workflows for datasets: create (upload or server folder) and delete.

A new dataset is checked in two steps. The request makes the cheap checks (name, size,
a zip's central directory, a server folder's place: :func:`ingest.precheck_upload`,
:func:`ingest.check_folder`), so the form answers those at once, stores the upload
(streamed: Django keeps a large upload in a temporary file) and saves the row as
``processing``. A worker then reads the content whole (:mod:`datasets.processing`) and
sets it ``ready`` or ``failed`` with the reason. A dataset refused in the request
leaves nothing in the storage or the database.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import IntegrityError, transaction

from algorithms.package_input import upload_name_problem
from algorithms.package_members import PackageError, human_size
from algorithms.validation import MAX_DESCRIPTION, NAME_RE, name_rule_message
from datasets import ingest
from datasets.models import Dataset
from datasets.storage import MB, STORAGE_ERRORS, dataset_limits, delete_stored

logger = logging.getLogger(__name__)


class DatasetValidationError(Exception):
    """Bad input: ``errors`` maps a field ("name", "file", "server_path") to messages."""

    def __init__(self, errors: Mapping[str, list[str]]) -> None:
        super().__init__("; ".join(m for ms in errors.values() for m in ms))
        self.errors = dict(errors)


class DatasetInUse(Exception):
    """The dataset cannot be deleted while training jobs use it."""


def dataset_create(
    *,
    owner: Any,
    name: str,
    description: str = "",
    upload: File | None = None,
    server_path: str = "",
) -> Dataset:
    """Check and store a new dataset (an uploaded file or archive, or a server folder);
    it is ``processing`` until a worker has read it whole.

    Raises :class:`DatasetValidationError` keyed by field for what the request can tell.
    """
    name = (name or "").strip()
    server_path = (server_path or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = ["Name is required."]
    elif not NAME_RE.match(name):
        errors["name"] = [name_rule_message(name)]
    elif Dataset.objects.filter(owner=owner, name=name).exists():
        errors["name"] = [_name_taken(name)]
    if upload and server_path:
        errors["file"] = ["Give either an uploaded file or a server folder, not both."]
    elif not upload and not server_path:
        folders = ", or give a server folder" if server_roots() else ""
        errors["file"] = [f"Upload a file or an archive{folders}."]
    elif upload:
        _check_upload_size(upload, errors)
        problem = upload_name_problem(os.path.basename(upload.name or ""))
        if problem:
            errors.setdefault("file", []).append(problem)
    if len(description or "") > MAX_DESCRIPTION:
        errors["description"] = [
            f"The description must be at most {MAX_DESCRIPTION} characters, got "
            f"{len(description)}."
        ]
    if errors:
        raise DatasetValidationError(errors)
    if upload:
        return _create_from_upload(owner, name, description, upload)
    return _create_from_folder(owner, name, description, server_path)


def dataset_delete(*, dataset: Dataset) -> None:
    """Delete the dataset and its stored blob; refused while a training job uses it."""
    with transaction.atomic():
        dataset = Dataset.objects.select_for_update().get(pk=dataset.pk)
        used = dataset_jobs_count(dataset)
        if used:
            jobs = "1 training job" if used == 1 else f"{used} training jobs"
            raise DatasetInUse(
                f"Dataset '{dataset.name}' is used by {jobs}; delete those jobs first."
            )
        blob = dataset.blob.name
        dataset.delete()
        transaction.on_commit(lambda: delete_stored([blob]))


def dataset_jobs_count(dataset: Dataset) -> int:
    """Training jobs that name the dataset (their foreign key protects it)."""
    related = getattr(dataset, "training_jobs", None)
    return int(related.count()) if related is not None else 0


def dataset_for_job(*, owner: Any, value: Any) -> Dataset | None:
    """The dataset a new job asks for (an id, or None/"" for none), or ValueError with the
    message. Another user's dataset reads exactly like a missing id; a dataset still
    processing, or failed, is refused with its state.
    """
    if isinstance(value, Dataset):
        value = value.pk
    if value is None or value == "":
        return None
    pk: int | None = None
    if isinstance(value, int) and not isinstance(value, bool):
        pk = value
    elif isinstance(value, str) and value.strip().isdecimal() and len(value.strip()) < 19:
        pk = int(value.strip())
    if pk is None:
        raise ValueError(
            f"Dataset must be an id (a whole number) or null, got {str(value)[:60]!r}."
        )
    # Outside the database's id range a lookup would fail instead of finding nothing.
    dataset = Dataset.objects.visible_to(owner).filter(pk=pk).first() if 1 <= pk < 2**63 else None
    if dataset is None:
        raise ValueError(f"Unknown dataset {pk}: choose one of your datasets.")
    if not dataset.is_ready:
        raise ValueError(dataset.not_ready_message())
    return dataset


def server_roots() -> list[Path]:
    return [Path(r) for r in settings.DATASET_SERVER_ROOTS]


# --- helpers ----------------------------------------------------------------------------------


def _check_upload_size(upload: File, errors: dict[str, list[str]]) -> None:
    limit = settings.DATASET_MAX_UPLOAD_MB * MB
    if upload.size is not None and upload.size > limit:
        limit_mb = settings.DATASET_MAX_UPLOAD_MB
        errors["file"] = [f"The file is {human_size(upload.size)}; the limit is {limit_mb} MB."]
    elif upload.size == 0:
        errors["file"] = ["The uploaded file is empty."]


def _create_from_upload(owner: Any, name: str, description: str, upload: File) -> Dataset:
    filename = os.path.basename(upload.name or "data")
    try:
        ingest.precheck_upload(upload, filename, dataset_limits())
    except PackageError as exc:
        raise DatasetValidationError({"file": [str(exc)]}) from None
    dataset = _new_dataset(
        owner,
        name,
        description,
        source=Dataset.Source.UPLOAD,
        format=ingest.archive_format(filename),
        original_name=filename,
    )
    upload.seek(0)
    dataset.blob_size = upload.size or 0
    try:
        dataset.blob.save(filename, upload, save=False)
    except STORAGE_ERRORS as exc:
        logger.warning("cannot store dataset %s: %s", name, exc)
        raise DatasetValidationError(
            {"file": [f"The storage could not keep the file ({type(exc).__name__}); try again."]}
        ) from None
    return _save(dataset)


def _create_from_folder(owner: Any, name: str, description: str, server_path: str) -> Dataset:
    try:
        ingest.check_folder(Path(server_path), server_roots())
    except PackageError as exc:
        raise DatasetValidationError({"server_path": [str(exc)]}) from None
    dataset = _new_dataset(
        owner,
        name,
        description,
        source=Dataset.Source.SERVER_PATH,
        format=Dataset.Format.ZIP,
        original_name=f"{Path(server_path).name or 'folder'}.zip",
        server_path=str(Path(server_path).resolve()),
    )
    return _save(dataset)


def _new_dataset(
    owner: Any,
    name: str,
    description: str,
    *,
    source: str,
    format: str,
    original_name: str,
    server_path: str = "",
) -> Dataset:
    """The unsaved row of a new dataset, either source (``original_name`` cut to the
    column's 255 characters)."""
    return Dataset(
        owner=owner,
        name=name,
        description=description,
        source=source,
        format=format,
        original_name=original_name[:255],
        server_path=server_path,
    )


def _save(dataset: Dataset) -> Dataset:
    """Save the new row (processing) and queue its processing once it is committed."""
    from datasets.processing import enqueue_processing

    try:
        with transaction.atomic():
            dataset.save()
            enqueue_processing(dataset.pk)
    except IntegrityError:
        # The name was taken by a concurrent request since the check above.
        delete_stored([dataset.blob.name])
        raise DatasetValidationError({"name": [_name_taken(dataset.name)]}) from None
    except BaseException:
        delete_stored([dataset.blob.name])
        raise
    return dataset


def _name_taken(name: str) -> str:
    return f"You already have a dataset named '{name}'."
