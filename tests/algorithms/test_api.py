"""REST API of algorithms: the form's validation, ownership, pagination, uploads, tokens."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from algorithms.models import Algorithm, Engine, Hyperparameter
from algorithms.validation import validate_algorithm_spec
from console.models import ApiToken, hash_key
from tests.algorithms.helpers import zip_upload
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db

URL = "/api/v1/algorithms/"
SCRIPT = b"import argparse\nprint('accuracy=0.9')\n"
EXAMPLE = Path(settings.BASE_DIR) / "examples" / "digits_mlp"


def _spec(**overrides: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": "mnist-cnn",
        "description": "A small network",
        "boot_file": "train.py",
        "hyperparameters": [
            {"name": "lr", "type": "float", "default": 0.01, "min": 0.0001, "max": 1},
            {"name": "epochs", "type": "int", "default": 5, "min": 1, "max": 50},
            {"name": "optimizer", "type": "str", "default": "adam", "choices": ["adam", "sgd"]},
        ],
        "auto_search": True,
        "metric": {"name": "accuracy", "goal": "maximize", "regex": r"accuracy=([0-9.]+)"},
        "search_algorithms": [{"name": "random", "params": {}}],
    }
    spec.update(overrides)
    return spec


def _multipart(spec: dict[str, Any], code: bytes = SCRIPT, filename: str = "train.py") -> dict:
    body: dict[str, Any] = {
        key: json.dumps(value) if isinstance(value, list | dict) else value
        for key, value in spec.items()
    }
    body["auto_search"] = "true" if spec.get("auto_search") else "false"
    body["code"] = SimpleUploadedFile(filename, code, content_type="text/x-python")
    return body


def _algorithm(owner: Any, name: str = "saved", **fields: Any) -> Algorithm:
    algorithm = Algorithm.objects.create(
        owner=owner,
        name=name,
        boot_file="train.py",
        engine=Engine.default(),
        code_source=Algorithm.CodeSource.SERVER_PATH,
        server_path=str(EXAMPLE),
        **fields,
    )
    Hyperparameter.objects.create(
        algorithm=algorithm, position=0, name="lr", type="float", default=0.1, min=0.01, max=1
    )
    return algorithm


# --- create -----------------------------------------------------------------------------------


def test_multipart_create_saves_the_algorithm_and_validates_its_package(
    alice_api: APIClient, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.post(URL, _multipart(_spec()), format="multipart")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["owner"] == "alice"
    assert body["metric"] == {"name": "accuracy", "goal": "maximize", "regex": "accuracy=([0-9.]+)"}
    assert [row["name"] for row in body["hyperparameters"]] == ["lr", "epochs", "optimizer"]
    assert body["hyperparameters"][1]["max"] == 50

    algorithm = Algorithm.objects.get(pk=body["id"])
    assert algorithm.owner == alice
    assert algorithm.status == Algorithm.Status.READY
    assert algorithm.code_source == Algorithm.CodeSource.UPLOAD
    assert algorithm.code_file.read() == SCRIPT
    assert algorithm.auto_search and algorithm.metric_name == "accuracy"
    assert [sa["name"] for sa in algorithm.search_algorithms] == ["random"]
    rows = list(algorithm.hyperparameters.values_list("name", "type", "default"))
    assert rows == [("lr", "float", 0.01), ("epochs", "int", 5), ("optimizer", "str", "adam")]


def test_json_create_takes_a_server_path(alice_api: APIClient) -> None:
    body = _spec(name="digits", server_path=str(EXAMPLE))
    response = alice_api.post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    algorithm = Algorithm.objects.get(name="digits")
    assert algorithm.code_source == Algorithm.CodeSource.SERVER_PATH
    assert Path(algorithm.server_path) == EXAMPLE.resolve()
    assert response.json()["engine"] is None  # no default engine yet: the default at run time
    assert not Engine.objects.exists()


def test_create_errors_carry_the_form_messages_nested_by_field_and_row(
    alice_api: APIClient,
) -> None:
    spec = _spec(name="bad name!", metric={"name": "accuracy", "goal": "maximize", "regex": "("})
    spec["hyperparameters"][1]["default"] = 500
    response = alice_api.post(URL, _multipart(spec), format="multipart")

    assert response.status_code == 400
    body = response.json()
    _, expected = validate_algorithm_spec(spec)
    assert body["name"] == expected.fields["name"]
    assert body["metric"]["regex"] == expected.fields["metric.regex"]
    # The page's message, naming the hyperparameter as the page's row does.
    assert body["hyperparameters"] == {
        "1": {"default": [f"epochs: {m}" for m in expected.rows[1]["default"]]}
    }
    assert "outside the range" in body["hyperparameters"]["1"]["default"][0]
    assert not Algorithm.objects.exists()


def test_unknown_search_algorithm_parameter_lands_under_its_index(alice_api: APIClient) -> None:
    spec = _spec(search_algorithms=[{"name": "random", "params": {"no_such_param": 3}}])
    response = alice_api.post(URL, _multipart(spec), format="multipart")
    assert response.status_code == 400
    messages = response.json()["search_algorithms"]["0"]["params"]["no_such_param"]
    assert "no parameter 'no_such_param'" in messages[0]
    assert not Algorithm.objects.exists()


def test_missing_fields_get_the_form_messages(alice_api: APIClient) -> None:
    response = alice_api.post(URL, {"name": "", "server_path": str(EXAMPLE)}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["name"] == ["Name is required."]
    assert body["boot_file"] == ["Boot file is required, e.g. train.py."]
    assert not Algorithm.objects.exists()


def test_create_without_code_asks_for_it(alice_api: APIClient) -> None:
    response = alice_api.post(URL, _spec(), format="json")
    assert response.status_code == 400
    assert response.json()["code"] == ["Upload a code package or give a server path."]


def test_server_path_outside_the_allowed_roots_is_refused(
    alice_api: APIClient, tmp_path: Path
) -> None:
    response = alice_api.post(URL, _spec(server_path=str(tmp_path)), format="json")
    assert response.status_code == 400
    assert "administrator allows" in response.json()["server_path"][0]
    assert not Algorithm.objects.exists()


def test_upload_over_the_size_limit_is_refused_on_code(alice_api: APIClient, settings: Any) -> None:
    settings.MAX_UPLOAD_MB = 1
    big = b"#" * (1024 * 1024 + 10)
    response = alice_api.post(URL, _multipart(_spec(), code=big), format="multipart")
    assert response.status_code == 400
    assert "the limit is 1 MB" in response.json()["code"][0]
    assert not Algorithm.objects.exists()


def test_empty_upload_is_refused_on_code(alice_api: APIClient) -> None:
    response = alice_api.post(URL, _multipart(_spec(), code=b""), format="multipart")
    assert response.status_code == 400
    assert response.json()["code"] == ["The uploaded file is empty."]


def test_malformed_json_in_a_multipart_field_is_reported_on_that_field(
    alice_api: APIClient,
) -> None:
    body = _multipart(_spec())
    body["hyperparameters"] = "[{'name': 'lr'"
    response = alice_api.post(URL, body, format="multipart")
    assert response.status_code == 400
    assert list(response.json()) == ["hyperparameters"]
    assert not Algorithm.objects.exists()


def test_duplicate_name_for_the_same_owner_is_refused(alice_api: APIClient, alice: Any) -> None:
    _algorithm(alice, "mnist-cnn")
    response = alice_api.post(URL, _multipart(_spec()), format="multipart")
    assert response.status_code == 400
    assert "already have an algorithm named 'mnist-cnn'" in response.json()["name"][0]
    assert Algorithm.objects.count() == 1


# --- list and retrieve ------------------------------------------------------------------------


def test_list_is_paginated_and_shows_only_own_algorithms(
    alice_api: APIClient, alice: Any, bob: Any
) -> None:
    for i in range(3):
        _algorithm(alice, f"alice-{i}")
    _algorithm(bob, "bob-0")
    body = alice_api.get(URL, {"page_size": 2}).json()
    assert body["count"] == 3
    assert len(body["results"]) == 2 and body["next"]
    names = {a["name"] for a in body["results"]} | {
        a["name"] for a in alice_api.get(URL, {"page_size": 2, "page": 2}).json()["results"]
    }
    assert names == {"alice-0", "alice-1", "alice-2"}


def test_list_search_matches_name_and_description(alice_api: APIClient, alice: Any) -> None:
    _algorithm(alice, "resnet")
    _algorithm(alice, "gbdt", description="boosted trees on tabular data")
    _algorithm(alice, "mlp")
    assert [a["name"] for a in alice_api.get(URL, {"search": "RES"}).json()["results"]] == [
        "resnet"
    ]
    assert [a["name"] for a in alice_api.get(URL, {"search": "trees"}).json()["results"]] == [
        "gbdt"
    ]


def test_staff_list_shows_every_owner(staff: Any, alice: Any, bob: Any) -> None:
    _algorithm(alice, "a")
    _algorithm(bob, "b")
    api = APIClient()
    api.force_authenticate(staff)
    assert {a["owner"] for a in api.get(URL).json()["results"]} == {"alice", "bob"}


def test_retrieve_gives_the_documented_shape(alice_api: APIClient, alice: Any) -> None:
    algorithm = _algorithm(alice)
    body = alice_api.get(f"{URL}{algorithm.pk}/").json()
    assert set(body) == {
        "id", "name", "description", "boot_file", "engine", "hyperparameters", "auto_search",
        "metric", "search_algorithms", "status", "status_reason", "created_at", "updated_at",
        "owner", "argument_style", "bool_style", "accepts_data_urls", "sample_log",
        "package_pending", "package_refused_reason",
    }  # fmt: skip
    assert body["hyperparameters"] == [
        {
            "name": "lr", "type": "float", "default": 0.1, "min": 0.01, "max": 1.0,
            "choices": [], "required": False, "description": "",
        }
    ]  # fmt: skip
    assert body["status"] == "creating"


def test_other_users_algorithm_is_404_for_every_method(alice_api: APIClient, bob: Any) -> None:
    theirs = _algorithm(bob, "bobs")
    url = f"{URL}{theirs.pk}/"
    assert alice_api.get(url).status_code == 404
    assert alice_api.patch(url, {"description": "mine now"}, format="json").status_code == 404
    assert alice_api.put(url, _spec(), format="json").status_code == 404
    assert alice_api.delete(url).status_code == 404
    theirs.refresh_from_db()
    assert theirs.description == "" and theirs.owner == bob


def test_staff_retrieves_any_algorithm(staff: Any, alice: Any) -> None:
    algorithm = _algorithm(alice)
    api = APIClient()
    api.force_authenticate(staff)
    assert api.get(f"{URL}{algorithm.pk}/").json()["owner"] == "alice"


# --- update and delete ------------------------------------------------------------------------


def test_patch_changes_only_the_given_fields(alice_api: APIClient, alice: Any) -> None:
    algorithm = _algorithm(alice)
    response = alice_api.patch(
        f"{URL}{algorithm.pk}/", {"description": "now documented"}, format="json"
    )
    assert response.status_code == 200, response.json()
    algorithm.refresh_from_db()
    assert algorithm.description == "now documented"
    assert algorithm.name == "saved" and algorithm.boot_file == "train.py"
    assert list(algorithm.hyperparameters.values_list("name", flat=True)) == ["lr"]
    assert algorithm.code_source == Algorithm.CodeSource.SERVER_PATH


def _searching(alice_api: APIClient) -> str:
    created = alice_api.post(URL, _multipart(_spec()), format="multipart")
    assert created.status_code == 201, created.json()
    return f"{URL}{created.json()['id']}/"


def test_patch_of_the_metric_regex_keeps_its_name_and_goal(alice_api: APIClient) -> None:
    url = _searching(alice_api)
    response = alice_api.patch(url, {"metric": {"regex": r"acc: ([0-9.]+)"}}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["metric"] == {
        "name": "accuracy", "goal": "maximize", "regex": r"acc: ([0-9.]+)",
    }  # fmt: skip
    algorithm = Algorithm.objects.get()
    assert (algorithm.metric_name, algorithm.metric_goal, algorithm.metric_regex) == (
        "accuracy", "maximize", r"acc: ([0-9.]+)",
    )  # fmt: skip


def test_multipart_patch_of_the_metric_goal_keeps_its_name_and_regex(
    alice_api: APIClient,
) -> None:
    url = _searching(alice_api)
    response = alice_api.patch(
        url, {"metric": json.dumps({"goal": "minimize"})}, format="multipart"
    )
    assert response.status_code == 200, response.json()
    algorithm = Algorithm.objects.get()
    assert (algorithm.metric_name, algorithm.metric_goal, algorithm.metric_regex) == (
        "accuracy", "minimize", r"accuracy=([0-9.]+)",
    )  # fmt: skip


def test_patched_metric_is_validated_whole_with_the_field_messages(
    alice_api: APIClient,
) -> None:
    url = _searching(alice_api)
    response = alice_api.patch(url, {"metric": {"regex": "accuracy=[0-9.]+"}}, format="json")
    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == ["metric"] and list(errors["metric"]) == ["regex"]
    assert errors["metric"]["regex"] == [
        r"The regex has no capture group: put parentheses around the number, "
        r"e.g. accuracy=(\d+\.\d+)."
    ]
    blank = alice_api.patch(url, {"metric": {"name": ""}}, format="json")
    assert blank.status_code == 400
    assert list(blank.json()["metric"]) == ["name"]
    assert Algorithm.objects.get().metric_regex == r"accuracy=([0-9.]+)"


def test_put_of_a_partial_metric_replaces_it_and_asks_for_the_rest(
    alice_api: APIClient,
) -> None:
    url = _searching(alice_api)
    response = alice_api.put(
        url, _spec(metric={"regex": r"acc: ([0-9.]+)"}), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["metric"]) == ["name"]
    assert Algorithm.objects.get().metric_name == "accuracy"


def test_patch_of_search_algorithms_replaces_the_list(alice_api: APIClient) -> None:
    url = _searching(alice_api)
    response = alice_api.patch(
        url, {"search_algorithms": [{"name": "tpe", "params": {"n_initial_points": 4}}]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    algorithm = Algorithm.objects.get()
    assert [a["name"] for a in algorithm.search_algorithms] == ["tpe"]
    assert algorithm.search_algorithms[0]["params"]["n_initial_points"] == 4
    assert algorithm.metric_name == "accuracy"


def test_put_replaces_the_spec_and_rows_and_keeps_the_package(
    alice_api: APIClient, alice: Any
) -> None:
    algorithm = _algorithm(alice)
    response = alice_api.put(f"{URL}{algorithm.pk}/", _spec(name="renamed"), format="json")
    assert response.status_code == 200, response.json()
    algorithm.refresh_from_db()
    assert algorithm.name == "renamed" and algorithm.auto_search
    assert list(algorithm.hyperparameters.values_list("name", flat=True)) == [
        "lr", "epochs", "optimizer",
    ]  # fmt: skip
    assert Path(algorithm.server_path) == EXAMPLE


def test_multipart_put_with_a_new_package_revalidates(
    alice_api: APIClient, alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _algorithm(alice)
    spec = _spec(name="saved", boot_file="main.py")
    package = zip_upload({"train.py": SCRIPT}).read()
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.put(
            f"{URL}{algorithm.pk}/",
            _multipart(spec, code=package, filename="code.zip"),
            format="multipart",
        )
    assert response.status_code == 200, response.json()
    algorithm.refresh_from_db()
    assert algorithm.code_source == Algorithm.CodeSource.UPLOAD
    assert algorithm.status == Algorithm.Status.FAILED
    assert "main.py" in algorithm.status_reason


def test_single_py_upload_with_another_boot_file_answers_400_on_the_boot_file(
    alice_api: APIClient, alice: Any
) -> None:
    spec = _spec(name="one-file", boot_file="train.py")
    response = alice_api.post(URL, _multipart(spec, filename="mytrain.py"), format="multipart")
    assert response.status_code == 400
    assert response.json() == {
        "boot_file": [
            "The package is the single file mytrain.py: its boot file is mytrain.py, "
            "not train.py."
        ]
    }
    assert not Algorithm.objects.filter(name="one-file").exists()


def test_invalid_patch_keeps_the_saved_algorithm(alice_api: APIClient, alice: Any) -> None:
    algorithm = _algorithm(alice)
    response = alice_api.patch(
        f"{URL}{algorithm.pk}/",
        {"hyperparameters": [{"name": "lr", "type": "float", "min": 2, "max": 1}]},
        format="json",
    )
    assert response.status_code == 400
    assert "min must be less than max" in response.json()["hyperparameters"]["0"]["min"][0]
    assert algorithm.hyperparameters.get().max == 1


def test_delete_removes_the_algorithm(alice_api: APIClient, alice: Any) -> None:
    algorithm = _algorithm(alice)
    assert alice_api.delete(f"{URL}{algorithm.pk}/").status_code == 204
    assert not Algorithm.objects.filter(pk=algorithm.pk).exists()


def test_delete_of_an_algorithm_in_use_is_a_conflict(
    alice_api: APIClient, alice: Any
) -> None:
    algorithm = _algorithm(alice)
    TrainingJob.objects.create(owner=alice, name="uses-it", algorithm=algorithm)
    response = alice_api.delete(f"{URL}{algorithm.pk}/")
    assert response.status_code == 409
    assert "used by 1 training job" in response.json()["detail"]
    assert Algorithm.objects.filter(pk=algorithm.pk).exists()


# --- search algorithms, schema ----------------------------------------------------------------


def test_search_algorithms_lists_samplers_with_parameter_defaults(alice_api: APIClient) -> None:
    body = alice_api.get("/api/v1/search-algorithms/").json()
    by_name = {entry["name"]: entry for entry in body["results"]}
    assert body["count"] == len(by_name)
    assert {"random", "grid"} <= set(by_name)
    for entry in by_name.values():
        for param in entry["params"]:
            assert {"name", "type", "default"} <= set(param)


def test_schema_describes_the_algorithms_api_for_a_logged_in_user(
    alice_client: Any,
) -> None:
    response = alice_client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert "/api/v1/algorithms/" in schema["paths"]
    assert "/api/v1/algorithms/{id}/" in schema["paths"]
    assert "/api/v1/search-algorithms/" in schema["paths"]
    assert (
        "multipart/form-data"
        in (schema["paths"]["/api/v1/algorithms/"]["post"]["requestBody"]["content"])
    )
    assert alice_client.get("/api/docs/").status_code == 200


def test_schema_refuses_anonymous_clients_and_docs_send_them_to_the_login_page(
    client: Any,
) -> None:
    assert client.get("/api/schema/").status_code in (401, 403)
    response = client.get("/api/docs/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/api/docs/"


# --- authentication ---------------------------------------------------------------------------


def test_obtained_token_authenticates_api_calls(alice: Any) -> None:
    _algorithm(alice, "mine")
    api = APIClient()
    response = api.post(
        "/api/v1/auth/token/", {"username": "alice", "password": "alice-pass-123"}, format="json"
    )
    assert response.status_code == 200
    token = response.json()["token"]
    assert ApiToken.objects.get(user=alice).key_hash == hash_key(token)

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    body = api.get(URL).json()
    assert [a["name"] for a in body["results"]] == ["mine"]
    created = api.post(URL, _multipart(_spec()), format="multipart")
    assert created.status_code == 201
    assert Algorithm.objects.get(pk=created.json()["id"]).owner == alice


def test_token_is_refused_for_a_wrong_password(alice: Any) -> None:
    response = APIClient().post(
        "/api/v1/auth/token/", {"username": "alice", "password": "nope"}, format="json"
    )
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("header", [None, "Token not-a-real-token", "Bearer abc"])
def test_api_without_valid_credentials_is_401(alice: Any, header: str | None) -> None:
    api = APIClient()
    if header:
        api.credentials(HTTP_AUTHORIZATION=header)
    for url in (URL, "/api/v1/search-algorithms/"):
        assert api.get(url).status_code == 401
    assert api.post(URL, _multipart(_spec()), format="multipart").status_code == 401
    assert not Algorithm.objects.exists()


def test_huge_integer_bound_is_a_message_on_its_cell(alice_api: APIClient) -> None:
    rows = [{"name": "epochs", "type": "int", "default": 5, "min": 1, "max": 10**400}]
    response = alice_api.post(URL, _spec(hyperparameters=rows), format="json")
    assert response.status_code == 400
    assert response.json()["hyperparameters"]["0"]["max"] == [
        "epochs: max is too large: use a number between -1e308 and 1e308."
    ]
    assert not Algorithm.objects.exists()


def test_int_bound_beyond_2_to_the_53_is_refused_not_stored_changed(alice_api: APIClient) -> None:
    rows = [{"name": "epochs", "type": "int", "default": 30, "min": 5,
             "max": 99999999999999999999999}]
    response = alice_api.post(URL, _spec(hyperparameters=rows), format="json")
    assert response.status_code == 400
    assert response.json()["hyperparameters"]["0"]["max"] == [
        "epochs: max must be within +-2**53, got max=99999999999999999999999: "
        "no job could search it."
    ]
    assert not Algorithm.objects.exists()


def test_widest_int_range_is_stored_exactly_and_searchable(alice_api: APIClient) -> None:
    from algorithms.spaces import space_from_rows

    rows = [{"name": "seed", "type": "int", "default": 2**53, "min": -(2**53), "max": 2**53}]
    created = alice_api.post(URL, _multipart(_spec(hyperparameters=rows)), format="multipart")
    assert created.status_code == 201, created.content
    row = created.json()["hyperparameters"][0]
    assert (row["min"], row["max"], row["default"]) == (-(2**53), 2**53, 2**53)
    saved = Hyperparameter.objects.get(name="seed")
    space = space_from_rows([saved], {"seed": {"type": "int", "low": saved.min, "high": saved.max}})
    assert space.names == ["seed"]


def test_argument_style_fields_are_read_and_written(alice_api: APIClient) -> None:
    spec = _spec(argument_style="space", bool_style="flag", accepts_data_urls=True)
    created = alice_api.post(URL, _multipart(spec), format="multipart")
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["argument_style"], body["bool_style"], body["accepts_data_urls"]) == (
        "space", "flag", True,
    )
    algorithm = Algorithm.objects.get(pk=body["id"])
    assert (algorithm.argument_style, algorithm.bool_style, algorithm.accepts_data_urls) == (
        "space", "flag", True,
    )
    patched = alice_api.patch(f"{URL}{algorithm.pk}/", {"bool_style": "one_zero"}, format="json")
    assert patched.json()["bool_style"] == "one_zero"
    assert Algorithm.objects.get(pk=algorithm.pk).argument_style == "space"
    refused = alice_api.patch(f"{URL}{algorithm.pk}/", {"argument_style": "colon"}, format="json")
    assert refused.status_code == 400 and "argument_style" in refused.json()


def test_patch_with_an_unsafe_archive_keeps_the_working_package(
    alice_api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        created = alice_api.post(URL, _multipart(_spec()), format="multipart").json()
    algorithm = Algorithm.objects.get(pk=created["id"])
    assert algorithm.status == Algorithm.Status.READY
    working = algorithm.code_file.name
    unsafe = io.BytesIO()
    with zipfile.ZipFile(unsafe, "w") as zf:
        zf.writestr("../escape.py", b"print(1)")
        zf.writestr("train.py", b"print(1)")
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_api.patch(
            f"{URL}{algorithm.pk}/",
            {"code": SimpleUploadedFile("evil.zip", unsafe.getvalue())},
            format="multipart",
        )
    assert response.status_code == 200
    body = alice_api.get(f"{URL}{algorithm.pk}/").json()
    assert body["status"] == "ready" and not body["package_pending"]
    assert ".." in body["package_refused_reason"] or "escape" in body["package_refused_reason"]
    algorithm.refresh_from_db()
    assert algorithm.code_file.name == working


def test_switching_auto_search_off_keeps_the_search_settings_for_later(
    alice_api: APIClient,
) -> None:
    created = alice_api.post(URL, _multipart(_spec()), format="multipart").json()
    url = f"{URL}{created['id']}/"
    off = alice_api.patch(url, {"auto_search": False}, format="json")
    assert off.status_code == 200
    algorithm = Algorithm.objects.get(pk=created["id"])
    assert not algorithm.auto_search
    assert algorithm.metric_regex == r"accuracy=([0-9.]+)"
    assert [a["name"] for a in algorithm.search_algorithms] == ["random"]

    on = alice_api.patch(url, {"auto_search": True}, format="json")
    assert on.status_code == 200, on.content
    assert on.json()["metric"]["name"] == "accuracy"


def test_regex_that_reads_nothing_from_the_sample_needs_a_confirmation(
    alice_api: APIClient,
) -> None:
    spec = _spec(sample_log="epoch 1 acc: 0.5\nepoch 2 acc: 0.7\n")
    refused = alice_api.post(URL, _multipart(spec), format="multipart")
    assert refused.status_code == 400
    assert "reads no value from any of the 2 lines" in refused.json()["confirm_no_match"][0]
    assert not Algorithm.objects.exists()

    saved = alice_api.post(URL, _multipart({**spec, "confirm_no_match": "true"}),
                           format="multipart")
    assert saved.status_code == 201
    algorithm = Algorithm.objects.get()
    assert algorithm.sample_log == "epoch 1 acc: 0.5\nepoch 2 acc: 0.7\n"
    # The confirmation holds while neither the regex nor the sample changes.
    patched = alice_api.patch(f"{URL}{algorithm.pk}/", {"description": "x"}, format="json")
    assert patched.status_code == 200


@pytest.mark.parametrize(
    "url", ["/api/v1/algorithms/", "/api/v1/datasets/", "/api/v1/training-jobs/"]
)
def test_lists_refuse_a_page_size_outside_the_documented_bounds(
    alice_api: APIClient, url: str
) -> None:
    from drf_spectacular.generators import SchemaGenerator

    for size in ("0", "101", "2.2e-308"):
        response = alice_api.get(url, {"page_size": size})
        assert response.status_code == 400, (url, size)
        assert response.json() == {"page_size": ["Must be a whole number from 1 to 100."]}
    schema = SchemaGenerator().get_schema(request=None, public=True)
    params = {p["name"]: p["schema"] for p in schema["paths"][url]["get"]["parameters"]}
    assert params["page_size"] == {"type": "integer", "minimum": 1, "maximum": 100}
    assert params["page"] == {"type": "integer", "minimum": 1}


def test_a_one_line_sample_that_reads_nothing_is_named_as_one_line(alice_api: APIClient) -> None:
    refused = alice_api.post(URL, _multipart(_spec(sample_log="epoch 1 acc: 0.5\n")),
                             format="multipart")
    assert refused.status_code == 400
    message = refused.json()["confirm_no_match"][0]
    assert message.startswith("The metric regex reads no value from the one line of the sample")


@pytest.mark.parametrize(
    ("body", "field", "message"),
    [
        ({"name": 5}, "name", "Must be text, got 5."),
        ({"description": True}, "description", "Must be text, got True."),
        ({"boot_file": 3.5}, "boot_file", "Must be text, got 3.5."),
        ({"nope": 1, "nmae": "x"}, "__all__", "Unknown field(s): nmae, nope (known: name, "),
    ],
)
def test_a_json_body_is_not_coerced_and_a_misspelt_field_is_not_dropped(
    alice_api: APIClient, body: dict[str, Any], field: str, message: str
) -> None:
    response = alice_api.post(URL, {**_spec(), **body}, format="json")
    assert response.status_code == 400
    assert response.json()[field][0].startswith(message), response.json()
    assert not Algorithm.objects.exists()
