"""/api/v1/search-algorithms/ and /api/v1/early-termination-policies/: the search
library's one registry, each role in the same shape, for logged-in users only."""

from __future__ import annotations

import json
from typing import Any

import pytest
from rest_framework.test import APIClient

from search import list_policies, list_samplers, make_policy
from search.stopping import POLICIES

pytestmark = pytest.mark.django_db

POLICIES_URL = "/api/v1/early-termination-policies/"
SAMPLERS_URL = "/api/v1/search-algorithms/"


def _as_json(value: Any) -> Any:
    return json.loads(json.dumps(value))


@pytest.mark.parametrize(
    ("url", "registry"), [(POLICIES_URL, list_policies), (SAMPLERS_URL, list_samplers)]
)
def test_the_catalogue_is_the_registrys_description(
    alice_api: APIClient, url: str, registry: Any
) -> None:
    answer = alice_api.get(url)
    assert answer.status_code == 200
    body = answer.json()
    assert body == {"count": len(registry()), "results": _as_json(registry())}


def test_every_registered_policy_is_listed_with_its_defaults(alice_api: APIClient) -> None:
    results = alice_api.get(POLICIES_URL).json()["results"]
    assert [entry["name"] for entry in results] == sorted(cls.name for cls in POLICIES.classes())
    by_name = {entry["name"]: entry for entry in results}
    assert by_name["median_stopping"]["aliases"] == ["median", "median_stopping_policy"]
    defaults = {p["name"]: p["default"] for p in by_name["median_stopping"]["params"]}
    assert defaults == {"evaluation_interval": 1, "delay_evaluation": 0, "min_comparators": 3}
    # A job's policy stores every option, defaults filled in: the catalogue's defaults are
    # what a job leaving a parameter out gets.
    for name, entry in by_name.items():
        listed = {p["name"]: p["default"] for p in entry["params"]}
        given = {"slack_factor": 0.1} if name == "bandit" else {}  # bandit needs one slack
        assert make_policy(name, **given).options == {**listed, **given}
    slack = next(p for p in by_name["bandit"]["params"] if p["name"] == "slack_factor")
    assert (slack["type"], slack["default"], slack["min"]) == ("float", None, 0.0)


@pytest.mark.parametrize("header", [None, "Token not-a-real-token"])
def test_the_catalogues_need_a_login(alice: Any, header: str | None) -> None:
    api = APIClient()
    if header:
        api.credentials(HTTP_AUTHORIZATION=header)
    for url in (POLICIES_URL, SAMPLERS_URL):
        answer = api.get(url)
        assert answer.status_code == 401
        assert "results" not in answer.json()


def test_the_schema_documents_both_catalogues_alike(alice_api: APIClient) -> None:
    schema = alice_api.get("/api/schema/", {"format": "json"}).json()
    components = schema["components"]["schemas"]
    for url, component in ((POLICIES_URL, "PolicyListOutput"), (SAMPLERS_URL, "SamplerListOutput")):
        operation = schema["paths"][url]["get"]
        content = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert content == {"$ref": f"#/components/schemas/{component}"}
        assert "401" in operation["responses"]
        assert operation.get("security")  # token or session: no anonymous access
    entry = components["PolicyOutput"]["properties"]
    assert set(entry) == {"name", "aliases", "description", "params"}
    assert entry["params"]["items"] == {"$ref": "#/components/schemas/ParamSpec"}
    assert components["SamplerOutput"]["properties"] == entry
