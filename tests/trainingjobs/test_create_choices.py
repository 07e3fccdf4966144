"""Values to try on the create page: a row with an enumeration offers only its values (the
validator takes no other), and an empty choice gets one plain message, on the page as in
the API."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from algorithms.models import Algorithm, Hyperparameter
from tests.trainingjobs.test_create_rows import MANY, post, with_rows
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db

OPTS = ["adam", "sgd", "rmsprop"]  # make_algorithm's opt row (index 2)
JOBS = "/api/v1/training-jobs/"
EMPTY = "pick at least one value to try."


def algorithm_of(owner: Any) -> Algorithm:
    """``with_rows``' algorithm (opt, batch and optimizer enumerated) and ``tag``, a str row
    that takes any text (index 6)."""
    algorithm = with_rows(owner)
    Hyperparameter.objects.create(algorithm=algorithm, position=6, name="tag", type="str",
                                  default="base")
    return algorithm


def full_post(algorithm: Algorithm, **overrides: Any) -> dict[str, Any]:
    data = post(algorithm)
    data.update({"hp-6-name": "tag", "hp-6-value": "", "hp-6-include": "on",
                 "hp-6-dist": "range"})
    data.update(overrides)
    return data


def row_html(page: str, name: str) -> str:
    found = re.search(rf'<tbody class="job-hp[^"]*"[^>]*data-name="{name}".*?</tbody>', page,
                      re.S)
    assert found, f"no row {name}"
    return found.group(0)


def options(select: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)"', select)


def messages_after(row: str, where: str) -> list[str]:
    """The messages of the range field that holds ``where`` (up to the next field)."""
    start = row.index(where)
    end = row.find('<div class="rf', start)
    return re.findall(r"<li>([^<]*)</li>", row[start:end if end >= 0 else None])


def create_page(client: Client, algorithm: Algorithm) -> str:
    return client.get(
        reverse("trainingjobs:create"), {"algorithm": algorithm.pk}
    ).content.decode()


def test_a_row_with_an_enumeration_offers_only_its_values(
    alice_client: Client, alice: Any
) -> None:
    page = create_page(alice_client, algorithm_of(alice))
    for name, index, values in (("opt", 2, OPTS), ("batch", 4, ["16", "32", "64", "128"]),
                                ("optimizer", 5, MANY)):
        row = row_html(page, name)
        # Nothing to type more values into, no advanced choice of typed values.
        assert f'name="hp-{index}-typed"' not in row and "More values" not in row
        dist = re.search(r'<select id="hp-\d+-dist".*?</select>', row, re.S)
        assert dist and options(dist.group(0)) == ["range"] and "optgroup" not in dist.group(0)
        listed = re.search(r'<select id="hp-\d+-values".*?</select>', row, re.S)
        assert listed and options(listed.group(0)) == values
        # Its fixed value is one of them too, or blank for its default.
        fixed = re.search(rf'<select name="hp-{index}-value".*?</select>', row, re.S)
        assert fixed and options(fixed.group(0)) == ["", *values]
        assert not re.search(rf'<input[^>]*name="hp-{index}-value"', row)
    # A str row that takes any text keeps its box to type values into, and its advanced choice.
    tag = row_html(page, "tag")
    assert 'name="hp-6-typed"' in tag and '<option value="choice"' in tag
    assert re.search(r'<input type="text" name="hp-6-value"', tag)


def test_every_value_the_list_offers_is_accepted(alice_client: Client, alice: Any) -> None:
    algorithm = algorithm_of(alice)
    data = full_post(algorithm, **{
        "hp-0-search": "", "hp-2-include": "on", "hp-2-search": "on", "hp-2-values": OPTS,
        "hp-5-search": "on", "hp-5-values": MANY, "hp-4-value": "128",
    })
    response = alice_client.post(reverse("trainingjobs:create"), data)
    assert response.status_code == 302
    job = TrainingJob.objects.get()
    assert job.search_space["opt"] == {"type": "choice", "values": OPTS}
    assert job.search_space["optimizer"] == {"type": "choice", "values": MANY}
    assert job.fixed["batch"] == 128


def test_a_value_outside_the_enumeration_sent_by_hand_is_refused_on_its_list(
    alice_client: Client, alice: Any
) -> None:
    algorithm = algorithm_of(alice)
    data = full_post(algorithm, **{
        "hp-2-include": "on", "hp-2-search": "on", "hp-2-values": ["adam"],
        "hp-2-typed": "lion", "hp-4-value": "48",
    })
    response = alice_client.post(reverse("trainingjobs:create"), data)
    assert response.status_code == 400
    assert not TrainingJob.objects.exists()
    opt = row_html(response.content.decode(), "opt")
    box = re.search(r'<div class="rf rf-values has-error">.*?</div>\s*</div>', opt, re.S)
    assert box and 'id="hp-2-values"' in box.group(0)
    assert "opt: &#x27;lion&#x27; not in its enumeration" in box.group(0)
    # A fixed value none of the list's is kept, selected, beside its message.
    batch = row_html(response.content.decode(), "batch")
    fixed = re.search(r'<select name="hp-4-value".*?</select>', batch, re.S)
    assert fixed and re.findall(r'value="([^"]*)" selected', fixed.group(0)) == ["48"]
    assert "48 is not in its enumeration" in batch


# Each way a page row can ask for no value at all: (row, its posted fields, where the
# message shows).
EMPTY_ON_PAGE = [
    ("opt", {"hp-2-include": "on", "hp-2-search": "on"}, 'id="hp-2-values"'),
    ("batch", {"hp-4-search": "on"}, 'id="hp-4-values"'),
    ("tag", {"hp-6-search": "on", "hp-6-typed": " , "}, 'name="hp-6-typed"'),
    ("tag", {"hp-6-search": "on", "hp-6-dist": "choice", "hp-6-dvalues": ""},
     'name="hp-6-dvalues"'),
    ("lr", {"hp-0-dist": "choice", "hp-0-dvalues": ","}, 'name="hp-0-dvalues"'),
]


@pytest.mark.parametrize(("name", "fields", "where"), EMPTY_ON_PAGE)
def test_an_empty_choice_on_the_page_asks_for_a_value_on_its_field(
    alice_client: Client, alice: Any, name: str, fields: dict[str, Any], where: str
) -> None:
    algorithm = algorithm_of(alice)
    response = alice_client.post(reverse("trainingjobs:create"), full_post(algorithm, **fields))
    assert response.status_code == 400
    assert not TrainingJob.objects.exists()
    row = row_html(response.content.decode(), name)
    assert re.findall(r"<li>([^<]*)</li>", row) == [f"{name}: {EMPTY}"]
    assert messages_after(row, where) == [f"{name}: {EMPTY}"]  # on that field


@pytest.mark.parametrize(
    ("name", "spec"),
    [
        ("opt", {"type": "choice", "values": []}),
        ("tag", {"type": "categorical", "values": []}),
        ("batch", {"type": "choice", "values": {"range": [5, 5]}}),
        ("lr", {"type": "choice", "values": []}),
        ("shuffle", {"type": "choice", "values": []}),
    ],
)
def test_the_api_says_the_same_of_an_empty_choice(
    alice_api: APIClient, alice: Any, name: str, spec: dict[str, Any]
) -> None:
    algorithm = algorithm_of(alice)
    data = {"name": "empty", "algorithm": algorithm.pk, "search_space": {name: spec},
            "search_algorithms": [{"name": "random"}], "max_trials": 2}
    response = alice_api.post(JOBS, data, format="json")
    assert response.status_code == 400
    assert response.json()["search_space"] == {name: {"values": [f"{name}: {EMPTY}"]}}
    assert not TrainingJob.objects.exists()
