"""Server folders: only under the allowed roots, copied into the storage when registered."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest

from datasets import services
from datasets.models import Dataset
from tests.datasets.helpers import create_dataset

pytestmark = pytest.mark.django_db


@pytest.fixture
def root(tmp_path: Path, settings: Any) -> Path:
    allowed = tmp_path / "allowed"
    (allowed / "digits" / "sub").mkdir(parents=True)
    (allowed / "digits" / "data.csv").write_text("1,2,0\n3,4,1\n")
    (allowed / "digits" / "sub" / "notes.txt").write_text("notes\n")
    settings.DATASET_SERVER_ROOTS = [allowed.resolve()]
    return allowed


def _refused(owner: Any, path: str) -> str:
    """The request's refusal: a field error, nothing saved."""
    with pytest.raises(services.DatasetValidationError) as caught:
        create_dataset(owner, "srv", server_path=path)
    assert not Dataset.objects.exists()
    return caught.value.errors["server_path"][0]


def _failed(owner: Any, path: str) -> str:
    """The worker's refusal, once it walks the folder: the dataset failed, nothing stored."""
    dataset = create_dataset(owner, "srv", server_path=path)
    assert dataset.status == "failed" and dataset.blob.name == ""
    return dataset.status_reason


def test_folder_inside_a_root_is_copied_as_a_zip(alice: Any, root: Path) -> None:
    dataset = create_dataset(alice, "srv", server_path=str(root / "digits"))
    saved = Dataset.objects.get(pk=dataset.pk)
    assert saved.source == "server_path" and saved.format == "zip"
    assert sorted(f["path"] for f in saved.files) == ["data.csv", "sub/notes.txt"]
    with saved.blob.open("rb") as fh, zipfile.ZipFile(fh) as zf:
        assert zf.read("data.csv") == b"1,2,0\n3,4,1\n"


def test_folder_outside_the_roots_is_refused(alice: Any, root: Path, tmp_path: Path) -> None:
    (tmp_path / "secret").mkdir()
    assert "outside the folders allowed" in _refused(alice, str(tmp_path / "secret"))


def test_outside_answer_is_the_same_for_missing_paths(alice: Any, root: Path) -> None:
    assert "outside the folders allowed" in _refused(alice, "/no/such/folder")


def test_dot_dot_is_refused(alice: Any, root: Path) -> None:
    assert "'..'" in _refused(alice, f"{root}/digits/../../etc")


def test_missing_folder_inside_a_root(alice: Any, root: Path) -> None:
    assert "does not exist" in _refused(alice, str(root / "nope"))


def test_a_file_is_not_a_folder(alice: Any, root: Path) -> None:
    assert "not a folder" in _refused(alice, str(root / "digits" / "data.csv"))


def test_symlink_out_of_the_root_is_refused(alice: Any, root: Path) -> None:
    (root / "digits" / "leak").symlink_to("/etc/passwd")
    assert "symbolic link" in _failed(alice, str(root / "digits"))


def test_server_folders_are_off_by_default(alice: Any, settings: Any) -> None:
    settings.DATASET_SERVER_ROOTS = []
    assert "not enabled" in _refused(alice, "/srv/data")


def test_relative_path_is_refused(alice: Any, root: Path) -> None:
    assert "absolute" in _refused(alice, "digits")
