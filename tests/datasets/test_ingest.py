"""A dataset's content is checked whole when it is created, with the safe-archive rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datasets import services
from datasets.models import Dataset
from tests.datasets.helpers import (
    create_dataset,
    csv_upload,
    lying_zip,
    tar_upload,
    zip_upload,
    zip_with_symlink,
)

pytestmark = pytest.mark.django_db


def _refused(owner: Any, upload: Any) -> str:
    """The reason, told by the request (a field error, nothing saved) or, for what only
    reading the content whole shows, by the worker (the dataset failed, its blob gone)."""
    try:
        dataset = create_dataset(owner, "bad", upload=upload)
    except services.DatasetValidationError as exc:
        assert not Dataset.objects.exists()
        return " ".join(exc.errors["file"])
    assert dataset.status == "failed" and dataset.blob.name == ""
    assert (dataset.files, dataset.content_hash) == ([], "")
    return dataset.status_reason


def _refused_in_the_request(owner: Any, upload: Any) -> str:
    with pytest.raises(services.DatasetValidationError) as caught:
        services.dataset_create(owner=owner, name="bad", upload=upload)
    assert not Dataset.objects.exists()
    return " ".join(caught.value.errors["file"])


def test_csv_upload_is_one_file_with_a_preview(alice: Any) -> None:
    dataset = create_dataset(alice, "digits", upload=csv_upload())
    saved = Dataset.objects.get(pk=dataset.pk)
    assert saved.format == "file"
    assert saved.files == [{"path": "data.csv", "size": 28}]
    assert (saved.size, saved.file_count) == (28, 1)
    assert saved.previews[0]["rows"][:2] == [["a", "b", "label"], ["1", "2", "0"]]
    assert len(saved.content_hash) == 64
    assert saved.blob.read() == b"a,b,label\n1,2,0\n3,4,1\n5,6,0\n"


def test_zip_listing_sizes_and_previews(alice: Any) -> None:
    upload = zip_upload({"train/data.csv": b"x,y\n1,2\n", "README.txt": b"hello\nworld\n"})
    dataset = create_dataset(alice, "z", upload=upload)
    assert dataset.format == "zip"
    assert sorted(f["path"] for f in dataset.files) == ["README.txt", "train/data.csv"]
    assert dataset.size == 8 + 12
    kinds = {p["path"]: p["kind"] for p in dataset.previews}
    assert kinds == {"train/data.csv": "csv", "README.txt": "text"}


def test_tar_gz_is_accepted(alice: Any) -> None:
    dataset = create_dataset(
        alice, "t", upload=tar_upload({"d/a.csv": b"1,2\n", "d/b.bin": b"\x00\x01"})
    )
    assert dataset.format == "tar"
    assert dataset.file_count == 2


@pytest.mark.parametrize("member", ["../escape.csv", "a/../../escape.csv"])
def test_parent_paths_are_refused(alice: Any, member: str) -> None:
    assert "escapes" in _refused_in_the_request(alice, zip_upload({member: b"1"}))


def test_absolute_paths_are_refused(alice: Any) -> None:
    assert "absolute path" in _refused_in_the_request(alice, zip_upload({"/etc/cron.d/x": b"1"}))


def test_zip_symlinks_are_refused(alice: Any) -> None:
    assert "symbolic link" in _refused_in_the_request(alice, zip_with_symlink())


def test_tar_symlinks_are_refused(alice: Any) -> None:
    upload = tar_upload({"a.csv": b"1"}, links={"passwd": "/etc/passwd"})
    assert "symbolic link" in _refused(alice, upload)


def test_zip_bomb_over_the_size_limit_is_refused(alice: Any, settings: Any) -> None:
    settings.DATASET_MAX_UNCOMPRESSED_MB = 1
    upload = zip_upload({"zeros.bin": bytes(3 * 1024 * 1024)})
    assert len(upload.read()) < 20_000  # small on the wire, large inflated
    upload.seek(0)
    assert "3 MB uncompressed" in _refused(alice, upload)


def test_files_over_the_total_limit_together_are_refused_as_a_dataset(
    alice: Any, settings: Any
) -> None:
    settings.DATASET_MAX_UNCOMPRESSED_MB = 1
    upload = zip_upload({"a.bin": bytes(600 * 1024), "b.bin": bytes(600 * 1024)})
    assert _refused(alice, upload).startswith("The dataset is larger than 1 MB uncompressed")


def test_zip_whose_headers_lie_about_sizes_is_refused(alice: Any) -> None:
    message = _refused(alice, lying_zip(bytes(200_000), declared=10))
    assert "corrupt" in message or "declared size" in message


def test_ten_thousand_files_are_refused(alice: Any) -> None:
    members = {f"f{i:05d}.txt": b"" for i in range(10_000)}
    message = _refused_in_the_request(alice, zip_upload(members))
    assert message.startswith("The dataset has more than 5000 files")


def test_upload_over_the_limit_is_refused_before_reading(alice: Any, settings: Any) -> None:
    settings.DATASET_MAX_UPLOAD_MB = 1
    big = csv_upload(content=b"1,2\n" * 300_000)
    assert "the limit is 1 MB" in _refused(alice, big)


def test_a_zip_named_file_that_is_not_a_zip_is_refused(alice: Any) -> None:
    fake = csv_upload(name="data.zip")
    assert "not a valid .zip" in _refused_in_the_request(alice, fake)


def test_nothing_is_left_in_storage_after_a_refusal(alice: Any, settings: Any) -> None:
    _refused_in_the_request(alice, zip_upload({"../x": b"1"}))
    _refused(alice, tar_upload({"../x": b"1"}))  # read on the worker, its blob then deleted
    media = Path(settings.MEDIA_ROOT)
    assert not (media / "datasets").exists() or not any((media / "datasets").rglob("*.*"))


def test_a_tar_with_a_bad_member_fails_on_the_worker(alice: Any) -> None:
    assert "escapes" in _refused(alice, tar_upload({"ok.csv": b"1", "../x.csv": b"2"}))
    assert Dataset.objects.get().status == "failed"


def test_a_tar_that_is_not_a_tar_is_refused_in_the_request(alice: Any) -> None:
    assert "not a valid tar" in _refused_in_the_request(alice, csv_upload(name="d.tar.gz"))


def test_the_storage_failing_on_the_worker_fails_the_dataset(
    alice: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from django.core.files.storage import default_storage

    real_open = default_storage.open

    def down(name: str, mode: str = "rb") -> Any:
        if mode == "rb":
            raise ConnectionRefusedError("storage down")
        return real_open(name, mode)

    monkeypatch.setattr(default_storage, "open", down)
    reason = _refused(alice, csv_upload())
    assert "The storage failed while the dataset was read" in reason and "storage down" in reason


def test_binary_file_preview_says_binary(alice: Any) -> None:
    upload = csv_upload(name="weights.txt", content=b"\x00\x01\x02")
    dataset = create_dataset(alice, "bin", upload=upload)
    assert dataset.previews == [{"path": "weights.txt", "kind": "binary"}]


def test_name_must_be_valid_and_unique(alice: Any) -> None:
    create_dataset(alice, "d", upload=csv_upload())
    with pytest.raises(services.DatasetValidationError) as caught:
        create_dataset(alice, "d", upload=csv_upload())
    assert "already have a dataset named 'd'" in caught.value.errors["name"][0]
    with pytest.raises(services.DatasetValidationError) as caught:
        create_dataset(alice, "no spaces", upload=csv_upload())
    assert "name" in caught.value.errors
    assert Dataset.objects.count() == 1


def test_file_object_stream_is_rewound(alice: Any) -> None:
    upload = csv_upload()
    upload.read()
    dataset = create_dataset(alice, "rw", upload=upload)
    assert dataset.size == 28
    assert dataset.blob.read() == upload.open().read()


def test_a_file_name_too_long_or_a_description_too_long_is_refused_whole(alice: Any) -> None:
    upload = csv_upload()
    upload.name = "d" * 297 + ".csv"
    assert "at most 200 bytes" in _refused_in_the_request(alice, upload)
    with pytest.raises(services.DatasetValidationError) as caught:
        services.dataset_create(
            owner=alice, name="long", description="x" * 2001, upload=csv_upload()
        )
    assert caught.value.errors["description"] == [
        "The description must be at most 2000 characters, got 2001."
    ]
    assert not Dataset.objects.exists()
