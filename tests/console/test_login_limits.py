"""Password guessing is throttled; API tokens have lifetimes and are listed and revoked."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from console.models import ApiToken

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
TOKENS_URL = "/api/v1/auth/tokens/"


@pytest.fixture(autouse=True)
def _small_limits(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    cache.clear()  # DRF throttles count in the cache


def _guess(client: Client, username: str = "alice") -> Any:
    return client.post(reverse("login"), {"username": username, "password": "wrong"})


def test_login_page_locks_out_after_the_limit_with_a_clear_message(
    client: Client, alice: Any
) -> None:
    statuses = [_guess(client).status_code for _ in range(4)]
    assert statuses[:2] == [200, 200] and statuses[-1] == 429
    response = _guess(client)
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert "Too many failed logins" in response.content.decode()
    # Locked even with the right password until the cool-off ends.
    right = client.post(reverse("login"), {"username": "alice", "password": "alice-pass-123"})
    assert right.status_code == 429


def test_username_is_locked_out_from_any_address(client: Client, alice: Any) -> None:
    for n in range(3):
        client.post(
            reverse("login"),
            {"username": "alice", "password": "wrong"},
            REMOTE_ADDR=f"10.0.0.{n + 1}",
        )
    response = client.post(
        reverse("login"),
        {"username": "alice", "password": "alice-pass-123"},
        REMOTE_ADDR="10.0.0.99",
    )
    assert response.status_code == 429


def test_token_endpoint_answers_429_with_retry_after_when_locked_out(alice: Any) -> None:
    api = APIClient()
    for _ in range(3):
        api.post(TOKEN_URL, {"username": "alice", "password": "wrong"}, format="json")
    response = api.post(TOKEN_URL, {"username": "alice", "password": "wrong"}, format="json")
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert not ApiToken.objects.exists()


def test_token_endpoint_is_rate_limited_per_username(settings: Any, alice: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 1000
    api = APIClient()
    answers = [
        api.post(
            TOKEN_URL, {"username": "bob", "password": "x"}, format="json",
            REMOTE_ADDR=f"10.1.0.{n}",
        ).status_code
        for n in range(12)
    ]
    assert answers[:10] == [400] * 10
    assert answers[10:] == [429, 429]


def test_token_lifetime_list_and_revoke(alice: Any, bob: Any) -> None:
    api = APIClient()
    created = api.post(
        TOKEN_URL,
        {"username": "alice", "password": "alice-pass-123", "name": "laptop",
         "expires_in_days": 7},
        format="json",
    ).json()
    token = ApiToken.objects.get(pk=created["id"])
    assert token.name == "laptop"
    assert timedelta(days=6) < token.expires_at - timezone.now() <= timedelta(days=7)

    api.credentials(HTTP_AUTHORIZATION=f"Token {created['token']}")
    listed = api.get(TOKENS_URL).json()
    assert [t["name"] for t in listed] == ["laptop"]
    assert "token" not in listed[0] and listed[0]["prefix"] == created["token"][:8]

    other, _ = ApiToken.issue(user=bob)
    assert api.delete(f"{TOKENS_URL}{other.pk}/").status_code == 404
    assert api.delete(f"{TOKENS_URL}{token.pk}/").status_code == 204
    assert api.get(TOKENS_URL).status_code == 401
    assert ApiToken.objects.filter(user=bob).exists()


def test_expired_token_is_refused(alice: Any) -> None:
    token, key = ApiToken.issue(user=alice, lifetime=timedelta(days=1))
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    response = api.get("/api/v1/algorithms/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"]


def test_token_endpoint_wrong_password_answers_with_a_detail(alice: Any) -> None:
    response = APIClient().post(TOKEN_URL, {"username": "alice", "password": "wrong"})
    assert response.status_code == 400
    message = "Unable to log in with the username and password given."
    assert response.json() == {"detail": message, "non_field_errors": [message]}
    assert not ApiToken.objects.filter(user=alice).exists()
