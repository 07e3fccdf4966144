"""Datasets (an uploaded file or archive, or a snapshot of a server folder) and trial outputs.

A dataset's content is one stored blob (the uploaded file, or a zip made from the server
folder when it was registered), named by its SHA-256: workers materialise it once per
host into a cache keyed by that hash. A new dataset is ``processing`` until a worker has
read it whole (its file listing, real sizes, a few previews and the hash), then
``ready`` or ``failed`` with the reason; pages never open the blob.

A trial's outputs are the files its script wrote under ``train_url``, uploaded to the
storage when it ends. Rows are written only after every file is stored, in one
transaction, so a half-uploaded set is never listed.

The trial is referenced by name ("trainingjobs.Trial"): this app never imports
``trainingjobs``, which imports it (the job's dataset).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models

from algorithms.models import NAME_VALIDATOR


class DatasetQuerySet(models.QuerySet["Dataset"]):
    def visible_to(self, user: Any) -> DatasetQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(owner=user)

    def search(self, term: str) -> DatasetQuerySet:
        """Datasets whose name or description contains ``term`` (any case): the list
        page's search box and the API's ``?search=`` alike."""
        term = term.strip()
        if not term:
            return self
        if "\x00" in term:  # no field holds a NUL (PostgreSQL refuses one in a query)
            return self.none()
        return self.filter(models.Q(name__icontains=term) | models.Q(description__icontains=term))

    def named(self, name: str) -> DatasetQuerySet:
        """Datasets called exactly ``name`` (the API's ``?name=``; ``""`` filters nothing).
        Names are unique per owner only, so staff may get one per user."""
        return self.filter(name=name) if name else self


def _blob_upload_path(instance: Dataset, filename: str) -> str:
    # A fresh folder per dataset: a new upload never overwrites a blob a worker may read.
    return f"datasets/{instance.owner_id}/{uuid.uuid4().hex}/{filename}"


class Dataset(models.Model):
    class Status(models.TextChoices):
        # Stored, waiting for a worker to read it whole (listing, sizes, previews, hash).
        PROCESSING = "processing", "Processing"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    class Source(models.TextChoices):
        UPLOAD = "upload", "Upload"
        SERVER_PATH = "server_path", "Server folder"

    class Format(models.TextChoices):
        FILE = "file", "Single file"
        ZIP = "zip", "Zip archive"
        TAR = "tar", "Tar archive"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="datasets"
    )
    name = models.CharField(max_length=64, validators=[NAME_VALIDATOR])
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROCESSING)
    # Why a dataset failed (the archive rule it broke, the storage that failed).
    status_reason = models.TextField(blank=True)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.UPLOAD)
    # The server folder it was copied from (a snapshot taken at registration).
    server_path = models.CharField(max_length=500, blank=True)
    # What the blob is: a single file trials get as it is, or an archive extracted for them.
    format = models.CharField(max_length=8, choices=Format.choices)
    # Empty while a server folder is being copied, and after a failure.
    blob = models.FileField(upload_to=_blob_upload_path, max_length=500, blank=True)
    original_name = models.CharField(max_length=255)
    content_hash = models.CharField(max_length=64, blank=True)  # SHA-256 of the blob, hex
    blob_size = models.PositiveBigIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)  # uncompressed bytes of all files
    file_count = models.PositiveIntegerField(default=0)
    # [{"path": "a/b.csv", "size": 123}], in archive order.
    files = models.JSONField(default=list, blank=True)
    # [{"path", "kind": "csv"|"text", "rows": [[...]] | "lines": [...], "truncated"}]
    previews = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Set by the worker reading a processing dataset, and kept fresh while it reads: the
    # stale-processing reaper queues again only a dataset nobody is reading.
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    objects = DatasetQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="unique_dataset_name_per_owner")
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_single_file(self) -> bool:
        return self.format == self.Format.FILE

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY

    def not_ready_message(self) -> str:
        """Why a job cannot use the dataset now ("" when it is ready)."""
        if self.status == self.Status.PROCESSING:
            return (
                f"Dataset '{self.name}' is still being processed; "
                "choose it once its page says Ready."
            )
        if self.status == self.Status.FAILED:
            return f"Dataset '{self.name}' failed: {self.status_reason}"
        return ""


class OutputSetQuerySet(models.QuerySet["OutputSet"]):
    def visible_to(self, user: Any) -> OutputSetQuerySet:
        if not user.is_authenticated:
            return self.none()
        if user.is_staff:
            return self.all()
        return self.filter(trial__job__owner=user)


class OutputSet(models.Model):
    """The stored outputs of one trial (complete: rows exist only once all files are stored)."""

    trial = models.OneToOneField(
        "trainingjobs.Trial", on_delete=models.CASCADE, related_name="output_set"
    )
    file_count = models.PositiveIntegerField(default=0)
    size = models.PositiveBigIntegerField(default=0)
    # Why some files were not kept (the size cap, links, special files); "" when all were.
    notice = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = OutputSetQuerySet.as_manager()

    def __str__(self) -> str:
        return f"outputs of trial {self.trial_id}"


class OutputFile(models.Model):
    output_set = models.ForeignKey(OutputSet, on_delete=models.CASCADE, related_name="files")
    path = models.CharField(max_length=1024)  # relative POSIX path under train_url
    size = models.PositiveBigIntegerField()
    modified = models.DateTimeField()
    storage_name = models.CharField(max_length=1200)

    class Meta:
        ordering = ["output_set_id", "path"]
        constraints = [
            models.UniqueConstraint(
                fields=["output_set", "path"], name="unique_output_path_per_set"
            )
        ]

    def __str__(self) -> str:
        return self.path
