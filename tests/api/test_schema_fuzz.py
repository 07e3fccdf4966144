"""A bounded schemathesis run against the OpenAPI schema: no 5xx, answers as documented.

The schema is generated in-process (drf-spectacular) and the requests go to the WSGI app in
the test's own database, as alice with a token; a few examples per operation keep the run
short enough for every CI run.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from console.models import ApiToken

pytestmark = pytest.mark.django_db

_raw = SchemaGenerator().get_schema(request=None, public=True)
schema = schemathesis.openapi.from_dict(_raw)
schema.app = get_wsgi_application()
schema.location = "/api/schema/"


@pytest.fixture(autouse=True)
def _keep_the_test_connection() -> Any:
    # The WSGI app closes "old" connections at each request's start and end; on PostgreSQL
    # that closes the test's own connection, inside its transaction. Django's test client
    # disconnects the same handlers for the same reason.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(alice: Any) -> str:
    _, key = ApiToken.issue(user=alice)
    return key


@schema.include(path_regex=r"^/api/v1/").parametrize()
@settings(
    max_examples=8,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    derandomize=True,
)
def test_api_answers_as_its_schema_says(case: Any, token: str) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Token {token}"},
        excluded_checks=_excluded(case),
    )


# Creates whose schema-valid bodies are still refused (400), rightly: they name rows that
# must exist (a ready algorithm, a dataset) or need a code or data file that a JSON body
# cannot carry, or rules OpenAPI cannot write (a file or a server path; a unique name; a
# regex with one capture group). Every other operation must accept what its schema allows.
CROSS_FIELD_CREATES = {
    ("POST", "/api/v1/algorithms/"),
    ("POST", "/api/v1/datasets/"),
    ("POST", "/api/v1/training-jobs/"),
}


def _excluded(case: Any) -> list[Any]:
    if (case.method.upper(), case.operation.path) in CROSS_FIELD_CREATES:
        return [positive_data_acceptance]
    return []
