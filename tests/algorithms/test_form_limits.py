"""The algorithm pages with a field too large to read: a message on it, the rest kept."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from algorithms import services
from algorithms.models import Algorithm
from tests.algorithms.helpers import REGEX, py_upload, valid_spec
from tests.algorithms.test_views import _form_post

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


def test_a_20_mb_sample_log_comes_back_with_a_message_and_everything_else_kept(
    alice: Any, alice_client: Client, settings: Any
) -> None:
    log = "epoch 1 accuracy=0.5\n" * (20 * MB // 21 + 1)
    assert len(log) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE  # Django alone would answer 400
    response = alice_client.post(
        reverse("algorithms:create"), _form_post(code=py_upload(), sample_log=log)
    )
    assert response.status_code == 400
    message = response.context["errors"]["sample_log"][0]
    assert message.startswith("The sample log you pasted is 20.0 MB")
    assert "nothing was saved" in message and "1 million characters" in message
    raw = response.context["raw"]
    assert (raw["name"], raw["description"], raw["metric"]["regex"]) == ("cifar", "resnet", REGEX)
    assert [row["name"] for row in raw["hyperparameters"]] == ["lr", "opt"]
    assert raw["selected"] == ["tpe_search", "random"]  # fields sent after the log are kept
    assert raw["sample_log"] == ""
    assert response.context["pending_token"]  # the upload is kept for the next post
    assert not Algorithm.objects.exists()


def test_the_edit_page_refuses_a_20_mb_sample_log_and_keeps_the_algorithm(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(owner=alice, spec=valid_spec(), code=py_upload())
    before = algorithm.sample_log
    log = "x" * (20 * MB)
    data = _form_post(name="renamed", sample_log=log)
    response = alice_client.post(reverse("algorithms:edit", args=[algorithm.pk]), data)
    assert response.status_code == 400
    assert "20.0 MB" in response.context["errors"]["sample_log"][0]
    assert response.context["raw"]["name"] == "renamed"
    algorithm.refresh_from_db()
    assert (algorithm.name, algorithm.sample_log) == ("mnist-mlp", before)


def test_a_sample_log_the_parser_keeps_is_still_limited_by_the_validator(
    alice: Any, alice_client: Client
) -> None:
    log = "a" * (2 * MB)  # 2 Mi characters: read, then refused on its field
    response = alice_client.post(
        reverse("algorithms:create"), _form_post(code=py_upload(), sample_log=log)
    )
    assert response.status_code == 400
    assert response.context["errors"]["sample_log"] == [
        "The sample log is 2.0 million characters; at most 1 million are kept. Paste the "
        "part around the lines that print the metric."
    ]
