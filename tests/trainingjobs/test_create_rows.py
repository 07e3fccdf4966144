"""The create page's hyperparameter rows: the "Values to try" list of an enumerated row
(str or number) and a bool row's true/false value, posted and re-rendered."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from algorithms.models import Algorithm, Hyperparameter
from tests.trainingjobs.test_views import create_post, make_algorithm
from trainingjobs.form_rows import MAX_LIST_ROWS
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db

BATCHES = [16, 32, 64, 128]
MANY = [f"opt{i}" for i in range(MAX_LIST_ROWS + 3)]


def with_rows(owner: Any) -> Algorithm:
    """``make_algorithm``'s rows (lr, epochs, opt, shuffle) and two enumerated ones:
    ``batch`` (an int limited to BATCHES) and ``optimizer`` (a str with MANY values)."""
    algorithm = make_algorithm(owner)
    Hyperparameter.objects.create(
        algorithm=algorithm, position=4, name="batch", type="int", default=32, choices=BATCHES
    )
    Hyperparameter.objects.create(
        algorithm=algorithm, position=5, name="optimizer", type="str", default="opt0",
        choices=MANY,
    )
    return algorithm


def post(algorithm: Algorithm, **overrides: Any) -> dict[str, Any]:
    """``create_post`` with batch and optimizer fixed at their defaults."""
    data = create_post(algorithm)
    data.update({
        "hp-4-name": "batch", "hp-4-value": "32", "hp-4-include": "on", "hp-4-dist": "range",
        "hp-5-name": "optimizer", "hp-5-value": "opt0", "hp-5-include": "on",
        "hp-5-dist": "range",
    })
    data.update(overrides)
    return data


def values_list(page: str, index: int) -> str:
    found = re.search(rf'<select id="hp-{index}-values"[^>]*>.*?</select>', page, re.S)
    assert found, f"no values list for row {index}"
    return found.group(0)


def test_values_list_shows_every_value_up_to_its_most_rows(
    alice_client: Client, alice: Any
) -> None:
    algorithm = with_rows(alice)
    page = alice_client.get(reverse("trainingjobs:create"), {"algorithm": algorithm.pk})
    html = page.content.decode()
    assert 'size="3"' in values_list(html, 2)  # opt: adam, sgd, rmsprop
    assert f'size="{len(BATCHES)}"' in values_list(html, 4)
    # Longer than MAX_LIST_ROWS: that many rows, the rest scrolled to.
    many = values_list(html, 5)
    assert f'size="{MAX_LIST_ROWS}"' in many and many.count("<option") == len(MANY)


def test_a_discrete_number_row_searches_the_values_picked_from_its_list(
    alice_client: Client, alice: Any
) -> None:
    algorithm = with_rows(alice)
    html = alice_client.get(
        reverse("trainingjobs:create"), {"algorithm": algorithm.pk}
    ).content.decode()
    # Every value of the enumeration is picked to begin with; no min/max is drawn.
    assert re.findall(r'<option value="(\d+)" selected>', values_list(html, 4)) == [
        str(b) for b in BATCHES
    ]
    assert 'name="hp-4-low"' not in html

    data = post(algorithm, **{"hp-4-search": "on", "hp-4-values": ["16", "64"]})
    response = alice_client.post(reverse("trainingjobs:create"), data)
    assert response.status_code == 302
    job = TrainingJob.objects.get()
    assert job.search_space["batch"] == {"type": "choice", "values": [16, 64]}
    assert "batch" not in job.fixed


def test_a_discrete_row_with_no_value_picked_is_refused_and_asked_for(
    alice_client: Client, alice: Any
) -> None:
    algorithm = with_rows(alice)
    data = post(algorithm, **{"hp-0-search": "", "hp-4-search": "on"})
    plan = alice_client.post(reverse("trainingjobs:plan"), data).json()
    assert plan["needs"] == "fill in the range of batch"
    response = alice_client.post(reverse("trainingjobs:create"), data)
    assert response.status_code == 400
    assert not TrainingJob.objects.exists()
    html = response.content.decode()
    box = re.search(r'<div class="rf rf-values has-error">.*?</div>\s*</div>', html, re.S)
    assert box and 'id="hp-4-values"' in box.group(0)
    assert "batch: pick at least one value to try." in box.group(0)
    assert re.search(r'name="hp-4-search"[^>]*checked', html)


def test_a_bool_row_takes_its_value_from_a_true_false_choice(
    alice_client: Client, alice: Any
) -> None:
    algorithm = with_rows(alice)
    html = alice_client.get(
        reverse("trainingjobs:create"), {"algorithm": algorithm.pk}
    ).content.decode()
    assert not re.search(r'<input[^>]*name="hp-3-value"', html)
    select = re.search(r'<select name="hp-3-value"[^>]*>.*?</select>', html, re.S)
    assert select
    options = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)<', select.group(0))
    # Blank runs the row's default, as an empty text box does.
    assert options == [
        ("", "", "default (true)"), ("true", " selected", "true"), ("false", "", "false")
    ]

    response = alice_client.post(reverse("trainingjobs:create"), post(algorithm))
    assert response.status_code == 302
    assert TrainingJob.objects.get().fixed["shuffle"] is False  # create_post picks false


def test_a_blank_bool_choice_runs_the_rows_default(alice_client: Client, alice: Any) -> None:
    algorithm = with_rows(alice)
    alice_client.post(reverse("trainingjobs:create"), post(algorithm, **{"hp-3-value": ""}))
    assert TrainingJob.objects.get().fixed["shuffle"] is True


def test_a_bool_value_that_is_neither_is_refused_on_its_row_and_kept(
    alice_client: Client, alice: Any
) -> None:
    algorithm = with_rows(alice)
    data = post(algorithm, **{"hp-3-value": "maybe", "hp-4-value": "64"})
    response = alice_client.post(reverse("trainingjobs:create"), data)
    assert response.status_code == 400
    assert not TrainingJob.objects.exists()
    html = response.content.decode()
    select = re.search(r'<select name="hp-3-value"[^>]*>.*?</select>', html, re.S)
    assert select and re.findall(r'value="([^"]*)" selected', select.group(0)) == ["maybe"]
    row = re.search(r'<tbody class="job-hp row-error[^"]*"[^>]*data-name="shuffle".*?</tbody>',
                    html, re.S)
    assert row and "shuffle: must be true or false, got &#x27;maybe&#x27;." in row.group(0)
    batch = re.search(r'<select name="hp-4-value"[^>]*>.*?</select>', html, re.S)
    assert batch and re.findall(r'value="([^"]*)" selected', batch.group(0)) == ["64"]
