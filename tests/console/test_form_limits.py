"""Forms too large to read: the page says so, and nothing is saved.

Two sizes: a body over the route's limit is refused by ``console.body_limit`` before it is
read (the 413 page, JSON under /api/); a body within it whose text fields are more than
Django reads (``DATA_UPLOAD_MAX_MEMORY_SIZE``) gets the console's 400 page, except on the
algorithm pages, whose form names the field (tests/algorithms/test_form_limits.py).
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from algorithms.models import Algorithm
from console.body_limit import BodyLimitMiddleware
from tests.algorithms.helpers import py_upload
from tests.algorithms.test_views import _form_post

MB = 1024 * 1024
HTML = (b"accept", b"text/html,application/xhtml+xml,*/*;q=0.8")


def _refuse(path: str, headers: list[tuple[bytes, bytes]]) -> tuple[int, dict[str, str], str]:
    """The middleware's answer to a body declared 200 MB; the app must never run."""
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        raise AssertionError("the body was read")

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def app(scope: Any, receive: Any, send: Any) -> None:
        raise AssertionError("the app ran")

    scope = {"type": "http", "path": path, "headers": [(b"content-length", b"209715200"), *headers]}
    middleware = BodyLimitMiddleware(
        app, upload_limit=116 * MB, default_limit=11 * MB, dataset_limit=1040 * MB
    )
    asyncio.run(middleware(scope, receive, send))
    head = {k.decode(): v.decode() for k, v in sent[0]["headers"]}
    return sent[0]["status"], head, sent[1]["body"].decode()


def test_a_browser_over_the_body_limit_gets_the_console_page_with_the_limit() -> None:
    status, head, body = _refuse("/algorithms/create/", [HTML])
    assert status == 413 and head["content-type"].startswith("text/html")
    assert 'data-testid="error-page"' in body and "console.css" in body
    assert "It is 200 MB; this page accepts at most 116 MB in one submission" in body
    assert "nothing was saved" in body


def test_the_api_over_the_body_limit_gets_json() -> None:
    status, head, body = _refuse("/api/v1/algorithms/", [HTML])
    assert (status, head["content-type"]) == (413, "application/json")
    assert json.loads(body) == {
        "detail": "Request body too large: the limit for this address is 116 MB; "
        "nothing was read or saved."
    }


def test_a_client_that_does_not_ask_for_html_gets_text() -> None:
    status, head, body = _refuse("/accounts/login/", [])
    assert status == 413 and head["content-type"].startswith("text/plain")
    assert "the limit for this address is 11 MB" in body


def test_dataset_uploads_have_the_dataset_limit() -> None:
    middleware = BodyLimitMiddleware(
        lambda *a: None,  # type: ignore[arg-type, return-value]
        upload_limit=116 * MB,
        default_limit=11 * MB,
        dataset_limit=1040 * MB,
    )
    assert middleware.limit_for("/datasets/create/") == 1040 * MB
    assert middleware.limit_for("/api/v1/datasets/") == 1040 * MB
    assert middleware.limit_for("/datasets/7/delete/") == 11 * MB


@pytest.mark.django_db
def test_text_fields_over_what_django_reads_get_the_console_400_page(
    alice_client: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = alice_client.post(reverse("trainingjobs:create"), {"name": "x" * 2000})
    assert response.status_code == 400
    page = response.content.decode()
    assert "The form is too large to read." in page
    assert "Its text fields hold more than 1000 bytes together" in page
    assert "Nothing was saved." in page and 'data-testid="error-page"' in page


@pytest.mark.django_db
def test_too_many_fields_get_the_console_400_page(alice_client: Client, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"f{i}": "1" for i in range(20)}
    response = alice_client.post(reverse("trainingjobs:create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "The form has too many fields." in page and "more than 10 fields" in page
    assert "Nothing was saved." in page


@pytest.mark.django_db
def test_too_many_fields_on_the_algorithm_page_get_the_console_400_page(
    alice_client: Client, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {**_form_post(), **{f"f{i}": "1" for i in range(20)}}
    response = alice_client.post(reverse("algorithms:create"), data)  # multipart: the handler
    assert response.status_code == 400
    assert "The form has too many fields." in response.content.decode()
    assert not Algorithm.objects.exists()


@pytest.mark.django_db
def test_the_api_gets_json_when_django_cannot_read_the_body(
    alice_api: Any, settings: Any
) -> None:
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    data = {f"f{i}": "1" for i in range(20)}
    response = alice_api.post("/api/v1/algorithms/", data, format="multipart")
    assert response.status_code == 400
    assert "more than 10 fields" in response.json()["detail"]


@pytest.mark.django_db
def test_the_algorithm_page_still_checks_csrf(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    data = _form_post(code=py_upload(), sample_log="x" * (20 * MB))
    response = client.post(reverse("algorithms:create"), data)
    assert response.status_code == 403
    assert not Algorithm.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("logged_in", [False, True])
def test_a_field_that_fills_the_form_budget_exactly_leaves_no_negative_read(
    alice: Any, settings: Any, logged_in: bool
) -> None:
    # "a" fills the budget to the byte (its name and separators counted after it); "b"
    # then asked the stream for a negative size: an AssertionError, a 500.
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10
    client = Client()
    if logged_in:
        client.force_login(alice)
    response = client.post(reverse("algorithms:create"), {"a": "1234567890", "b": "2"})
    assert response.status_code in (200, 302, 400)
    assert not Algorithm.objects.exists()
