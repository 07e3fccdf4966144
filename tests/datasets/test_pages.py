"""Dataset pages: list, create (upload or server folder), detail with preview, delete."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from datasets import services
from datasets.models import Dataset
from tests.datasets.helpers import create_dataset, csv_upload, tar_upload, zip_upload

pytestmark = pytest.mark.django_db


def test_pages_need_login(client: Any) -> None:
    for url in ("/datasets/", "/datasets/create/", "/datasets/1/", "/datasets/1/delete/"):
        answer = client.get(url)
        assert answer.status_code == 302 and "/accounts/login/" in answer["Location"]


def test_create_by_upload_shows_processing_then_size_files_and_preview(
    alice: Any, alice_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=False) as queued:
        answer = alice_client.post(
            "/datasets/create/", {"name": "digits", "description": "8x8", "file": csv_upload()}
        )
    dataset = Dataset.objects.get(owner=alice, name="digits")
    assert answer.status_code == 302 and answer["Location"] == f"/datasets/{dataset.pk}/"
    waiting = alice_client.get(answer["Location"]).content.decode()
    assert 'data-testid="dataset-status">Processing<' in waiting
    assert '<meta http-equiv="refresh"' in waiting and "preview-table" not in waiting
    assert "Processing" in alice_client.get("/datasets/").content.decode()
    for callback in queued:  # the worker reads it
        callback()
    page = alice_client.get(answer["Location"]).content.decode()
    assert 'data-testid="dataset-status">Ready<' in page and "http-equiv" not in page
    assert "28\xa0bytes in 1 file" in page
    assert 'data-testid="preview-table"' in page and '<td class="mono">label</td>' in page
    assert "data.csv" in page


def test_a_dataset_failed_on_the_worker_shows_the_reason(
    alice: Any, alice_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    upload = tar_upload({"../up.csv": b"1"})
    with django_capture_on_commit_callbacks(execute=True):
        answer = alice_client.post("/datasets/create/", {"name": "bad", "file": upload})
    assert answer.status_code == 302
    page = alice_client.get(answer["Location"]).content.decode()
    assert 'data-testid="dataset-status">Failed<' in page
    assert 'data-testid="status-reason"' in page and "escapes the package folder" in page


def test_list_shows_own_datasets_only(alice: Any, bob: Any, alice_client: Any) -> None:
    create_dataset(alice, "mine", upload=csv_upload())
    create_dataset(bob, "theirs", upload=csv_upload())
    page = alice_client.get("/datasets/").content.decode()
    assert 'data-name="mine"' in page and "theirs" not in page
    assert 'data-testid="nav-datasets"' in page


def test_refused_upload_keeps_what_was_typed(alice: Any, alice_client: Any) -> None:
    answer = alice_client.post(
        "/datasets/create/",
        {"name": "bad", "description": "kept text", "file": zip_upload({"../x.csv": b"1"})},
    )
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "escapes the package folder" in page
    assert 'value="bad"' in page and "kept text" in page
    # The browser clears the file input: the banner says so, naming the file.
    assert banner_note(page) == (
        "the other fields are kept, but a browser cannot keep a chosen file: "
        "choose data.zip again."
    )
    assert not Dataset.objects.exists()


def banner_note(page: str) -> str:
    """What the refused form's banner says is kept."""
    found = re.search(r'data-testid="form-errors-kept">(.*?)</span>', page, re.S)
    assert found, "no banner"
    return html.unescape(found.group(1))


def test_a_file_the_form_refused_before_keeping_it_is_named_to_choose_again(
    alice_client: Any,
) -> None:
    answer = alice_client.post(
        "/datasets/create/", {"name": "x" * 65, "file": csv_upload("digits.csv")}
    )
    assert answer.status_code == 400
    assert banner_note(answer.content.decode()).endswith("choose digits.csv again.")


