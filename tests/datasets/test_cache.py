"""Workers materialise a dataset once per host, read-only, keyed by its content hash."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from algorithms.models import Algorithm
from datasets.storage import DatasetUnavailable, fetch_code, materialise, materialise_dataset
from tests.datasets.helpers import create_dataset, csv_upload, zip_upload

pytestmark = pytest.mark.django_db


def test_single_file_dataset_gives_the_file_path(alice: Any, tmp_path: Path) -> None:
    dataset = create_dataset(alice, "d", upload=csv_upload())
    path = materialise_dataset(dataset.pk, tmp_path / "cache")
    assert path == tmp_path / "cache" / "datasets" / dataset.content_hash / "data.csv"
    assert path.read_bytes().startswith(b"a,b,label")


def test_archive_dataset_gives_the_extracted_folder(alice: Any, tmp_path: Path) -> None:
    upload = zip_upload({"train/x.csv": b"1,2\n", "test/y.csv": b"3,4\n"})
    dataset = create_dataset(alice, "z", upload=upload)
    folder = materialise_dataset(dataset.pk, tmp_path)
    assert (folder / "train" / "x.csv").read_bytes() == b"1,2\n"
    assert (folder / "test" / "y.csv").read_bytes() == b"3,4\n"


def test_cache_is_read_only_for_trials(alice: Any, tmp_path: Path) -> None:
    dataset = create_dataset(alice, "z", upload=zip_upload({"a/b.csv": b"1"}))
    folder = materialise_dataset(dataset.pk, tmp_path)
    assert not os.access(folder / "a" / "b.csv", os.W_OK) or os.geteuid() == 0
    assert (folder / "a" / "b.csv").stat().st_mode & 0o222 == 0
    assert folder.stat().st_mode & 0o222 == 0


def test_second_materialisation_reads_nothing_from_storage(alice: Any, tmp_path: Path) -> None:
    dataset = create_dataset(alice, "d", upload=csv_upload())
    first = materialise_dataset(dataset.pk, tmp_path)
    default_storage.delete(dataset.blob.name)  # a second download would now fail
    assert materialise_dataset(dataset.pk, tmp_path) == first


def test_two_datasets_with_the_same_content_share_one_entry(alice: Any, tmp_path: Path) -> None:
    one = create_dataset(alice, "one", upload=csv_upload())
    two = create_dataset(alice, "two", upload=csv_upload())
    assert materialise_dataset(one.pk, tmp_path) == materialise_dataset(two.pk, tmp_path)


def test_concurrent_trials_extract_once(alice: Any, tmp_path: Path) -> None:
    upload = zip_upload({f"f{i}.csv": b"1,2\n" * 1000 for i in range(20)})
    dataset = create_dataset(alice, "z", upload=upload)
    results: list[Path] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append(materialise(dataset, tmp_path))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(set(results)) == 1
    entries = sorted(p.name for p in (tmp_path / "datasets").iterdir())
    assert entries == [dataset.content_hash, f"{dataset.content_hash}.lock"]


def test_changed_blob_is_refused_by_its_hash(alice: Any, tmp_path: Path) -> None:
    dataset = create_dataset(alice, "d", upload=csv_upload())
    default_storage.delete(dataset.blob.name)
    default_storage.save(dataset.blob.name, ContentFile(b"tampered"))
    with pytest.raises(DatasetUnavailable, match="does not match its content hash"):
        materialise_dataset(dataset.pk, tmp_path)
    assert list((tmp_path / "datasets").iterdir()) == [
        tmp_path / "datasets" / f"{dataset.content_hash}.lock"
    ]


def test_missing_blob_is_a_clear_reason(alice: Any, tmp_path: Path) -> None:
    dataset = create_dataset(alice, "d", upload=csv_upload())
    default_storage.delete(dataset.blob.name)
    with pytest.raises(DatasetUnavailable, match="could not be read from the storage"):
        materialise_dataset(dataset.pk, tmp_path)


def test_deleted_dataset_is_a_clear_reason(tmp_path: Path) -> None:
    with pytest.raises(DatasetUnavailable, match="no longer exists"):
        materialise_dataset(999, tmp_path)


def test_uploaded_code_package_is_fetched_once(alice: Any, tmp_path: Path) -> None:
    algorithm = Algorithm(owner=alice, name="a", boot_file="train.py")
    algorithm.code_file.save("train.py", ContentFile(b"print(1)\n"), save=False)
    algorithm.save()
    path = fetch_code(algorithm, tmp_path)
    assert path.name == "train.py" and path.read_bytes() == b"print(1)\n"
    default_storage.delete(algorithm.code_file.name)
    assert fetch_code(algorithm, tmp_path) == path


def test_server_path_code_is_used_in_place(alice: Any, tmp_path: Path) -> None:
    algorithm = Algorithm(owner=alice, name="a", code_source="server_path", server_path="/srv/algo")
    assert fetch_code(algorithm, tmp_path) == Path("/srv/algo")


def test_code_package_unreachable_is_a_package_error(
    alice: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from algorithms.packages import PackageError

    algorithm = Algorithm(owner=alice, name="a", boot_file="train.py")
    algorithm.code_file.save("train.py", ContentFile(b"print(1)\n"), save=False)

    def down(name: str, mode: str = "rb") -> Any:
        raise ConnectionRefusedError("storage down")

    monkeypatch.setattr(default_storage, "open", down)
    with pytest.raises(PackageError, match="could not be read from the storage"):
        fetch_code(algorithm, tmp_path)
