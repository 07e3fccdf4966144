"""The storage side of datasets: limits, streaming reads, and the per-host cache of workers.

Everything goes through Django's storage API (``default_storage``): the local
``MEDIA_ROOT`` in embedded mode, an S3-compatible bucket in scale mode. A worker
materialises a dataset once per host, into ``DATA_CACHE_DIR/datasets/<sha256>/``,
extracted with the same safe-archive rules as code packages and made read-only; algorithm
code packages are fetched into ``DATA_CACHE_DIR/code/`` the same way. The cache entry
appears by an atomic rename, under a per-entry file lock, so concurrent trials (threads
or processes) download and extract it once and never see half of it; past
``DATA_CACHE_MAX_MB`` the least recently used entries that no running trial of the host
uses are evicted (:mod:`datasets.cache`).
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import tempfile
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

from botocore.exceptions import BotoCoreError, ClientError
from django.apps import apps
from django.conf import settings
from django.core.files.storage import default_storage

from algorithms import packages
from algorithms.models import Algorithm
from algorithms.package_members import Limits
from datasets import cache
from datasets.models import Dataset

logger = logging.getLogger(__name__)

MB = 1024 * 1024
CHUNK = MB
# What an unreachable or refusing storage raises: the file system's errors, or boto3's.
STORAGE_ERRORS: tuple[type[Exception], ...] = (OSError, BotoCoreError, ClientError)


def delete_stored(names: Sequence[str]) -> None:
    """Remove stored files (empty names skipped), logging, not raising, what the storage
    refuses: a leftover blob must never fail the work that drops it."""
    for name in names:
        if not name:
            continue
        try:
            default_storage.delete(name)
        except STORAGE_ERRORS:
            logger.warning("could not delete stored file %s", name)


class DatasetUnavailable(Exception):
    """A dataset or code package could not be made available on this worker (the reason)."""


class Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...
    def close(self) -> None: ...


def dataset_limits() -> Limits:
    total = settings.DATASET_MAX_UNCOMPRESSED_MB * MB
    return Limits(max_files=settings.DATASET_MAX_FILES, max_total_bytes=total, max_file_bytes=total)


def open_stored(name: str) -> Readable:
    """A stored file opened for reading in chunks, never loaded whole into memory.

    django-storages' S3 file object downloads the whole object before the first read;
    for S3 the body is streamed from the GET response instead.
    """
    storage: Any = default_storage
    if _is_s3(storage):
        from storages.utils import clean_name

        key = storage._normalize_name(clean_name(name))
        response = storage.connection.meta.client.get_object(Bucket=storage.bucket_name, Key=key)
        body: Readable = response["Body"]
        return body
    handle: Readable = storage.open(name, "rb")
    return handle


def stream_stored(name: str) -> Iterator[bytes]:
    reader = open_stored(name)
    try:
        while chunk := reader.read(CHUNK):
            yield chunk
    finally:
        reader.close()


@contextmanager
def local_copy(name: str) -> Iterator[IO[bytes]]:
    """A stored file as a seekable local file object: the file itself on a local disk,
    else a temporary copy downloaded in chunks (removed afterwards)."""
    storage: Any = default_storage
    if not _is_s3(storage):
        with storage.open(name, "rb") as handle:
            yield handle
        return
    with tempfile.TemporaryFile() as tmp:
        for chunk in stream_stored(name):
            tmp.write(chunk)
        tmp.seek(0)
        yield tmp


def stored_sizes(names: Sequence[str]) -> dict[str, int]:
    """The stored size in bytes of each of ``names`` that exists; missing names are absent.

    On S3 the names' common prefix is listed (one request per 1,000 keys) rather than
    one HEAD per name. Raises one of :data:`STORAGE_ERRORS` when the storage cannot answer.
    """
    storage: Any = default_storage
    if not names:
        return {}
    if not _is_s3(storage):
        sizes = {}
        for name in names:
            try:
                sizes[name] = int(storage.size(name))
            except FileNotFoundError:
                continue
        return sizes
    from storages.utils import clean_name

    keys = {storage._normalize_name(clean_name(name)): name for name in names}
    prefix = os.path.commonprefix(list(keys))
    prefix = prefix[: prefix.rfind("/") + 1]
    found: dict[str, int] = {}
    pages = storage.connection.meta.client.get_paginator("list_objects_v2")
    for page in pages.paginate(Bucket=storage.bucket_name, Prefix=prefix):
        for item in page.get("Contents", []):
            if item["Key"] in keys:
                found[keys[item["Key"]]] = int(item["Size"])
    return found


def _is_s3(storage: Any) -> bool:
    wrapped = getattr(storage, "_wrapped", storage)
    return type(wrapped).__module__.startswith("storages.backends.s3")


# --- the worker's cache -------------------------------------------------------------------------


def materialise_dataset(dataset_id: int, cache_root: Path | None = None) -> Path:
    """The local path of the dataset on this host, downloading and extracting it once.

    The path is the file itself for a single-file dataset, else the folder holding the
    extracted files. Raises :class:`DatasetUnavailable` with a reason for the trial.
    """
    dataset = Dataset.objects.filter(pk=dataset_id).first()
    if dataset is None:
        raise DatasetUnavailable(f"Dataset {dataset_id} no longer exists.")
    return materialise(dataset, cache_root)


def materialise(dataset: Dataset, cache_root: Path | None = None) -> Path:
    """:func:`materialise_dataset` for a row already read (no database access)."""
    if not dataset.is_ready:
        raise DatasetUnavailable(dataset.not_ready_message())
    root = Path(cache_root or settings.DATA_CACHE_DIR) / "datasets"
    entry = root / dataset.content_hash
    try:
        _ensure(entry, lambda tmp: _fill_dataset(dataset, tmp))
    except packages.PackageError as exc:
        raise DatasetUnavailable(f"Dataset '{dataset.name}' could not be extracted: {exc}") from exc
    except STORAGE_ERRORS as exc:
        raise DatasetUnavailable(
            f"Dataset '{dataset.name}' could not be read from the storage: {exc}"
        ) from exc
    if dataset.is_single_file:
        return entry / dataset.files[0]["path"]
    return entry


def fetch_code(algorithm: Algorithm, cache_root: Path | None = None) -> Path:
    """A local path to the algorithm's code package: its server folder, or a cached copy.

    An uploaded package is stored under a fresh name per upload and never overwritten,
    so its storage name identifies its content.
    """
    if algorithm.code_source == Algorithm.CodeSource.SERVER_PATH:
        return Path(algorithm.server_path)
    if not algorithm.code_file:
        raise packages.PackageError("No code package was uploaded.")
    name = algorithm.code_file.name
    entry = Path(cache_root or settings.DATA_CACHE_DIR) / "code" / _code_key(name)
    base = os.path.basename(name)

    def fill(tmp: Path) -> None:
        tmp.mkdir(parents=True)
        _download(name, tmp / base)

    try:
        _ensure(entry, fill)
    except STORAGE_ERRORS as exc:
        # The trial fails with this reason (execution reports a PackageError's message).
        raise packages.PackageError(
            f"The code package could not be read from the storage: {type(exc).__name__}: {exc}"
        ) from exc
    return entry / base


def _ensure(entry: Path, fill: Any) -> None:
    """Build the cache entry once (see :mod:`datasets.cache`), evicting past the cap."""
    root = entry.parent.parent
    cache.ensure(
        entry,
        fill,
        max_bytes=settings.DATA_CACHE_MAX_MB * MB,
        in_use=lambda: entries_in_use(root),
    )


def entries_in_use(root: Path) -> set[Path]:
    """The cache entries trials running on this host use (whatever worker process runs
    them): their job's dataset and uploaded code package.

    A trial is marked running (its claim) before its worker asks the cache for anything,
    and the evictor asks this under the entry's lock, after the worker's own use of the
    lock: so an entry a trial was handed is always seen here while the trial runs.
    """
    trial_model: Any = apps.get_model("trainingjobs", "Trial")
    running = trial_model.objects.filter(
        status="running", worker__startswith=f"{socket.gethostname()}:"
    ).values_list("job__dataset__content_hash", "job__algorithm__code_file")
    used: set[Path] = set()
    for content_hash, code_file in running:
        if content_hash:
            used.add(root / "datasets" / content_hash)
        if code_file:
            used.add(root / "code" / _code_key(code_file))
    return used


def _code_key(name: str) -> str:
    return hashlib.sha256(name.encode()).hexdigest()


def _fill_dataset(dataset: Dataset, tmp: Path) -> None:
    tmp.mkdir(parents=True)
    blob = tmp.parent / f"{tmp.name}.blob"
    try:
        digest = _download(dataset.blob.name, blob)
        if digest != dataset.content_hash:
            raise DatasetUnavailable(
                f"Dataset '{dataset.name}' in the storage does not match its content hash "
                "(changed or damaged); register it again."
            )
        if dataset.is_single_file:
            shutil.copyfile(blob, tmp / dataset.files[0]["path"])
        else:
            limits = dataset_limits()
            packages.extract_package(blob, tmp, limits, filename=dataset.original_name)
    finally:
        blob.unlink(missing_ok=True)


def _download(name: str, dest: Path) -> str:
    """Copy a stored file to ``dest`` in chunks; its SHA-256."""
    digest = hashlib.sha256()
    with open(dest, "xb") as out:
        for chunk in stream_stored(name):
            digest.update(chunk)
            out.write(chunk)
    return digest.hexdigest()
