"""A NUL byte in any list's search answers normally, never 500 (PostgreSQL stores no NUL)."""

from __future__ import annotations

from typing import Any

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/algorithms/?q=a%00b", "/datasets/?q=a%00b", "/training-jobs/?q=a%00b"],
)
def test_page_search_with_nul_lists_nothing(alice_client: Any, path: str) -> None:
    response = alice_client.get(path)
    assert response.status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/algorithms/?search=a%00b",
        "/api/v1/datasets/?search=a%00b",
        "/api/v1/datasets/?name=a%00b",
        "/api/v1/training-jobs/?search=a%00b",
    ],
)
def test_api_search_with_nul_is_a_400_on_the_field(alice_client: Any, path: str) -> None:
    response = alice_client.get(path)
    assert response.status_code == 400
    field = path.split("?")[1].split("=")[0]
    assert list(response.json()) == [field]
