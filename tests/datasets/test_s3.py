"""Scale-mode storage against a real S3-protocol server (moto's, as its own process)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.config import Config

from datasets import outputs
from datasets.models import OutputFile, OutputSet
from datasets.storage import DatasetUnavailable, materialise_dataset
from tests.datasets.helpers import create_dataset, csv_upload, make_trial, zip_upload
from tests.datasets.s3_server import S3Server, free_port, running_s3_server

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def s3() -> Iterator[S3Server]:
    with running_s3_server() as server:
        yield server


@pytest.fixture
def in_bucket(s3: S3Server, settings: Any) -> S3Server:
    settings.STORAGES = s3.storages()
    return s3


def test_settings_choose_s3_from_env_vars(s3: S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    import console.settings as console_settings

    for key, value in s3.env().items():
        monkeypatch.setenv(key, value)
    try:
        reloaded = importlib.reload(console_settings)
        default = reloaded.STORAGES["default"]
        assert default["BACKEND"] == "storages.backends.s3.S3Storage"
        assert default["OPTIONS"]["endpoint_url"] == s3.endpoint
        assert default["OPTIONS"]["addressing_style"] == "path"
    finally:
        monkeypatch.undo()
        importlib.reload(console_settings)


def test_half_configured_s3_stops_the_start(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib

    from django.core.exceptions import ImproperlyConfigured

    import console.settings as console_settings

    monkeypatch.setenv("STORAGE_S3_ENDPOINT_URL", "http://127.0.0.1:9000")
    try:
        with pytest.raises(ImproperlyConfigured, match="STORAGE_S3_BUCKET is required"):
            importlib.reload(console_settings)
    finally:
        monkeypatch.undo()
        importlib.reload(console_settings)


def test_dataset_lands_in_the_bucket_and_materialises(
    alice: Any, in_bucket: S3Server, tmp_path: Path
) -> None:
    upload = zip_upload({"digits/data.csv": b"1,2,0\n3,4,1\n"})
    dataset = create_dataset(alice, "d", upload=upload)
    assert in_bucket.keys("datasets/") == [dataset.blob.name]
    folder = materialise_dataset(dataset.pk, tmp_path)
    assert (folder / "digits" / "data.csv").read_bytes() == b"1,2,0\n3,4,1\n"


def test_outputs_land_in_the_bucket_and_download(
    alice: Any, alice_api: Any, in_bucket: S3Server, tmp_path: Path
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.pkl").write_bytes(b"m" * 3_000_000)  # several chunks
    trial = make_trial(alice)
    outputs.collect_outputs(trial.pk, out)
    assert in_bucket.keys(f"outputs/trial-{trial.pk}/")[0].endswith("/model.pkl")
    answer = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs/model.pkl")
    assert answer.status_code == 200
    assert b"".join(answer.streaming_content) == b"m" * 3_000_000
    zipped = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs.zip")
    archive = zipfile.ZipFile(io.BytesIO(b"".join(zipped.streaming_content)))
    assert archive.read("model.pkl") == b"m" * 3_000_000


def test_unreachable_storage_fails_with_the_reason_and_lists_nothing(
    alice: Any, s3: S3Server, settings: Any, tmp_path: Path
) -> None:
    dead = S3Server(f"http://127.0.0.1:{free_port()}")
    settings.STORAGES = dead.storages(
        client_config=Config(connect_timeout=1, retries={"max_attempts": 1})
    )
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.pkl").write_bytes(b"m")
    with pytest.raises(outputs.OutputsError, match="could not be uploaded to the storage"):
        outputs.collect_outputs(make_trial(alice).pk, out)
    assert not OutputSet.objects.exists() and not OutputFile.objects.exists()


def test_unreachable_storage_on_materialise_is_a_reason(
    alice: Any, in_bucket: S3Server, settings: Any, tmp_path: Path
) -> None:
    dataset = create_dataset(alice, "d", upload=csv_upload())
    dead = S3Server(f"http://127.0.0.1:{free_port()}")
    settings.STORAGES = dead.storages(
        client_config=Config(connect_timeout=1, retries={"max_attempts": 1})
    )
    with pytest.raises(DatasetUnavailable, match="could not be read from the storage"):
        materialise_dataset(dataset.pk, tmp_path)
    assert [p.suffix for p in (tmp_path / "datasets").iterdir()] == [".lock"]


def _trial_with_outputs(owner: Any, tmp_path: Path) -> Any:
    """A trial whose model.pkl (1000 bytes) and metrics.json are stored."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "model.pkl").write_bytes(b"m" * 1000)
    (out / "metrics.json").write_bytes(b"{}")
    trial = make_trial(owner)
    outputs.collect_outputs(trial.pk, out)
    return trial


def test_deleting_a_job_removes_its_outputs_from_the_bucket(
    alice: Any, in_bucket: S3Server, tmp_path: Path, django_capture_on_commit_callbacks: Any
) -> None:
    trial = _trial_with_outputs(alice, tmp_path)
    names = set(OutputFile.objects.values_list("storage_name", flat=True))
    assert len(names) == 2 and names <= set(in_bucket.keys())
    with django_capture_on_commit_callbacks(execute=False) as pending:
        trial.job.delete()
    assert names <= set(in_bucket.keys())  # nothing goes before the deletion commits
    for callback in pending:
        callback()
    assert not names & set(in_bucket.keys())
    assert not OutputFile.objects.exists()


def test_zip_with_a_member_missing_from_the_bucket_is_refused(
    alice: Any, alice_api: Any, in_bucket: S3Server, tmp_path: Path
) -> None:
    trial = _trial_with_outputs(alice, tmp_path)
    missing = OutputFile.objects.get(path="model.pkl").storage_name
    in_bucket.client().delete_object(Bucket="sweep-test", Key=missing)
    answer = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs.zip")
    assert answer.status_code == 409
    assert "'model.pkl'" in answer.json()["detail"]
    one = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs/model.pkl")
    assert one.status_code == 409
    whole = alice_api.get(f"/api/v1/trials/{trial.pk}/outputs/metrics.json")
    assert b"".join(whole.streaming_content) == b"{}"
