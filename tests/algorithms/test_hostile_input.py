"""Hostile input on the algorithm form and API: every kind answers a field error, never 500.

Each example the probe found is a test with the right answer; the property-based tests then
throw arbitrary values at every field of the form and of the API (create and PATCH) and
assert that none of them answers 5xx.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from algorithms.models import Algorithm
from algorithms.validation import validate_algorithm_spec
from tests.algorithms.helpers import py_upload, valid_spec

pytestmark = pytest.mark.django_db

URL = "/api/v1/algorithms/"
FORM = "/algorithms/create/"


@pytest.fixture
def alice_api(alice: Any) -> APIClient:
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def alice_page(alice: Any) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(alice)
    return client


def _multipart(spec: dict[str, Any], **extra: Any) -> dict[str, Any]:
    body = {k: json.dumps(v) if isinstance(v, (list, dict)) else v for k, v in spec.items()}
    body = {k: v for k, v in body.items() if v is not None}
    return {**body, **extra}


# --- the examples, each with its right answer --------------------------------------------


@pytest.mark.parametrize("engine", ["²", "٣", "9" * 40, "12\x00"])
def test_engine_id_that_is_not_an_ascii_number_is_an_unknown_engine(
    alice_api: APIClient, engine: str
) -> None:
    response = alice_api.post(
        URL, _multipart(valid_spec(engine=engine), code=py_upload()), format="multipart"
    )
    assert response.status_code == 400
    assert "engine" in response.json()
    assert not Algorithm.objects.exists()


def test_engine_superscript_digit_on_the_form_is_a_field_error(alice_page: Client) -> None:
    response = alice_page.post(
        FORM, {"name": "a", "boot_file": "train.py", "engine": "²", "code": py_upload()}
    )
    assert response.status_code == 400
    assert "Unknown engine" in response.content.decode()


def test_engine_superscript_digit_on_patch_is_a_field_error(alice_api: APIClient) -> None:
    created = alice_api.post(URL, _multipart(valid_spec(), code=py_upload()), format="multipart")
    pk = created.json()["id"]
    response = alice_api.patch(f"{URL}{pk}/", {"engine": "²"}, format="json")
    assert response.status_code == 400
    assert response.json()["engine"] == ["Unknown engine '²'."]


def test_sampler_parameter_with_400_digits_is_too_large() -> None:
    spec = valid_spec(search_algorithms=[{"name": "tpe", "params": {"gamma": 10**400}}])
    _, errors = validate_algorithm_spec(spec)
    assert errors.search_algorithm_params[0]["gamma"] == [
        "gamma is too large: use a number between -1e308 and 1e308."
    ]


def test_sampler_parameter_with_400_digits_over_the_api_is_a_400(alice_api: APIClient) -> None:
    params = {"n_initial_points": "9" * 400}
    body = valid_spec(search_algorithms=[{"name": "tpe", "params": params}])
    response = alice_api.post(URL, _multipart(body, code=py_upload()), format="multipart")
    assert response.status_code == 400
    assert "n_initial_points" in response.json()["search_algorithms"]["0"]["params"]


def test_server_path_with_a_nul_byte_on_the_form_is_a_field_error(alice_page: Client) -> None:
    response = alice_page.post(
        FORM,
        {
            "name": "a",
            "boot_file": "train.py",
            "code_source": "server_path",
            "server_path": "/srv/algo\x00rithms",
        },
    )
    assert response.status_code == 400
    assert "control characters" in response.content.decode()
    assert not Algorithm.objects.exists()


def test_upload_name_of_255_characters_over_255_bytes_is_a_field_error(
    alice_page: Client,
) -> None:
    name = "é" * 252 + ".py"  # 255 characters, 507 bytes
    response = alice_page.post(
        FORM, {"name": "a", "boot_file": "train.py", "code": py_upload(name=name)}
    )
    assert response.status_code == 400
    assert "The file name must be at most 200 bytes" in response.content.decode()


def test_long_utf8_upload_name_is_kept_when_the_form_is_refused_for_another_reason(
    alice_page: Client,
) -> None:
    name = "é" * 90 + ".py"  # accepted (183 bytes), kept while the name is fixed
    response = alice_page.post(
        FORM, {"name": "bad name!", "boot_file": "train.py", "code": py_upload(name=name)}
    )
    assert response.status_code == 400
    token = response.context["pending_token"]
    assert token.endswith(".py") and len(token.split("/", 1)[1].encode()) <= 200


def test_type_given_as_a_number_is_refused_not_read_as_float() -> None:
    spec = valid_spec(hyperparameters=[{"name": "lr", "type": 5, "default": 0.1}])
    _, errors = validate_algorithm_spec(spec)
    assert errors.rows[0]["type"] == ["Type must be one of float, int, str, bool (got 5)."]


def test_required_maybe_is_refused_not_read_as_false() -> None:
    spec = valid_spec(hyperparameters=[{"name": "lr", "default": 0.1, "required": "maybe"}])
    _, errors = validate_algorithm_spec(spec)
    assert errors.rows[0]["required"] == ["Required must be true or false, got 'maybe'."]


def test_auto_search_maybe_is_refused() -> None:
    _, errors = validate_algorithm_spec(valid_spec(auto_search="maybe"))
    assert errors.fields["auto_search"] == ["Auto search must be true or false, got 'maybe'."]


@pytest.mark.parametrize("seed", [2**53 + 1, -1, 2**32])
def test_seed_outside_32_bits_is_refused_not_changed(seed: int) -> None:
    spec = valid_spec(search_algorithms=[{"name": "tpe", "params": {"seed": seed}}])
    _, errors = validate_algorithm_spec(spec)
    assert errors.search_algorithm_params[0]["seed"] == [
        f"seed must be between 0 and 4294967295, got {seed}."
    ]


def test_largest_seed_is_stored_exactly() -> None:
    spec = valid_spec(search_algorithms=[{"name": "tpe", "params": {"seed": 2**32 - 1}}])
    cleaned, errors = validate_algorithm_spec(spec)
    assert not errors
    assert cleaned.search_algorithms[0]["params"]["seed"] == 2**32 - 1


def test_text_with_a_nul_byte_is_refused_before_the_database_sees_it() -> None:
    spec = valid_spec(description="a\x00b")
    spec["hyperparameters"][2]["default"] = "ad\x00am"
    _, errors = validate_algorithm_spec(spec)
    assert errors.fields["description"] == ["Description must not contain a NUL character."]
    assert errors.rows[2]["default"][0].startswith("Default must be a string")


# --- properties: no input answers 500 ---------------------------------------------------

_text = st.text(
    alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]) | st.sampled_from("²٣\x00"),
    max_size=30,
)
_numbers = st.integers(min_value=-(10**400), max_value=10**400) | st.floats(
    allow_nan=False, allow_infinity=False  # JSON cannot carry them
)
_scalars = st.none() | st.booleans() | _numbers | _text | st.just("1e999")
_json = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_text, inner, max_size=3),
    max_leaves=8,
)
_row_keys = st.sampled_from(
    ["name", "type", "default", "min", "max", "choices", "required", "description"]
)
_row = st.dictionaries(_row_keys, _json, max_size=8) | _json
_spec_values = st.fixed_dictionaries(
    {},
    optional={
        "name": _json,
        "description": _json,
        "boot_file": _json,
        "engine": _json,
        "auto_search": _json,
        "hyperparameters": st.lists(_row, max_size=3) | _json,
        "metric": st.fixed_dictionaries(
            {}, optional={"name": _json, "goal": _json, "regex": _json}
        )
        | _json,
        "search_algorithms": st.lists(
            st.fixed_dictionaries(
                {"name": st.sampled_from(["tpe", "grid", "random", "bayesian"]) | _json},
                optional={
                    "params": st.dictionaries(
                        st.sampled_from(["seed", "gamma", "resolution", "kind", "shuffle"]),
                        _json,
                        max_size=3,
                    )
                    | _json
                },
            ),
            max_size=2,
        )
        | _json,
        "server_path": _json,
    },
)
_fuzz = settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@_fuzz
@given(body=_spec_values)
def test_no_api_create_answers_500(alice_api: APIClient, body: dict[str, Any]) -> None:
    response = alice_api.post(URL, body, format="json")
    assert response.status_code < 500, response.content[:500]


@_fuzz
@given(body=_spec_values)
def test_no_api_patch_answers_500(alice_api: APIClient, body: dict[str, Any]) -> None:
    algorithm = Algorithm.objects.filter(name="fuzz-target").first()
    if algorithm is None:
        created = alice_api.post(
            URL, _multipart(valid_spec(name="fuzz-target"), code=py_upload()), format="multipart"
        )
        assert created.status_code == 201, created.content
        algorithm = Algorithm.objects.get(name="fuzz-target")
    response = alice_api.patch(f"{URL}{algorithm.pk}/", body, format="json")
    assert response.status_code < 500, response.content[:500]


_form_fields = st.sampled_from(
    [
        "name", "description", "boot_file", "engine", "code_source", "server_path",
        "hp-0-name", "hp-0-type", "hp-0-default", "hp-0-min", "hp-0-max", "hp-0-choices",
        "hp-0-required", "hp-0-description", "auto_search", "metric_name", "metric_goal",
        "metric_regex", "sa", "sa-tpe-gamma", "sa-tpe-seed", "sa-grid-resolution",
        "sa-bayesian-kind", "pending_code",
    ]
)
_form_text = _text | st.sampled_from(["1e999", "9" * 400, "on", "server_path", "tpe"])


@_fuzz
@given(
    fields=st.dictionaries(_form_fields, _form_text, max_size=12),
    file_name=st.none() | _text.filter(lambda s: "\x00" not in s).map(lambda s: s + ".py"),
)
def test_no_form_post_answers_500(
    alice_page: Client, fields: dict[str, str], file_name: str | None
) -> None:
    data: dict[str, Any] = dict(fields)
    if file_name is not None:
        data["code"] = SimpleUploadedFile(file_name, b"print('accuracy=1')\n")
    response = alice_page.post(FORM, data)
    assert response.status_code < 500, response.content[:500]
