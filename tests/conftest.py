"""Shared fixtures: the users every test talks about, and isolated storage.

alice owns things, bob is another ordinary user, staff sees everything.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _isolated_media(settings: Any, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _huey_immediate() -> Any:
    # Tasks run for real, synchronously, in unit tests (huey's immediate mode).
    from huey.contrib.djhuey import HUEY

    previous = HUEY.immediate
    HUEY.immediate = True
    yield
    HUEY.immediate = previous


def _make_user(django_user_model: Any, username: str, **extra: Any) -> Any:
    return django_user_model.objects.create_user(
        username=username, password=f"{username}-pass-123", **extra
    )


@pytest.fixture
def alice(django_user_model: Any) -> Any:
    return _make_user(django_user_model, "alice")


@pytest.fixture
def bob(django_user_model: Any) -> Any:
    return _make_user(django_user_model, "bob")


@pytest.fixture
def staff(django_user_model: Any) -> Any:
    return _make_user(django_user_model, "staff", is_staff=True, is_superuser=True)


@pytest.fixture
def alice_client(client: Any, alice: Any) -> Any:
    client.force_login(alice)
    return client


@pytest.fixture
def alice_api(alice: Any) -> Any:
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_authenticate(alice)
    return api
