"""JSON input the API refuses beyond invalid JSON, on every endpoint that takes JSON: a
lone surrogate (``"\\ud800"``: valid JSON, no character; stored, it broke every later
answer showing it with a 500) and nesting past 32 levels (a ``RecursionError`` in the
decoder). Both are a 400 that says where, and nothing is saved."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from algorithms import json_input
from algorithms.models import Algorithm
from console.models import ApiToken
from datasets.models import Dataset
from tests.algorithms.test_api import _multipart, _spec
from tests.trainingjobs.test_api import make_job
from tests.trainingjobs.test_specs import job_data, make_algorithm
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db

LONE = "\ud800"
DEEP = "[" * 5000 + "]" * 5000


def test_check_names_where_a_lone_surrogate_is() -> None:
    with pytest.raises(json_input.JsonInputError, match=r"^environment\.A: surrogate .*U\+D800"):
        json_input.check({"name": "x", "environment": {"A": LONE}})
    with pytest.raises(json_input.JsonInputError, match=r"^rows\[1\]\.name: "):
        json_input.check({"rows": [{"name": "ok"}, {"name": "a" + LONE}]})
    with pytest.raises(json_input.JsonInputError, match=r"^a key of fixed: .*U\+DC00"):
        json_input.check({"fixed": {"\udc00": 1}})
    json_input.check({"text": "ünïcödé ✓ 𝔘", "n": [1.5, None, True]})  # real characters pass


def test_check_counts_nesting_levels() -> None:
    json_input.check(json.loads("[" * 32 + "]" * 32))
    with pytest.raises(json_input.JsonInputError, match="nested deeper than 32 levels"):
        json_input.check(json.loads("[" * 33 + "]" * 33))
    with pytest.raises(json_input.JsonInputError, match="nested deeper than 32 levels"):
        json_input.loads(DEEP)


def _job_bodies(algorithm: Algorithm) -> list[dict[str, Any]]:
    return [
        job_data(algorithm, environment={"A": LONE}),
        job_data(algorithm, hyperparameters={"epochs": 3, "checkpoint": LONE}),
        job_data(
            algorithm,
            search_space={"optimizer": {"type": "choice", "values": ["adam", LONE]}},
        ),
        job_data(algorithm, description="bad " + LONE),
        job_data(algorithm, metric={"name": "accuracy", "regex": "acc=([0-9.]+)" + LONE}),
        job_data(algorithm, name=LONE),
    ]


def test_a_job_with_a_lone_surrogate_anywhere_is_refused_and_the_list_still_answers(
    alice: Any, alice_api: APIClient
) -> None:
    algorithm = make_algorithm(alice)
    for body in _job_bodies(algorithm):
        text = json.dumps(body)  # ensure_ascii: the surrogate travels as the escape \ud800
        assert "\\ud800" in text
        response = alice_api.post("/api/v1/training-jobs/", text, content_type="application/json")
        assert response.status_code == 400, body
        assert "surrogate characters are not allowed (U+D800" in response.json()["detail"]
    assert not TrainingJob.objects.exists()
    assert alice_api.get("/api/v1/training-jobs/").status_code == 200


def test_extend_and_patch_bodies_are_checked_too(alice: Any, alice_api: APIClient) -> None:
    job = make_job(alice)
    paths = (f"/api/v1/training-jobs/{job.pk}/extend/", f"/api/v1/algorithms/{job.algorithm_id}/")
    for path in paths:
        for body in (json.dumps({"description": LONE}), DEEP):
            method = alice_api.patch if "algorithms" in path else alice_api.post
            response = method(path, body, content_type="application/json")
            assert response.status_code == 400, (path, body[:20])
            assert "JSON parse error - " in response.json()["detail"]


@pytest.mark.parametrize(
    "spec",
    [
        _spec(description=LONE),
        _spec(name="x" + LONE),
        _spec(hyperparameters=[{"name": "lr", "type": "float", "description": LONE}]),
        _spec(metric={"name": "accuracy", "goal": "maximize", "regex": LONE}),
    ],
)
def test_an_algorithm_json_body_with_a_lone_surrogate_is_refused(
    alice_api: APIClient, spec: dict[str, Any]
) -> None:
    response = alice_api.post(
        "/api/v1/algorithms/", json.dumps(spec), content_type="application/json"
    )
    assert response.status_code == 400
    assert "surrogate characters are not allowed" in response.json()["detail"]
    assert not Algorithm.objects.exists()


def test_an_algorithm_json_body_nested_too_deep_is_a_400(alice_api: APIClient) -> None:
    body = json.dumps(_spec())[:-1] + ', "hyperparameters": ' + DEEP + "}"
    response = alice_api.post("/api/v1/algorithms/", body, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "JSON parse error - nested deeper than 32 levels."


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("hyperparameters", [{"name": LONE, "type": "float"}]),
        ("metric", {"name": LONE, "goal": "maximize", "regex": "x=([0-9.]+)"}),
        ("search_algorithms", [{"name": LONE, "params": {}}]),
    ],
)
def test_json_text_in_a_multipart_field_is_read_as_strictly(
    alice_api: APIClient, field: str, value: Any
) -> None:
    for text, message in (
        (json.dumps(value), "surrogate characters are not allowed"),
        (DEEP, "nested deeper than 32 levels"),
    ):
        body = _multipart(_spec())
        body[field] = text
        response = alice_api.post("/api/v1/algorithms/", body, format="multipart")
        assert response.status_code == 400, (field, text[:30])
        assert message in json.dumps(response.json()).lower(), response.json()
    assert not Algorithm.objects.exists()


def test_dataset_and_token_bodies_are_checked_too(alice_api: APIClient) -> None:
    for path, body in (
        ("/api/v1/datasets/", {"name": "d" + LONE, "server_path": "/x"}),
        ("/api/v1/auth/token/", {"username": "alice", "password": "x", "name": LONE}),
    ):
        response = alice_api.post(path, json.dumps(body), content_type="application/json")
        assert response.status_code == 400, path
        assert "surrogate characters are not allowed" in response.json()["detail"]
    assert not Dataset.objects.exists() and not ApiToken.objects.exists()
