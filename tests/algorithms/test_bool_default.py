"""A bool hyperparameter's default on the algorithm form: a true/false choice, checked by
the server with a message on its cell, and kept as sent when refused."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from algorithms.models import Algorithm
from algorithms.spec_display import bool_options
from tests.algorithms.helpers import py_upload

pytestmark = pytest.mark.django_db


def _post(default: str, **overrides: Any) -> dict[str, Any]:
    """The create page's POST: a str row, and a bool row ``shuffle`` set to ``default``."""
    data: dict[str, Any] = {
        "name": "flags",
        "description": "kept when refused",
        "code_source": "upload",
        "boot_file": "train.py",
        "engine": "",
        "hp-0-name": "opt", "hp-0-type": "str", "hp-0-default": "adam",
        "hp-0-min": "", "hp-0-max": "", "hp-0-choices": "adam, sgd", "hp-0-description": "",
        "hp-1-name": "shuffle", "hp-1-type": "bool", "hp-1-default": default,
        "hp-1-min": "", "hp-1-max": "", "hp-1-choices": "", "hp-1-description": "each epoch",
    }
    data.update(overrides)
    return data


def _default_controls(page: str, index: int) -> tuple[str, str]:
    """The row's default text box and its true/false select, as rendered."""
    text = re.search(rf'<input type="text" name="hp-{index}-default"[^>]*>', page)
    select = re.search(rf'<select name="hp-{index}-default"[^>]*>.*?</select>', page, re.S)
    assert text and select
    return text.group(0), select.group(0)


def _selected(select: str) -> list[str]:
    return re.findall(r'<option value="([^"]*)" selected>', select)


def test_bool_options_select_what_the_server_reads_and_keep_anything_else() -> None:
    assert bool_options("true", "(none)") == [
        ("", "(none)", False), ("true", "true", True), ("false", "false", False)
    ]
    assert [o[0] for o in bool_options(" No ", "-") if o[2]] == ["false"]
    assert [o[0] for o in bool_options(True, "-") if o[2]] == ["true"]
    assert [o[0] for o in bool_options(None, "-") if o[2]] == [""]
    assert bool_options("maybe", "-")[3:] == [("maybe", "maybe", True)]
    assert [o for o in bool_options("maybe", "-") if o[2]] == [("maybe", "maybe", True)]


def test_edit_page_draws_a_bool_default_as_a_true_false_choice(
    alice: Any, alice_client: Client
) -> None:
    alice_client.post(reverse("algorithms:create"), _post("false", code=py_upload()))
    algorithm = Algorithm.objects.get(owner=alice, name="flags")
    page = alice_client.get(reverse("algorithms:edit", args=[algorithm.pk])).content.decode()
    text, select = _default_controls(page, 1)
    assert " disabled" in text and 'data-col="default"' not in text
    assert 'data-col="default"' in select and " disabled" not in select
    assert re.findall(r'<option value="([^"]*)"', select) == ["", "true", "false"]
    assert _selected(select) == ["false"]
    # A str row keeps its text box; its select is the one disabled.
    text, select = _default_controls(page, 0)
    assert 'value="adam"' in text and 'data-col="default"' in text and " disabled" in select


@pytest.mark.parametrize(("sent", "stored"), [("true", True), ("false", False), ("", None)])
def test_a_chosen_bool_default_is_saved(
    alice: Any, alice_client: Client, sent: str, stored: bool | None
) -> None:
    response = alice_client.post(reverse("algorithms:create"), _post(sent, code=py_upload()))
    assert response.status_code == 302
    algorithm = Algorithm.objects.get(owner=alice, name="flags")
    assert algorithm.hyperparameters.get(name="shuffle").default is stored


def test_a_bool_default_that_is_neither_is_refused_on_its_cell_and_kept(
    alice_client: Client,
) -> None:
    response = alice_client.post(reverse("algorithms:create"), _post("maybe", code=py_upload()))
    assert response.status_code == 400
    assert not Algorithm.objects.exists()
    row = response.context["rows"][1]
    assert row["errors"] == {"default": ["Default must be true or false, got 'maybe'."]}
    page = response.content.decode()
    _, select = _default_controls(page, 1)
    assert _selected(select) == ["maybe"]  # shown as sent, beside its message
    cell = re.search(r'<td class="has-error">[^\n]*?name="hp-1-default".*?</td>', page, re.S)
    assert cell and "Default must be true or false, got &#x27;maybe&#x27;." in cell.group(0)
    # Everything else typed is kept too.
    assert ">kept when refused</textarea>" in page
    assert 'name="hp-1-description" value="each epoch"' in page
    text, _ = _default_controls(page, 0)
    assert 'value="adam"' in text
