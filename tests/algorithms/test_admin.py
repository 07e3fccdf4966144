"""Django admin: staff manage users, algorithms and engines; nobody else gets in."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from algorithms.models import Algorithm, Engine, Hyperparameter

pytestmark = pytest.mark.django_db


def _algorithm(owner: Any, name: str = "mnist") -> Algorithm:
    algorithm = Algorithm.objects.create(
        owner=owner, name=name, boot_file="train.py", engine=Engine.default()
    )
    Hyperparameter.objects.create(
        algorithm=algorithm, position=0, name="lr", type="float", default=0.1, min=0.001, max=1
    )
    return algorithm


@pytest.fixture
def staff_client(client: Client, staff: Any) -> Client:
    client.force_login(staff)
    return client


@pytest.mark.parametrize(
    "url",
    [
        "/admin/",
        "/admin/auth/user/",
        "/admin/algorithms/algorithm/",
        "/admin/algorithms/engine/",
        "/admin/algorithms/algorithm/?q=mnist&status__exact=creating",
    ],
)
def test_staff_opens_admin_pages(staff_client: Client, alice: Any, url: str) -> None:
    _algorithm(alice)
    response = staff_client.get(url)
    assert response.status_code == 200


def test_algorithm_changelist_lists_every_owner(staff_client: Client, alice: Any, bob: Any) -> None:
    _algorithm(alice, "alice-algo")
    _algorithm(bob, "bob-algo")
    content = staff_client.get("/admin/algorithms/algorithm/").content.decode()
    assert "alice-algo" in content and "bob-algo" in content


def test_algorithm_change_page_shows_rows_and_read_only_status(
    staff_client: Client, alice: Any
) -> None:
    algorithm = _algorithm(alice)
    algorithm.transition(Algorithm.Status.FAILED, "boot file train.py is not in the package")
    algorithm.save()
    response = staff_client.get(f"/admin/algorithms/algorithm/{algorithm.pk}/change/")
    content = response.content.decode()
    assert response.status_code == 200
    assert "lr" in content and 'name="hyperparameters-0-name"' not in content  # shown, read-only
    assert "boot file train.py is not in the package" in content
    assert 'name="status"' not in content and 'name="status_reason"' not in content


def test_non_staff_user_is_sent_to_admin_login(client: Client, alice: Any) -> None:
    client.force_login(alice)
    for url in ("/admin/", "/admin/algorithms/algorithm/"):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")


def test_second_default_engine_is_refused_with_a_message(staff_client: Client) -> None:
    first = Engine.default()
    response = staff_client.post(
        "/admin/algorithms/engine/add/",
        {
            "name": "py312",
            "python_path": "/usr/bin/python3.12",
            "description": "",
            "is_default": "on",
        },
    )
    assert response.status_code == 200
    assert f"“{first.name}” is already the default engine" in response.content.decode()
    assert not Engine.objects.filter(name="py312").exists()
    assert list(Engine.objects.filter(is_default=True)) == [first]


def test_default_engine_moves_after_the_old_one_is_unticked(staff_client: Client) -> None:
    first = Engine.default()
    staff_client.post(
        f"/admin/algorithms/engine/{first.pk}/change/",
        {"name": first.name, "python_path": first.python_path, "description": ""},
    )
    response = staff_client.post(
        "/admin/algorithms/engine/add/",
        {
            "name": "py312",
            "python_path": "/usr/bin/python3.12",
            "description": "",
            "is_default": "on",
        },
    )
    assert response.status_code == 302
    assert Engine.default().name == "py312"
    first.refresh_from_db()
    assert first.is_default is False


def test_algorithm_code_fields_are_read_only(staff_client: Client, alice: Any) -> None:
    algorithm = _algorithm(alice)
    algorithm.transition(Algorithm.Status.READY, "")
    algorithm.save()
    url = f"/admin/algorithms/algorithm/{algorithm.pk}/change/"
    content = staff_client.get(url).content.decode()
    for field in ("code_source", "code_file", "server_path", "boot_file"):
        assert f'name="{field}"' not in content
    assert "check the package again" in content

    response = staff_client.post(
        url,
        {
            "owner": alice.pk,
            "name": algorithm.name,
            "description": "edited",
            "engine": algorithm.engine_id,
            "code_source": "server_path",
            "server_path": "/etc",
            "boot_file": "evil.py",
            "metric_goal": algorithm.metric_goal,
            "argument_style": "space",
            "bool_style": "flag",
            "hyperparameters-TOTAL_FORMS": "0",
            "hyperparameters-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302  # saved: the other fields are still editable
    algorithm.refresh_from_db()
    assert algorithm.description == "edited"
    assert (algorithm.boot_file, algorithm.server_path) == ("train.py", "")
    assert algorithm.status == Algorithm.Status.READY
