"""The algorithm page's two form modules: ``forms`` reads a POST, ``form_page`` draws a
saved algorithm; what one draws, the other reads back unchanged."""

from __future__ import annotations

import doctest
from typing import Any

import pytest
from django.http import QueryDict

from algorithms import form_page, forms
from algorithms.models import Algorithm, Hyperparameter

pytestmark = pytest.mark.django_db


def test_docstring_examples_of_the_form_modules_run() -> None:
    assert doctest.testmod(forms).failed == 0
    assert doctest.testmod(form_page).failed == 0


def test_the_pages_names_are_still_imported_from_forms() -> None:
    from algorithms.forms import AlgorithmForm, help_offer

    assert help_offer is form_page.help_offer
    assert AlgorithmForm.__module__ == "algorithms.forms"


def _saved(owner: Any) -> Algorithm:
    algorithm = Algorithm.objects.create(
        owner=owner, name="mnist", boot_file="train.py", status=Algorithm.Status.READY,
        auto_search=True, metric_name="accuracy", metric_regex=r"accuracy=([0-9.]+)",
        search_algorithms=[
            {"name": "tpe_search", "params": {"gamma": 0.3}},
            {"name": "random", "params": {"seed": 4}},
        ],
    )
    rows = [
        {"name": "lr", "type": "float", "default": 0.01, "min": 0.0001, "max": 1.0,
         "description": "learning rate"},
        {"name": "epochs", "type": "int", "default": 5, "min": 1, "max": 50, "required": True},
        {"name": "opt", "type": "str", "default": "adam", "choices": ["adam", "sgd"]},
    ]
    for position, row in enumerate(rows):
        Hyperparameter.objects.create(algorithm=algorithm, position=position, **row)
    return algorithm


def _as_posted(raw: dict[str, Any]) -> QueryDict:
    """The edit page's fields for ``raw``, as a browser posts them."""
    post = QueryDict(mutable=True)
    for key in ("name", "description", "boot_file", "argument_style", "bool_style"):
        post[key] = raw[key]
    post.update({"metric_name": raw["metric"]["name"], "metric_goal": raw["metric"]["goal"],
                 "metric_regex": raw["metric"]["regex"], "code_source": raw["code_source"]})
    if raw["auto_search"]:
        post["auto_search"] = "on"
    for i, row in enumerate(raw["hyperparameters"]):
        for column in forms.HP_COLUMNS:
            if column == "required":
                if row[column]:
                    post[f"hp-{i}-required"] = "on"
            else:
                post[f"hp-{i}-{column}"] = row[column]
    post.setlist("sa", raw["selected"])
    post["sa_order"] = ",".join(raw["selected"])
    for name, params in raw["params"].items():
        for param, text in params.items():
            post[f"sa-{name}-{param}"] = text
    return post


def test_a_saved_algorithm_drawn_and_posted_back_reads_the_same(alice: Any) -> None:
    drawn = form_page.raw_from_instance(_saved(alice))
    assert drawn["hyperparameters"][0] == {
        "name": "lr", "type": "float", "default": "0.01", "min": "0.0001", "max": "1",
        "choices": "", "required": False, "description": "learning rate",
    }  # fmt: skip
    assert drawn["selected"] == ["tpe_search", "random"]
    read = forms.AlgorithmForm.from_post(_as_posted(drawn), QueryDict(), user_id=alice.pk).raw
    for key in ("name", "boot_file", "hyperparameters", "auto_search", "metric", "selected",
                "params"):
        assert read[key] == drawn[key], key
