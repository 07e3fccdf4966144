"""What the algorithm pages say up front: the create's banner by the package check's state,
and a delete page that names the jobs using the algorithm before any click."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from algorithms import services
from algorithms.models import Algorithm
from tests.algorithms.helpers import py_upload, valid_spec, zip_upload
from tests.algorithms.test_views import _form_post
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db

BAD_ZIP = {"/etc/evil.py": b"", "train.py": b""}


def _create(client: Client, capture: Any, code: Any, *, check: bool) -> tuple[Algorithm, str]:
    """Post the create page; run the package check (``check``) before the detail page."""
    with capture(execute=check):
        response = client.post(reverse("algorithms:create"), _form_post(code=code))
    assert response.status_code == 302
    algorithm = Algorithm.objects.get(name="cifar")
    return algorithm, client.get(response["Location"]).content.decode()


def test_failed_package_check_shows_no_created_banner(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm, page = _create(
        alice_client, django_capture_on_commit_callbacks, zip_upload(BAD_ZIP), check=True
    )
    assert algorithm.status == Algorithm.Status.FAILED
    assert "created" not in page and "alert-success" not in page
    assert 'data-testid="status-reason"' in page and "is an absolute path" in page


def test_created_banner_says_checking_while_the_check_runs(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm, page = _create(
        alice_client, django_capture_on_commit_callbacks, py_upload(), check=False
    )
    assert algorithm.status == Algorithm.Status.CREATING
    assert "Algorithm &#x27;cifar&#x27; created; checking its package." in page
    # Shown once: the page's own refreshes do not repeat it.
    again = alice_client.get(reverse("algorithms:detail", args=[algorithm.pk]))
    assert "created;" not in again.content.decode()


def test_created_banner_says_passed_once_ready(
    alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm, page = _create(
        alice_client, django_capture_on_commit_callbacks, py_upload(), check=True
    )
    assert algorithm.status == Algorithm.Status.READY
    assert "Algorithm &#x27;cifar&#x27; created; its package passed the check." in page
    assert 'class="alert alert-success"' in page


def test_delete_page_names_the_jobs_using_it_and_disables_delete(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(owner=alice, spec=valid_spec(), code=py_upload())
    url = reverse("algorithms:delete", args=[algorithm.pk])
    free = alice_client.get(url).content.decode()
    assert 'data-testid="in-use"' not in free
    assert re.search(r'data-testid="confirm-delete">Delete<', free)

    TrainingJob.objects.create(owner=alice, name="uses-it", algorithm=algorithm)
    one = alice_client.get(url).content.decode()
    assert "It cannot be deleted now: 1 training job uses it. Delete that job first." in one
    TrainingJob.objects.create(owner=alice, name="uses-it-too", algorithm=algorithm)
    page = alice_client.get(url).content.decode()
    assert "It cannot be deleted now: 2 training jobs use it. Delete those jobs first." in page
    assert re.search(r'data-testid="confirm-delete" disabled title="Used by 2 training jobs"', page)
    assert Algorithm.objects.filter(pk=algorithm.pk).exists()
