"""Filling the table from --help merges: the user's rows keep what the script does not
contradict, missing options are added, and the page says what changed and what is left out."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from algorithms import services
from algorithms.help_actions import options_from_actions
from algorithms.help_merge import merge_from_help, missing_from_table
from algorithms.models import Algorithm
from tests.algorithms.helpers import REGEX

pytestmark = pytest.mark.django_db

DIGITS = Path(__file__).resolve().parents[2] / "examples" / "digits_sgd"


def _digits(owner: Any, capture: Any) -> Algorithm:
    """The bundled example as a user set it up: their own ranges, and no --seed row."""
    spec = json.loads((DIGITS / "algorithm.json").read_text())
    for row in spec["hyperparameters"]:
        if row["name"] == "eta0":
            row.update(min=0.0001, max=1)
        if row["name"] == "epochs":
            row.update(min=5, max=100)
    with capture(execute=True):
        algorithm = services.algorithm_create(owner=owner, spec=spec, server_path=str(DIGITS))
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY, algorithm.status_reason
    return algorithm


def _row(name: str, hp_type: str = "str", **values: Any) -> dict[str, Any]:
    row = {"name": name, "type": hp_type, "default": "", "min": "", "max": "", "choices": "",
           "required": False, "description": ""}
    row.update(values)
    return row


def _raw(*rows: dict[str, Any], bool_style: str = "true_false") -> dict[str, Any]:
    return {"hyperparameters": list(rows), "bool_style": bool_style, "accepts_data_urls": False}


def _options(*actions: dict[str, Any]) -> Any:
    return options_from_actions({"parser": "argparse", "options": list(actions)})


def test_filling_the_digits_example_keeps_the_users_ranges_and_adds_seed(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _digits(alice, django_capture_on_commit_callbacks)
    edit = reverse("algorithms:edit", args=[algorithm.pk])

    detail = alice_client.get(reverse("algorithms:detail", args=[algorithm.pk])).content.decode()
    assert "lists 7 options; not in the table: <code>--seed</code>" in detail
    assert f'href="{edit}?from_help=1"' in detail
    offer = alice_client.get(edit).content.decode()
    assert "lists 7 options; not in the table: <code>--seed</code>" in offer
    assert "data-fill-from-help" in offer  # the edit form posts what is typed
    assert "<code>--data_url</code>, <code>--train_url</code> (a data location" in offer

    page = alice_client.get(edit + "?from_help=1").content.decode()
    names = ["eta0", "alpha", "schedule", "penalty", "epochs", "average", "seed"]
    for i, name in enumerate(names):
        assert f'name="hp-{i}-name" value="{name}"' in page
    assert 'name="hp-0-min" value="0.0001"' in page and 'name="hp-0-max" value="1"' in page
    assert '<option value="int" selected>int</option>' in page
    assert 'name="hp-4-min" value="5"' in page and 'name="hp-4-max" value="100"' in page
    assert 'name="hp-2-default" value="invscaling"' in page
    assert 'name="hp-3-default" value="l2"' in page
    assert 'name="hp-6-default" value="0"' in page
    assert page.count('data-mark="added"') == 1 and 'data-mark="updated"' not in page
    assert 'data-testid="merge-added">Added: <code>seed</code>.' in page
    assert "Updated: none." in page
    # Nothing is saved until the user submits the reviewed form.
    assert algorithm.hyperparameters.count() == 6
    assert algorithm.hyperparameters.get(name="eta0").min == 0.0001


def test_filling_from_the_edit_form_merges_the_table_as_typed(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _digits(alice, django_capture_on_commit_callbacks)
    edit = reverse("algorithms:edit", args=[algorithm.pk])
    data = {
        "name": "digits-sgd", "code_source": "server_path", "server_path": str(DIGITS),
        "boot_file": "train.py", "bool_style": "true_false", "argument_style": "equals",
        "hp-0-name": "epochs", "hp-0-type": "str", "hp-0-default": "40", "hp-0-min": "",
        "hp-0-max": "", "hp-0-choices": "", "hp-0-description": "typed, not saved",
        "hp-1-name": "momentum", "hp-1-type": "float", "hp-1-default": "0.9",
        "hp-1-min": "0", "hp-1-max": "1", "hp-1-choices": "", "hp-1-description": "",
        "auto_search": "on", "metric_name": "val_loss", "metric_goal": "minimize",
        "metric_regex": REGEX, "sa": ["tpe"], "fill_from_help": "1",
    }
    response = alice_client.post(edit, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'name="hp-0-name" value="epochs"' in page
    assert 'name="hp-0-default" value="40"' in page  # the user's default fits an int
    assert 'name="hp-0-description" value="typed, not saved"' in page
    assert "<code>epochs</code> (type str → int (the script&#x27;s))" in page
    assert 'name="hp-1-name" value="momentum"' in page
    assert "does not list them: <code>momentum</code>" in page
    assert 'name="hp-2-name" value="eta0"' in page  # the rest of the help, added
    assert algorithm.hyperparameters.get(name="epochs").type == "int"  # nothing saved


def test_a_type_the_script_states_replaces_one_that_cannot_pass() -> None:
    raw = _raw(
        _row("epochs", "float", default="2.5", min="0.5", max="10"),
        _row("lr", "int", default="1", min="1", max="5"),
        _row("name", "int", default="3"),
    )
    report = merge_from_help(raw, _options(
        {"flags": ["--epochs"], "type": "int", "default": 30},
        {"flags": ["--lr"], "type": "float", "default": 0.1},
        {"flags": ["--name"], "type": None, "default": "x"},
    ))
    epochs, lr, name = raw["hyperparameters"]
    assert epochs["type"] == "int" and (epochs["min"], epochs["max"]) == ("", "")
    assert epochs["default"] == "30"
    assert report.updated[0] == ("epochs", [
        "type float → int (the script's)",
        "range [0.5, 10] removed: an int takes whole numbers",
        "default 2.5 → the script's 30 (it no longer fits the row)",
    ])
    # An int search suits a float option, and a string option takes any value.
    assert (lr["type"], lr["min"], lr["max"]) == ("int", "1", "5")
    assert (name["type"], name["default"]) == ("int", "3")
    assert report.unchanged == ["lr", "name"]


def test_an_enumeration_the_user_narrowed_is_kept_and_one_outside_is_replaced() -> None:
    raw = _raw(
        _row("opt", choices="adam", default="adam"),
        _row("act", choices="relu, swish", default="swish"),
        _row("batch", "int", min="8", max="64"),
    )
    report = merge_from_help(raw, _options(
        {"flags": ["--opt"], "choices": ["adam", "sgd"], "default": "sgd"},
        {"flags": ["--act"], "choices": ["relu", "tanh"], "default": "relu"},
        {"flags": ["--batch"], "type": "int", "choices": [16, 32], "default": 16},
    ))
    opt, act, batch = raw["hyperparameters"]
    assert (opt["choices"], opt["default"]) == ("adam", "adam")
    assert (act["choices"], act["default"]) == ("relu, tanh", "relu")
    assert (batch["choices"], batch["min"], batch["max"], batch["default"]) == (
        "16, 32", "", "", "16"
    )
    assert dict(report.updated)["batch"][:2] == [
        "enumeration empty → the script's 16, 32",
        "range removed: the script takes only its enumeration",
    ]


def test_required_options_flags_and_data_locations_are_taken_from_the_script() -> None:
    raw = _raw(_row("lr", "float", default="0.1"), _row("verbose", "bool", default="false"))
    report = merge_from_help(raw, _options(
        {"flags": ["--lr"], "type": "float", "required": True},
        {"flags": ["--verbose"], "kind": "store_true", "default": False},
        {"flags": ["--data_url"], "kind": "store"},
    ))
    assert raw["hyperparameters"][0]["required"] is True
    assert raw["bool_style"] == "flag" and raw["accepts_data_urls"] is True
    assert report.updated == [("lr", ["required (the script requires it)"])]
    assert report.settings == [
        "Yes/no values: bare --flag (the script has flags that take no value)",
        "Data locations: on (the script takes --data_url and --train_url)",
    ]
    assert [o.option for o in report.left_out] == ["--data_url"]


def test_missing_from_table_names_the_options_without_a_row() -> None:
    options = _options({"flags": ["--lr"]}, {"flags": ["--seed"], "type": "int"})
    assert missing_from_table([_row("lr")], options) == ["seed"]
