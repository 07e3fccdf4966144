"""/api/v1/datasets/: create by multipart or JSON, list, retrieve with files, delete."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import TestCase
from rest_framework.test import APIClient

from datasets import services
from datasets.models import Dataset
from tests.datasets.helpers import create_dataset, csv_upload, tar_upload, zip_upload

pytestmark = pytest.mark.django_db


def test_create_by_multipart_upload_is_processing_then_ready(
    alice: Any, alice_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = alice_api.post(
            "/api/v1/datasets/", {"name": "digits", "file": csv_upload()}, format="multipart"
        )
    assert answer.status_code == 201, answer.content
    body = answer.json()
    assert (body["status"], body["files"], body["content_hash"]) == ("processing", [], "")
    assert Dataset.objects.get(pk=body["id"]).owner == alice
    for callback in queued:  # the worker's task (huey runs it at once in unit tests)
        callback()
    body = alice_api.get(f"/api/v1/datasets/{body['id']}/").json()
    assert (body["status"], body["status_reason"]) == ("ready", "")
    assert body["files"] == [{"path": "data.csv", "size": 28}]
    assert (body["size"], body["file_count"], body["format"]) == (28, 1, "file")
    assert len(body["content_hash"]) == 64


def test_create_by_json_server_path(
    alice: Any,
    alice_api: Any,
    settings: Any,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.csv").write_text("1,2\n")
    settings.DATASET_SERVER_ROOTS = [tmp_path.resolve()]
    with django_capture_on_commit_callbacks(execute=True):
        answer = alice_api.post(
            "/api/v1/datasets/", {"name": "srv", "server_path": str(tmp_path / "d")}, format="json"
        )
    assert answer.status_code == 201, answer.content
    body = alice_api.get(f"/api/v1/datasets/{answer.json()['id']}/").json()
    assert body["status"] == "ready" and body["files"] == [{"path": "x.csv", "size": 4}]


def test_errors_the_request_can_tell_are_400_by_field(alice: Any, alice_api: Any) -> None:
    answer = alice_api.post(
        "/api/v1/datasets/",
        {"name": "bad", "file": zip_upload({"/abs.csv": b"1"})},
        format="multipart",
    )
    assert answer.status_code == 400
    assert "absolute path" in answer.json()["file"][0]
    outside = alice_api.post(
        "/api/v1/datasets/", {"name": "srv", "server_path": "/etc"}, format="json"
    )
    assert outside.status_code == 400 and "server_path" in outside.json()
    unnamed = alice_api.post("/api/v1/datasets/", {"name": "", "file": csv_upload()})
    assert unnamed.status_code == 400 and unnamed.json()["name"] == ["Name is required."]
    assert not Dataset.objects.exists()


def test_content_refused_on_the_worker_is_failed_with_the_reason(
    alice: Any, alice_api: Any, django_capture_on_commit_callbacks: Any
) -> None:
    # A tar's members are read only on the worker (the request reads its first header).
    upload = tar_upload({"ok.csv": b"1"}, links={"passwd": "/etc/passwd"})
    with django_capture_on_commit_callbacks(execute=True):
        answer = alice_api.post(
            "/api/v1/datasets/", {"name": "links", "file": upload}, format="multipart"
        )
    assert answer.status_code == 201
    body = alice_api.get(f"/api/v1/datasets/{answer.json()['id']}/").json()
    assert body["status"] == "failed" and "symbolic link" in body["status_reason"]
    assert body["files"] == []
    assert Dataset.objects.get(pk=body["id"]).blob.name == ""  # nothing kept in the storage


def test_list_and_retrieve(alice: Any, bob: Any, alice_api: Any) -> None:
    mine = create_dataset(alice, "mine", upload=csv_upload())
    create_dataset(bob, "theirs", upload=csv_upload())
    listed = alice_api.get("/api/v1/datasets/").json()
    assert [d["name"] for d in listed["results"]] == ["mine"]
    assert "files" not in listed["results"][0]
    detail = alice_api.get(f"/api/v1/datasets/{mine.pk}/").json()
    assert detail["files"] == [{"path": "data.csv", "size": 28}]


def _names(api: Any, query: str) -> list[str]:
    answer = api.get(f"/api/v1/datasets/{query}")
    assert answer.status_code == 200, answer.content
    return sorted(d["name"] for d in answer.json()["results"])


def test_list_search_matches_own_names_and_descriptions_only(alice: Any, bob: Any) -> None:
    create_dataset(alice, "digits-csv", upload=csv_upload())
    create_dataset(alice, "iris", description="Fisher's DIGITS cousin", upload=csv_upload())
    create_dataset(alice, "wine", upload=csv_upload())
    create_dataset(bob, "digits-bob", upload=csv_upload())
    alice_api, bob_api = APIClient(), APIClient()
    alice_api.force_authenticate(alice)
    bob_api.force_authenticate(bob)
    assert _names(alice_api, "?search=digits") == ["digits-csv", "iris"]
    assert _names(alice_api, "?search=%20%20") == ["digits-csv", "iris", "wine"]
    assert _names(bob_api, "?search=digits") == ["digits-bob"]
    assert _names(bob_api, "?search=wine") == []


def test_list_name_is_the_exact_name_among_the_callers_own(
    alice: Any, bob: Any, staff: Any
) -> None:
    mine = create_dataset(alice, "rows", upload=csv_upload())
    create_dataset(alice, "rows-2", upload=csv_upload())
    theirs = create_dataset(bob, "rows", upload=csv_upload())
    create_dataset(bob, "bobs-only", upload=csv_upload())
    alice_api, staff_api = APIClient(), APIClient()
    alice_api.force_authenticate(alice)
    staff_api.force_authenticate(staff)
    listed = alice_api.get("/api/v1/datasets/?name=rows").json()
    assert (listed["count"], [d["id"] for d in listed["results"]]) == (1, [mine.pk])
    assert _names(alice_api, "?name=bobs-only") == []
    assert _names(alice_api, "?name=ROWS") == []
    assert _names(alice_api, "?name=row") == []
    # Staff see every user's: one per owner of that name, the owner named.
    both = staff_api.get("/api/v1/datasets/?name=rows").json()["results"]
    assert sorted((d["id"], d["owner"]) for d in both) == [(mine.pk, "alice"), (theirs.pk, "bob")]


def test_list_filters_refuse_a_malformed_value(alice: Any, alice_api: Any) -> None:
    create_dataset(alice, "rows", upload=csv_upload())
    for query in ("?search=a%00b", "?name=a%00b", f"?name={'x' * 65}"):
        answer = alice_api.get(f"/api/v1/datasets/{query}")
        assert answer.status_code == 400, query
        assert set(answer.json()) <= {"search", "name"} and answer.json()


def test_another_user_gets_404(alice: Any, bob: Any) -> None:
    dataset = create_dataset(alice, "mine", upload=csv_upload())
    api = APIClient()
    api.force_authenticate(bob)
    assert api.get(f"/api/v1/datasets/{dataset.pk}/").status_code == 404
    assert api.delete(f"/api/v1/datasets/{dataset.pk}/").status_code == 404
    assert Dataset.objects.filter(pk=dataset.pk).exists()


def test_anonymous_gets_401(client: Any) -> None:
    assert client.get("/api/v1/datasets/").status_code == 401


def test_delete(alice: Any, alice_api: Any) -> None:
    dataset = create_dataset(alice, "gone", upload=csv_upload())
    assert alice_api.delete(f"/api/v1/datasets/{dataset.pk}/").status_code == 204
    assert not Dataset.objects.exists()


def test_schema_lists_the_endpoints(alice_api: Any) -> None:
    schema = alice_api.get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/datasets/",
        "/api/v1/datasets/{id}/",
        "/api/v1/trials/{trial_id}/outputs/",
        "/api/v1/trials/{trial_id}/outputs.zip",
        "/api/v1/trials/{trial_id}/outputs/{path}",
    ):
        assert path in schema["paths"], path
    listed = schema["paths"]["/api/v1/datasets/"]["get"]["parameters"]
    assert {"search", "name", "page", "page_size"} <= {p["name"] for p in listed}


@pytest.mark.parametrize("value", [True, 1.5, "abc", [1], {"id": 1}, 2**70, "9" * 40, -1, 0])
def test_a_jobs_dataset_value_is_checked(alice: Any, value: Any) -> None:
    with pytest.raises(ValueError, match="Dataset must be an id|Unknown dataset"):
        services.dataset_for_job(owner=alice, value=value)


def test_a_jobs_dataset_must_be_ready(alice: Any) -> None:
    with TestCase.captureOnCommitCallbacks(execute=False):
        waiting = services.dataset_create(owner=alice, name="waiting", upload=csv_upload())
    with pytest.raises(ValueError, match="'waiting' is still being processed"):
        services.dataset_for_job(owner=alice, value=waiting.pk)
    broken = create_dataset(alice, "broken", upload=tar_upload({}, links={"x": "/etc"}))
    assert broken.status == "failed"
    with pytest.raises(ValueError, match="Dataset 'broken' failed: .*symbolic link"):
        services.dataset_for_job(owner=alice, value=broken.pk)


def test_a_jobs_dataset_is_one_of_the_owners(alice: Any, bob: Any) -> None:
    mine = create_dataset(alice, "mine", upload=csv_upload())
    assert services.dataset_for_job(owner=alice, value=str(mine.pk)) == mine
    assert services.dataset_for_job(owner=alice, value=None) is None
    with pytest.raises(ValueError, match="Unknown dataset"):
        services.dataset_for_job(owner=bob, value=mine.pk)
