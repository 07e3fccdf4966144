"""Named builders for dataset tests: archives (good and hostile), CSVs, trials with outputs."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.utils import timezone

from algorithms.models import Algorithm
from datasets import services
from datasets.models import Dataset
from trainingjobs.models import TrainingJob, Trial

CSV = b"a,b,label\n1,2,0\n3,4,1\n5,6,0\n"


def create_dataset(owner: Any, name: str, **fields: Any) -> Dataset:
    """``dataset_create`` as a request calls it, then the worker's processing (queued on
    commit; huey runs it at once in unit tests). The row as the worker left it."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        dataset = services.dataset_create(owner=owner, name=name, **fields)
    dataset.refresh_from_db()
    return dataset


def csv_upload(name: str = "data.csv", content: bytes = CSV) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="text/csv")


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def zip_upload(members: dict[str, bytes], name: str = "data.zip") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, zip_bytes(members), content_type="application/zip")


def zip_with_symlink(link: str = "evil", target: str = "/etc/passwd") -> SimpleUploadedFile:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo(link)
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, target)
    return SimpleUploadedFile("links.zip", buf.getvalue())


def tar_upload(
    members: dict[str, bytes], name: str = "data.tar.gz", links: dict[str, str] | None = None
) -> SimpleUploadedFile:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        for path, data in members.items():
            info = tarfile.TarInfo(path)
            info.size = len(data)
            tf.addfile(info, io.BytesIO(data))
        for path, target in (links or {}).items():
            info = tarfile.TarInfo(path)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tf.addfile(info)
    return SimpleUploadedFile(name, buf.getvalue())


def lying_zip(real: bytes, declared: int) -> SimpleUploadedFile:
    """A zip whose headers declare ``declared`` bytes for a member that inflates to more."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("bomb.bin", real)
    data = bytearray(buf.getvalue())
    size = len(real).to_bytes(4, "little")
    fake = declared.to_bytes(4, "little")
    # The uncompressed size sits in the local header (offset 22) and the central one.
    data[22:26] = fake
    central = data.rfind(b"PK\x01\x02")
    data[central + 24 : central + 28] = fake
    assert size != fake
    return SimpleUploadedFile("bomb.zip", bytes(data))


def make_trial(
    owner: Any, *, number: int = 1, job: TrainingJob | None = None, **fields: Any
) -> Trial:
    if job is None:
        algorithm = Algorithm.objects.create(
            owner=owner,
            name=f"algo-{Algorithm.objects.count() + 1}",
            boot_file="train.py",
            code_source=Algorithm.CodeSource.SERVER_PATH,
            server_path="/nonexistent",
            status=Algorithm.Status.READY,
        )
        job = TrainingJob.objects.create(
            owner=owner, name="job", algorithm=algorithm, metric_goal="maximize"
        )
    values: dict[str, Any] = {"status": Trial.Status.COMPLETED, "finished_at": timezone.now()}
    values.update(fields)
    return Trial.objects.create(job=job, number=number, **values)