def test_name_error_keeps_the_uploaded_file(
    alice: Any, alice_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    create_dataset(alice, "taken", upload=csv_upload())
    answer = alice_client.post("/datasets/create/", {"name": "taken", "file": csv_upload()})
    assert answer.status_code == 400
    token = answer.context["form"].data["pending_file"]
    assert token.endswith("/data.csv")
    assert "Uploaded: <strong>data.csv</strong>" in answer.content.decode()
    assert banner_note(answer.content.decode()) == (
        "everything you typed is kept, and so is the file data.csv."
    )
    with django_capture_on_commit_callbacks(execute=True):
        again = alice_client.post("/datasets/create/", {"name": "fresh", "pending_file": token})
    assert again.status_code == 302
    assert Dataset.objects.get(name="fresh").size == 28


def test_an_empty_file_and_a_taken_name_are_refused_together(
    alice: Any, alice_client: Any
) -> None:
    create_dataset(alice, "taken", upload=csv_upload())
    empty = SimpleUploadedFile("empty.csv", b"", content_type="text/csv")
    answer = alice_client.post("/datasets/create/", {"name": "taken", "file": empty})
    assert answer.status_code == 400
    errors = answer.context["form"].errors
    assert errors["name"] == ["You already have a dataset named 'taken'."]
    assert errors["file"] == ["The uploaded file is empty."]  # the API's words
    assert Dataset.objects.filter(owner=alice).count() == 1


def test_server_folder_outside_roots_is_a_field_error(
    alice: Any, alice_client: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATASET_SERVER_ROOTS = [tmp_path.resolve()]
    answer = alice_client.post("/datasets/create/", {"name": "srv", "server_path": "/etc"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "outside the folders allowed" in page and 'value="/etc"' in page


def test_an_empty_name_is_required_and_marked_like_every_form(alice_client: Any) -> None:
    answer = alice_client.post("/datasets/create/", {"name": "  ", "description": "kept"})
    assert answer.status_code == 400
    assert answer.context["form"].errors["name"] == ["Name is required."]
    page = answer.content.decode()
    # The shared error list of the algorithm and job forms, on a field marked has-error.
    assert '<ul class="errorlist"><li>Name is required.</li></ul>' in page
    # Server folders are off here (no DATASET_SERVER_ROOTS): the message offers none.
    assert '<ul class="errorlist"><li>Upload a file or an archive.</li>' in page
    assert page.count('class="field has-error"') == 2
    assert "field-error" not in page and "kept" in page
    assert not Dataset.objects.exists()


def test_nothing_given_is_a_clear_error(alice_client: Any, settings: Any, tmp_path: Any) -> None:
    answer = alice_client.post("/datasets/create/", {"name": "x"})
    assert answer.status_code == 400
    assert "Upload a file or an archive." in answer.content.decode()
    settings.DATASET_SERVER_ROOTS = [tmp_path]  # folders allowed: the message offers one
    answer = alice_client.post("/datasets/create/", {"name": "x"})
    assert "Upload a file or an archive, or give a server folder." in answer.content.decode()


def test_another_users_dataset_is_404(alice: Any, bob: Any, client: Any) -> None:
    dataset = create_dataset(alice, "mine", upload=csv_upload())
    client.force_login(bob)
    for url in (f"/datasets/{dataset.pk}/", f"/datasets/{dataset.pk}/delete/"):
        assert client.get(url).status_code == 404
    assert client.post(f"/datasets/{dataset.pk}/delete/").status_code == 404
    assert Dataset.objects.filter(pk=dataset.pk).exists()


def test_staff_sees_all(alice: Any, staff: Any, client: Any) -> None:
    dataset = create_dataset(alice, "mine", upload=csv_upload())
    client.force_login(staff)
    assert client.get(f"/datasets/{dataset.pk}/").status_code == 200


def test_delete_removes_row_and_blob(
    alice: Any, alice_client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    dataset = create_dataset(alice, "gone", upload=csv_upload())
    blob = Path(dataset.blob.path)
    with django_capture_on_commit_callbacks(execute=True):
        answer = alice_client.post(f"/datasets/{dataset.pk}/delete/")
    assert answer.status_code == 302
    assert not Dataset.objects.exists() and not blob.exists()


def test_preview_can_be_chosen(alice: Any, alice_client: Any) -> None:
    upload = zip_upload({"a.csv": b"x,y\n", "notes.txt": b"first line\n"})
    dataset = create_dataset(alice, "z", upload=upload)
    page = alice_client.get(f"/datasets/{dataset.pk}/?preview=notes.txt").content.decode()
    assert 'data-testid="preview-text"' in page and "first line" in page


def test_job_dataset_field_lists_own_datasets_and_keeps_the_choice(
    alice: Any, bob: Any, rf: Any
) -> None:
    from django.template import Context, Template

    mine = create_dataset(alice, "mine", upload=csv_upload())
    create_dataset(bob, "theirs", upload=csv_upload())
    waiting = services.dataset_create(owner=alice, name="waiting", upload=csv_upload())
    request = rf.get("/")
    request.user = alice
    template = Template("{% load datasets_tags %}{% job_dataset_field selected errs %}")
    html = template.render(
        Context({"request": request, "selected": str(mine.pk), "errs": ["Unknown dataset 9."]})
    )
    assert f'<option value="{mine.pk}" selected>mine' in html
    assert "theirs" not in html
    assert f'<option value="{waiting.pk}" disabled>waiting (processing: not usable yet)' in html
    assert "Unknown dataset 9." in html


def test_create_page_offers_a_server_folder_only_when_folders_are_enabled(
    alice_client: Any, settings: Any, tmp_path: Path
) -> None:
    settings.DATASET_SERVER_ROOTS = []
    page = alice_client.get("/datasets/create/").content.decode()
    assert "Or a server folder" not in page and 'name="server_path"' not in page

    settings.DATASET_SERVER_ROOTS = [tmp_path.resolve()]
    page = alice_client.get("/datasets/create/").content.decode()
    assert "Or a server folder" in page and 'name="server_path"' in page


def test_a_server_folder_posted_while_disabled_is_shown_with_its_refusal(
    alice_client: Any, settings: Any
) -> None:
    # An API user's habit, or an old page: the path and the refusal, ending in a period.
    settings.DATASET_SERVER_ROOTS = []
    answer = alice_client.post("/datasets/create/", {"name": "srv", "server_path": "/srv/d"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert 'value="/srv/d"' in page
    assert "Server folders are not enabled on this server.<" in page
