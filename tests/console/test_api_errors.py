"""Errors under /api/ answer JSON in the API's own shape; pages keep their HTML pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.test import RequestFactory

from console import views

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path", ["/api/v1/jobs/2/extend/", "/api/v1/nothing", "/api/v1/training-jobs/x/"]
)
def test_unknown_api_path_is_json_404(alice_client: Any, path: str) -> None:
    response = alice_client.post(path, {"max_trials": 60}, content_type="application/json")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": f"Not found: no endpoint at {path}."}


def test_unknown_api_path_without_session_is_json_404(client: Any) -> None:
    response = client.get("/api/v1/nothing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not found: no endpoint at /api/v1/nothing/."}


def test_existing_endpoint_keeps_its_own_404(alice_client: Any) -> None:
    response = alice_client.get("/api/v1/training-jobs/999999/")
    assert response.status_code == 404
    assert response.json() == {"detail": "No TrainingJob matches the given query."}


def test_page_404_stays_a_page(alice_client: Any) -> None:
    response = alice_client.get("/no-such-page/")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert b"Page not found" in response.content


def test_api_403_and_500_are_json() -> None:
    request = RequestFactory().get("/api/v1/algorithms/")
    denied = views.permission_denied(request, PermissionDenied())
    assert denied.status_code == 403
    assert denied["Content-Type"] == "application/json"
    assert b"permission" in denied.content
    failed = views.server_error(request)
    assert failed.status_code == 500
    assert failed["Content-Type"] == "application/json"
    assert failed.content == b'{"detail": "A server error occurred."}'


def test_page_403_and_500_stay_pages() -> None:
    request = RequestFactory().get("/algorithms/")
    assert views.permission_denied(request, PermissionDenied())["Content-Type"].startswith(
        "text/html"
    )
    assert views.server_error(request)["Content-Type"].startswith("text/html")
    assert views.page_not_found(request, Http404())["Content-Type"].startswith("text/html")
