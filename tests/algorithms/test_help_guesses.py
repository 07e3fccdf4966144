"""Types read from a printed --help (the fallback when argparse's parser is not captured):
stated where the help shows them, guessed from what it shows otherwise, and the guesses
named in the table."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from algorithms import services
from algorithms.help_merge import merge_from_help
from algorithms.help_text import parse_help
from algorithms.models import Algorithm
from algorithms.script_help import read_options, run_help

pytestmark = pytest.mark.django_db

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NAMES = ["digits_mlp", "digits_sgd", "gbdt_breast_cancer", "sgd_diabetes"]


def _plain_help(folder: Path, script: str = "train.py") -> str:
    """What the script prints for --help on its own (no shim): argparse's plain help."""
    done = subprocess.run(
        [sys.executable, script, "--help"],
        cwd=folder,
        env={**os.environ, "COLUMNS": "100"},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return done.stdout


def _declared(folder: Path) -> list[tuple[Any, ...]]:
    """(name, type, default, choices) as the script's parser declares them (captured)."""
    result = run_help(sys.executable, folder, "train.py", timeout=120)
    options = read_options("", result.captured)
    assert options.source == "argparse"
    return [(r["name"], r["type"], r["default"], r["choices"]) for r in options.hyperparameters]


def test_plain_help_without_help_text_gets_the_types_guessed_from_the_names() -> None:
    options = parse_help(_plain_help(EXAMPLES / "digits_mlp"))
    assert [(r["name"], r["type"], r["default"]) for r in options.hyperparameters] == [
        ("learning_rate", "float", None),
        ("alpha", "float", None),
        ("hidden_units", "int", None),
        ("epochs", "int", None),
        ("batch_size", "int", None),
        ("shuffle", "bool", None),  # takes a value (--shuffle SHUFFLE): true/false
        ("seed", "int", None),
    ]
    assert options.guessed == dict.fromkeys(options.names(), "from the option's name")
    assert options.as_dict()["bool_style"] == "true_false"


@pytest.mark.parametrize("example", NAMES)
def test_plain_help_of_every_example_guesses_the_types_its_parser_declares(example: str) -> None:
    options = parse_help(_plain_help(EXAMPLES / example))
    declared = _declared(EXAMPLES / example)
    assert [(r["name"], r["type"]) for r in options.hyperparameters] == [
        (name, hp_type) for name, hp_type, _, _ in declared
    ]
    # Words in braces are choices, so text: only the other rows are guesses.
    unchosen = [name for name, _, _, choices in declared if not choices]
    assert sorted(options.guessed) == sorted(unchosen)


@pytest.mark.parametrize("example", NAMES)
def test_the_checks_printed_help_states_what_the_parser_declares(example: str) -> None:
    # The check's run shows every option's default and int/float type, help text or not:
    # the printed help alone gives the rows the captured parser gives.
    result = run_help(sys.executable, EXAMPLES / example, "train.py", timeout=120)
    options = parse_help(result.output)
    assert [
        (r["name"], r["type"], r["default"], r["choices"]) for r in options.hyperparameters
    ] == _declared(EXAMPLES / example)
    # Only the yes/no options (type=str_to_bool) remain guesses, from their defaults.
    bools = [r["name"] for r in options.hyperparameters if r["type"] == "bool"]
    assert {name: how.split(" --help")[0] for name, how in options.guessed.items()} == {
        name: f"from the default {options.hyperparameters[options.names().index(name)]['default']}"
        for name in bools
    }


SHOWN = b"""import argparse

p = argparse.ArgumentParser()  # no help text anywhere
p.add_argument("--lr", metavar="0.01", type=float, default=0.01)
p.add_argument("--steps", metavar="N", type=int, default=100)
p.add_argument("--scale", metavar="FLOAT", type=float, default=1.0)
p.add_argument("--batch", type=int, choices=[16, 32, 64], default=32)
p.add_argument("--optimizer", default="adam")
p.add_argument("--checkpoint")
p.parse_args()
"""


def test_metavars_values_and_choices_say_the_type(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_bytes(SHOWN)
    options = parse_help(_plain_help(tmp_path))
    assert [(r["name"], r["type"], r["choices"]) for r in options.hyperparameters] == [
        ("lr", "float", []),
        ("steps", "int", []),
        ("scale", "float", []),  # FLOAT states it, as click's type words do
        ("batch", "int", [16, 32, 64]),
        ("optimizer", "str", []),  # a name that says nothing: text
        ("checkpoint", "str", []),
    ]
    assert options.guessed == {
        "lr": "from the value 0.01 --help shows for it",
        "steps": "from its metavar N",
        "batch": "from its choices",
        "optimizer": "with nothing in --help to go on",
        "checkpoint": "with nothing in --help to go on",
    }


def test_a_value_in_the_usage_line_says_the_type() -> None:
    options = parse_help(
        "Usage: train.py [--lr=0.001] [--depth=3] [--fast=true]\n\n"
        "Options:\n  --lr LR\n  --depth D\n  --fast F  go faster\n"
    )
    assert [(r["name"], r["type"]) for r in options.hyperparameters] == [
        ("lr", "float"),
        ("depth", "int"),
        ("fast", "bool"),
    ]
    assert options.guessed["depth"] == "from the value 3 --help shows for it"


def test_a_stated_type_is_not_a_guess() -> None:
    options = parse_help(
        "usage: t.py [--epochs EPOCHS] [--lr LR]\n\noptions:\n"
        "  --epochs EPOCHS  passes (default: 5) [type: int]\n"
        "  --lr FLOAT       step size\n"
    )
    assert [(r["name"], r["type"], r["default"]) for r in options.hyperparameters] == [
        ("epochs", "int", 5),
        ("lr", "float", None),
    ]
    assert options.guessed == {}
    assert options.known["epochs"] >= {"type", "default"}


def test_filling_an_empty_table_names_the_guessed_rows() -> None:
    options = parse_help(_plain_help(EXAMPLES / "digits_sgd"))
    raw = {"hyperparameters": [], "bool_style": "true_false", "accepts_data_urls": False}
    report = merge_from_help(raw, options)
    described = {r["name"]: (r["type"], r["description"]) for r in raw["hyperparameters"]}
    assert described["epochs"] == ("int", "Type int guessed from the option's name: check it.")
    assert described["eta0"] == (
        "float",
        "initial learning rate (type float guessed from the option's name: check it)",
    )
    assert described["penalty"] == ("str", "")  # its choices say what it takes
    assert report.guessed == ["eta0", "alpha", "epochs", "average", "seed"]


def test_the_edit_page_and_the_api_say_which_rows_were_guessed(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    spec = json.loads((EXAMPLES / "digits_mlp" / "algorithm.json").read_text())
    spec["hyperparameters"] = []
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(
            owner=alice, spec=spec, server_path=str(EXAMPLES / "digits_mlp")
        )
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY, algorithm.status_reason
    # As a script whose parser the check could not capture: only its plain help is known.
    Algorithm.objects.filter(pk=algorithm.pk).update(
        script_help=_plain_help(EXAMPLES / "digits_mlp"), script_arguments={}
    )

    edit = reverse("algorithms:edit", args=[algorithm.pk])
    page = alice_client.get(edit + "?from_help=1").content.decode()
    assert 'name="hp-3-name" value="epochs"' in page
    assert (
        'name="hp-3-description" value="Type int guessed from the option&#x27;s name: check it."'
        in page
    )
    assert 'name="hp-1-description" value="L2 penalty (type float guessed' in page
    # The report above the table names them too.
    assert (
        'data-testid="merge-guessed">Types guessed, as <code>--help</code> states none (check '
        "them): <code>learning_rate</code>, <code>alpha</code>, <code>hidden_units</code>, "
        "<code>epochs</code>, <code>batch_size</code>, <code>shuffle</code>, "
        "<code>seed</code>.</li>"
    ) in page

    answer = alice_client.get(f"/api/v1/algorithms/{algorithm.pk}/script-options/").json()
    assert answer["read_from"] == "help text"
    assert answer["guessed"][3] == {
        "name": "epochs",
        "type": "int",
        "how": "from the option's name",
    }
    assert [g["name"] for g in answer["guessed"]] == [
        r["name"] for r in answer["hyperparameters"]
    ]


def test_a_script_taking_data_locations_with_the_switch_off_is_pointed_at_it(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    spec = json.loads((EXAMPLES / "digits_mlp" / "algorithm.json").read_text())
    spec["accepts_data_urls"] = False
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(
            owner=alice, spec=spec, server_path=str(EXAMPLES / "digits_mlp")
        )
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY, algorithm.status_reason
    edit = reverse("algorithms:edit", args=[algorithm.pk])
    detail = alice_client.get(reverse("algorithms:detail", args=[algorithm.pk])).content.decode()
    assert 'data-testid="data-switch-off">The script takes <code>--data_url</code>' in detail
    assert f'on the <a href="{edit}">edit page</a> for the console to pass' in detail
    form = alice_client.get(edit).content.decode()
    assert "under <em>How the script takes arguments</em>" in form
    # Switched on, nothing to point at.
    Algorithm.objects.filter(pk=algorithm.pk).update(accepts_data_urls=True)
    detail = alice_client.get(reverse("algorithms:detail", args=[algorithm.pk])).content.decode()
    assert "data-switch-off" not in detail
