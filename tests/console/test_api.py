"""The console's own API: who the caller is (``/api/v1/auth/me/``)."""

from __future__ import annotations

from typing import Any

import pytest
from rest_framework.test import APIClient

from console.models import ApiToken

pytestmark = pytest.mark.django_db

ME = "/api/v1/auth/me/"


def _with_token(user: Any) -> APIClient:
    _, key = ApiToken.issue(user=user)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return api


def test_me_names_the_token_owner(alice: Any) -> None:
    response = _with_token(alice).get(ME)
    assert response.status_code == 200
    assert response.json() == {"id": alice.pk, "username": "alice", "is_staff": False}


def test_me_says_when_the_caller_is_staff(staff: Any) -> None:
    response = _with_token(staff).get(ME)
    assert response.json() == {"id": staff.pk, "username": "staff", "is_staff": True}


def test_me_without_credentials_is_401() -> None:
    assert APIClient().get(ME).status_code == 401
