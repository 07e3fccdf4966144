"""Admin: datasets are read-only there except their words; deleting removes the blob."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from datasets.models import Dataset
from tests.datasets.helpers import create_dataset, csv_upload

pytestmark = pytest.mark.django_db


def test_admin_lists_and_deletes_with_the_blob(
    alice: Any, staff: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dataset = create_dataset(alice, "d", upload=csv_upload())
    blob = Path(dataset.blob.path)
    client.force_login(staff)
    assert client.get("/admin/datasets/dataset/").status_code == 200
    assert client.get(f"/admin/datasets/dataset/{dataset.pk}/change/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(f"/admin/datasets/dataset/{dataset.pk}/delete/", {"post": "yes"})
    assert answer.status_code == 302
    assert not Dataset.objects.exists() and not blob.exists()


def test_admin_cannot_add_a_dataset(staff: Any, client: Any) -> None:
    client.force_login(staff)
    assert client.get("/admin/datasets/dataset/add/").status_code == 403
