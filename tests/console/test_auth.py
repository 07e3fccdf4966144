"""Login is needed everywhere: pages redirect to the login page, the API answers 401."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from algorithms.models import Algorithm, Engine

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")


def _algorithm(owner: Any) -> Algorithm:
    return Algorithm.objects.create(
        owner=owner, name="mnist", boot_file="train.py", engine=Engine.default()
    )


@pytest.mark.parametrize(
    "url",
    [
        reverse("home"),
        reverse("algorithms:list"),
        reverse("algorithms:create"),
        reverse("admin:index"),
        reverse("admin:algorithms_algorithm_changelist"),
    ],
)
def test_pages_send_anonymous_users_to_the_login_page(client: Client, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(LOGIN) or location.startswith(reverse("admin:login"))
    assert "next=" in location


@pytest.mark.parametrize("name", ["algorithms:detail", "algorithms:edit", "algorithms:delete"])
def test_algorithm_pages_send_anonymous_users_to_the_login_page(
    client: Client, alice: Any, name: str
) -> None:
    url = reverse(name, args=[_algorithm(alice).pk])
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(LOGIN)
    assert Algorithm.objects.filter(owner=alice).count() == 1


def test_anonymous_post_changes_nothing(client: Client, alice: Any) -> None:
    algorithm = _algorithm(alice)
    response = client.post(reverse("algorithms:delete", args=[algorithm.pk]))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    assert Algorithm.objects.filter(pk=algorithm.pk).exists()


@pytest.mark.parametrize(
    "url", ["/api/v1/algorithms/", "/api/v1/algorithms/1/", "/api/v1/search-algorithms/"]
)
def test_api_answers_401_without_credentials(client: Client, url: str) -> None:
    response = client.get(url, HTTP_ACCEPT="application/json")
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Token")


def test_login_page_logs_in_and_goes_to_next(client: Client, alice: Any) -> None:
    assert client.get(LOGIN).status_code == 200
    response = client.post(
        LOGIN,
        {"username": "alice", "password": "alice-pass-123", "next": reverse("algorithms:list")},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("algorithms:list")
    assert int(client.session["_auth_user_id"]) == alice.pk
    assert client.get(reverse("home")).status_code == 200


def test_logout_is_a_post_that_ends_the_session(client: Client, alice: Any) -> None:
    client.force_login(alice)
    assert client.get(reverse("logout")).status_code == 405  # a link must not log anyone out
    assert "_auth_user_id" in client.session

    response = client.post(reverse("logout"))
    assert response.status_code == 302 and response["Location"] == LOGIN
    assert "_auth_user_id" not in client.session
    assert client.get(reverse("home"))["Location"].startswith(LOGIN)


def test_wrong_password_shows_an_error_and_keeps_the_username(client: Client, alice: Any) -> None:
    response = client.post(LOGIN, {"username": "alice", "password": "not-her-password"})
    assert response.status_code == 200
    content = response.content.decode()
    assert "Please enter a correct username and password" in content
    assert 'value="alice"' in content
    assert "_auth_user_id" not in client.session


def test_logged_in_user_skips_the_login_page(client: Client, alice: Any) -> None:
    client.force_login(alice)
    response = client.get(LOGIN)
    assert response.status_code == 302 and response["Location"] == reverse("home")


def test_admin_offers_no_token_model_the_api_refuses(admin_client: Any) -> None:
    """The console's API keys are ApiTokens (issued by the API, stored hashed, revoked in
    the admin); Django REST framework's own token model is not installed, so the admin
    offers no page that would add a clear-text key the API then refuses."""
    assert admin_client.get("/admin/authtoken/tokenproxy/add/").status_code == 404
    index = admin_client.get("/admin/").content.decode()
    assert "authtoken" not in index and "Api tokens" in index
