"""Algorithm pages: access, the form round trip, list search and pagination, delete."""

from __future__ import annotations

import html
import json
import re
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from algorithms import services
from algorithms.models import Algorithm, Engine
from tests.algorithms.helpers import REGEX, py_upload, valid_spec, zip_upload
from trainingjobs.models import TrainingJob

pytestmark = pytest.mark.django_db


def _make(owner: Any, capture: Any, name: str = "mnist-mlp", **spec: Any) -> Algorithm:
    with capture(execute=True):
        algorithm = services.algorithm_create(
            owner=owner, spec=valid_spec(name=name, **spec), code=py_upload()
        )
    algorithm.refresh_from_db()
    return algorithm


def _form_post(**overrides: Any) -> dict[str, Any]:
    """A create-page POST as the browser sends it (strings, formset-like row names)."""
    data: dict[str, Any] = {
        "name": "cifar",
        "description": "resnet",
        "code_source": "upload",
        "boot_file": "train.py",
        "engine": "",
        "hp-0-name": "lr", "hp-0-type": "float", "hp-0-default": "0.1",
        "hp-0-min": "0.001", "hp-0-max": "1", "hp-0-choices": "", "hp-0-description": "rate",
        "hp-1-name": "opt", "hp-1-type": "str", "hp-1-default": "adam",
        "hp-1-min": "", "hp-1-max": "", "hp-1-choices": "adam, sgd", "hp-1-required": "on",
        "hp-1-description": "",
        "auto_search": "on",
        "metric_name": "accuracy",
        "metric_goal": "maximize",
        "metric_regex": REGEX,
        "sample_log": "epoch 1 accuracy=0.5\nepoch 2 accuracy=0.7\n",
        "sa": ["tpe_search", "random"],
        "sa-tpe_search-gamma": "0.3",
        "sa-tpe_search-n_initial_points": "5",
        "sa-random-seed": "0",
    }
    data.update(overrides)
    return data


# --- access ------------------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["detail", "edit", "delete"])
def test_other_users_get_404(
    client: Client, alice: Any, bob: Any, view: str, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _make(alice, django_capture_on_commit_callbacks)
    client.force_login(bob)
    url = reverse(f"algorithms:{view}", args=[algorithm.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, _form_post()).status_code == 404
    algorithm.refresh_from_db()
    assert algorithm.name == "mnist-mlp"


def test_staff_see_every_algorithm(
    client: Client, alice: Any, staff: Any, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _make(alice, django_capture_on_commit_callbacks)
    client.force_login(staff)
    assert client.get(reverse("algorithms:detail", args=[algorithm.pk])).status_code == 200
    assert b"mnist-mlp" in client.get(reverse("algorithms:list")).content


def test_pages_and_regex_endpoints_need_login(client: Client) -> None:
    for name in ("algorithms:list", "algorithms:create"):
        response = client.get(reverse(name))
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    for name in ("algorithms:regex_generate", "algorithms:regex_test"):
        response = client.post(reverse(name), {"metric_name": "acc", "pattern": "a(1)"})
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_regex_endpoints_need_csrf(alice: Any) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    response = client.post(reverse("algorithms:regex_test"), {"pattern": "a=(1)"})
    assert response.status_code == 403


# --- list ------------------------------------------------------------------------------------


def test_list_shows_only_own_algorithms_with_search(
    alice_client: Client, alice: Any, bob: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _make(alice, django_capture_on_commit_callbacks, "resnet-cifar")
    _make(alice, django_capture_on_commit_callbacks, "mlp-digits", auto_search=False)
    _make(bob, django_capture_on_commit_callbacks, "bobs-resnet")
    page = alice_client.get(reverse("algorithms:list")).content.decode()
    assert "resnet-cifar" in page and "mlp-digits" in page and "bobs-resnet" not in page
    found = alice_client.get(reverse("algorithms:list"), {"q": "resnet"}).content.decode()
    assert "resnet-cifar" in found and "mlp-digits" not in found
    none = alice_client.get(reverse("algorithms:list"), {"q": "zzz"}).content.decode()
    assert 'data-testid="empty-state"' in none


def test_list_empty_state(alice_client: Client) -> None:
    page = alice_client.get(reverse("algorithms:list")).content.decode()
    assert "No algorithms yet" in page


def test_list_paginates_by_20(alice: Any, alice_client: Client) -> None:
    Algorithm.objects.bulk_create(
        Algorithm(owner=alice, name=f"algo-{i:02d}", boot_file="train.py") for i in range(45)
    )
    first = alice_client.get(reverse("algorithms:list"))
    assert len(first.context["page"].object_list) == 20
    assert "Page 1 of 3" in first.content.decode()
    last = alice_client.get(reverse("algorithms:list"), {"page": 3})
    assert len(last.context["page"].object_list) == 5


# --- create ------------------------------------------------------------------------------------


def test_create_page_shows_one_card_per_sampler_with_its_aliases(alice_client: Client) -> None:
    response = alice_client.get(reverse("algorithms:create"))
    page = response.content.decode()
    cards = {s["canonical"]: s for s in response.context["samplers"]}
    assert len(response.context["samplers"]) == len(cards)  # no card per alias
    assert {"tpe", "bayesian", "anneal", "random", "grid"} <= set(cards)
    for name in ("bayesian", "tpe", "anneal", "random", "grid"):
        assert f'data-testid="sa-{name}"' in page
    for alias in ("bayes_opt_search", "tpe_search", "anneal_search"):
        assert f'data-testid="sa-{alias}"' not in page
        assert f"<code>{alias}</code>" in page  # shown as "also: ..." on its card
    # Nothing selected: every card posts under its canonical name, with the defaults.
    assert 'name="sa" value="tpe"' in page
    assert 'name="sa-tpe-gamma" value="0.25"' in page
    assert 'name="sa-tpe-prior_weight" value="1"' in page  # 1.0 shown as typed


def test_sampler_saved_under_an_alias_shows_checked_on_its_canonical_card(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _make(
        alice, django_capture_on_commit_callbacks,
        search_algorithms=[{"name": "tpe_search", "params": {"gamma": 0.4}}],
    )
    assert [a["name"] for a in algorithm.search_algorithms] == ["tpe_search"]
    response = alice_client.get(reverse("algorithms:edit", args=[algorithm.pk]))
    tpe = next(s for s in response.context["samplers"] if s["canonical"] == "tpe")
    assert tpe["checked"] and tpe["name"] == "tpe_search"
    page = response.content.decode()
    # One checkbox, on the tpe card, posting the name the algorithm was saved with.
    assert 'name="sa" value="tpe_search" checked data-testid="sa-tpe"' in page
    assert 'name="sa-tpe_search-gamma" value="0.4"' in page
    assert 'data-testid="sa-tpe-selected-as">tpe_search<' in page
    assert 'value="tpe" checked' not in page

    data = _form_post(name="mnist-mlp", sa=["tpe_search"], **{"sa-tpe_search-gamma": "0.4"})
    response = alice_client.post(reverse("algorithms:edit", args=[algorithm.pk]), data)
    assert response.status_code == 302
    algorithm.refresh_from_db()
    assert [(a["name"], a["params"]["gamma"]) for a in algorithm.search_algorithms] == [
        ("tpe_search", 0.4)
    ]


def test_create_through_the_form(alice: Any, alice_client: Client) -> None:
    data = _form_post(code=py_upload())
    response = alice_client.post(reverse("algorithms:create"), data)
    algorithm = Algorithm.objects.get(owner=alice, name="cifar")
    assert response.status_code == 302
    assert response["Location"] == reverse("algorithms:detail", args=[algorithm.pk])
    assert [(h.name, h.default, h.required) for h in algorithm.hyperparameters.all()] == [
        ("lr", 0.1, False), ("opt", "adam", True)
    ]
    assert algorithm.hyperparameters.get(name="opt").choices == ["adam", "sgd"]
    assert [a["name"] for a in algorithm.search_algorithms] == ["tpe_search", "random"]
    assert algorithm.search_algorithms[0]["params"]["gamma"] == 0.3
    assert algorithm.search_algorithms[0]["params"]["n_initial_points"] == 5
    assert algorithm.metric_regex == REGEX
    # Unposted argument settings take their defaults.
    assert (algorithm.argument_style, algorithm.bool_style, algorithm.accepts_data_urls) == (
        "equals", "true_false", False
    )


def test_form_sets_how_the_script_takes_arguments_and_shows_it_on_edit(
    alice: Any, alice_client: Client
) -> None:
    data = _form_post(
        code=py_upload(), argument_style="space", bool_style="flag", accepts_data_urls="on"
    )
    alice_client.post(reverse("algorithms:create"), data)
    algorithm = Algorithm.objects.get(owner=alice, name="cifar")
    assert (algorithm.argument_style, algorithm.bool_style, algorithm.accepts_data_urls) == (
        "space", "flag", True
    )
    page = alice_client.get(reverse("algorithms:edit", args=[algorithm.pk])).content.decode()
    assert '<option value="space" selected>' in page
    assert '<option value="flag" selected>' in page
    assert 'name="accepts_data_urls" id="id_accepts_data_urls" checked' in page


def test_refused_form_keeps_everything_typed_with_messages_beside_fields(
    alice: Any, alice_client: Client
) -> None:
    data = _form_post(
        code=py_upload(),
        **{
            "hp-1-default": "rmsprop",  # not in the enumeration
            "hp-2-name": "lr", "hp-2-type": "int", "hp-2-min": "9", "hp-2-max": "1",
            "metric_regex": "(a+)+$",
            "sa-tpe_search-gamma": "7",
        },
    )
    response = alice_client.post(reverse("algorithms:create"), data)
    assert response.status_code == 400
    assert not Algorithm.objects.exists()
    ctx = response.context
    rows = ctx["rows"]
    assert [r["values"]["name"] for r in rows] == ["lr", "opt", "lr"]
    assert rows[1]["errors"]["default"] == ["Default 'rmsprop' is not in the enumeration."]
    assert rows[2]["errors"]["name"] == ["Duplicate name 'lr' (also in row 1)."]
    assert rows[2]["errors"]["min"] == ["min must be less than max, got min=9, max=1."]
    assert "exponential time" in ctx["errors"]["metric_regex"][0]
    tpe = next(s for s in ctx["samplers"] if s["name"] == "tpe_search")
    gamma = next(p for p in tpe["params"] if p["name"] == "gamma")
    assert tpe["checked"] and gamma["value"] == "7" and "at most 1" in gamma["errors"][0]
    page = response.content.decode()
    assert 'value="rmsprop"' in page and 'value="(a+)+$"' in page
    assert "epoch 2 accuracy=0.7" in page  # the pasted sample log
    assert 'name="auto_search" id="id_auto_search" checked' in page
    # The uploaded file is kept server-side for the next submission, and the banner says so.
    assert ctx["pending_name"] == "train.py"
    assert 'data-testid="pending-code"' in page
    assert banner_note(page) == "everything you typed is kept, and so is the file train.py."

    fixed = _form_post(pending_code=ctx["pending_token"])
    response = alice_client.post(reverse("algorithms:create"), fixed)
    assert response.status_code == 302
    algorithm = Algorithm.objects.get(name="cifar")
    assert algorithm.code_file.name.endswith("train.py")
    assert not default_storage.exists(f"pending-uploads/{alice.pk}/{ctx['pending_token']}")


def banner_note(page: str) -> str:
    """What the refused form's banner says is kept."""
    found = re.search(r'data-testid="form-errors-kept">(.*?)</span>', page, re.S)
    assert found, "no banner"
    return html.unescape(found.group(1))


def test_a_refused_file_is_not_kept_and_the_banner_names_it_to_choose_again(
    alice: Any, alice_client: Client
) -> None:
    bad = SimpleUploadedFile("train.txt", b"print(1)\n", content_type="text/plain")
    response = alice_client.post(reverse("algorithms:create"), _form_post(code=bad))
    assert response.status_code == 400
    assert response.context["errors"]["code"] == [
        "Upload a .py file or a .zip, .tar.gz or .tgz archive."
    ]
    assert response.context["pending_token"] == ""
    page = response.content.decode()
    assert banner_note(page) == (
        "the other fields are kept, but a browser cannot keep a chosen file: "
        "choose train.txt again."
    )
    assert 'value="cifar"' in page  # the other fields are kept indeed


def test_a_kept_file_that_is_gone_is_named_to_choose_again(alice_client: Client) -> None:
    gone = "0123456789abcdef0123456789abcdef/train.py"
    response = alice_client.post(
        reverse("algorithms:create"), _form_post(name="bad name!", pending_code=gone)
    )
    assert response.status_code == 400
    assert banner_note(response.content.decode()).endswith("choose train.py again.")


def test_a_refusal_without_a_file_keeps_everything_typed(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("algorithms:create"),
        _form_post(name="bad name!", code_source="server_path", server_path="/nowhere"),
    )
    assert response.status_code == 400
    assert banner_note(response.content.decode()) == "everything you typed is kept."


def test_a_single_py_upload_with_another_boot_file_is_refused_on_the_boot_file(
    alice: Any, alice_client: Client
) -> None:
    data = _form_post(code=py_upload("mytrain.py"), boot_file="train.py")
    response = alice_client.post(reverse("algorithms:create"), data)
    assert response.status_code == 400
    assert not Algorithm.objects.exists()
    ctx = response.context
    assert ctx["errors"]["boot_file"] == [
        "The package is the single file mytrain.py: its boot file is mytrain.py, not train.py."
    ]
    # The file was fine: it is kept for the next submission, and the boot file as typed.
    assert ctx["pending_name"] == "mytrain.py"
    assert 'value="train.py"' in response.content.decode()

    fixed = _form_post(pending_code=ctx["pending_token"], boot_file="mytrain.py")
    assert alice_client.post(reverse("algorithms:create"), fixed).status_code == 302
    algorithm = Algorithm.objects.get(owner=alice, name="cifar")
    assert algorithm.boot_file == "mytrain.py"
    assert algorithm.code_file.name.endswith("mytrain.py")


def test_int_bound_the_search_would_refuse_is_a_message_on_its_cell_and_kept(
    alice: Any, alice_client: Client
) -> None:
    data = _form_post(code=py_upload())
    data.update({"hp-2-name": "epochs", "hp-2-type": "int", "hp-2-default": "30",
                 "hp-2-min": "5", "hp-2-max": "99999999999999999999999"})
    response = alice_client.post(reverse("algorithms:create"), data)
    assert response.status_code == 400
    row = response.context["rows"][2]
    assert row["errors"] == {
        "max": ["max must be within +-2**53, got max=99999999999999999999999: "
                "no job could search it."]
    }
    assert row["values"]["max"] == "99999999999999999999999"  # as typed
    assert not Algorithm.objects.exists()


def test_create_marks_the_code_package_required_and_says_so_beside_the_chosen_source(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    page = alice_client.get(reverse("algorithms:create")).content.decode()
    assert '<label for="id_code" class="required">Code package</label>' in page
    assert '<label for="id_server_path" class="required">Server path</label>' in page
    response = alice_client.post(reverse("algorithms:create"), _form_post())
    assert response.context["errors"]["code"] == ["Upload a code package or give a server path."]
    response = alice_client.post(
        reverse("algorithms:create"), _form_post(code_source="server_path", server_path="")
    )
    assert response.context["errors"] == {
        "server_path": ["Give the server folder's path, or upload a code package."]
    }
    # On edit the stored package is kept when none is given: not required there.
    algorithm = _make(alice, django_capture_on_commit_callbacks)
    edit = alice_client.get(reverse("algorithms:edit", args=[algorithm.pk])).content.decode()
    assert '<label for="id_code">Code package</label>' in edit


def test_search_algorithms_keep_the_order_they_were_ticked_in(
    alice: Any, alice_client: Client
) -> None:
    # The browser posts checkboxes in the page's order (random before tpe); the page's
    # script says in which order they were ticked.
    data = _form_post(code=py_upload(), sa=["random", "tpe"], sa_order="tpe,random")
    response = alice_client.post(reverse("algorithms:create"), data)
    assert response.status_code == 302, response.context and response.context["errors"]
    algorithm = Algorithm.objects.get(name="cifar")
    assert [item["name"] for item in algorithm.search_algorithms] == ["tpe", "random"]
    edit = alice_client.get(reverse("algorithms:edit", args=[algorithm.pk])).content.decode()
    assert 'name="sa_order" value="tpe,random"' in edit
    assert 'data-testid="sa-tpe-order">1 · default</span>' in edit
    assert 'data-testid="sa-random-order">2</span>' in edit


def test_search_algorithms_without_an_order_keep_the_pages_order(
    alice: Any, alice_client: Client
) -> None:
    data = _form_post(code=py_upload(), sa=["random", "tpe"], sa_order="smac")
    assert alice_client.post(reverse("algorithms:create"), data).status_code == 302
    algorithm = Algorithm.objects.get(name="cifar")
    assert [item["name"] for item in algorithm.search_algorithms] == ["random", "tpe"]


def test_pending_upload_of_another_user_is_ignored(
    alice: Any, bob: Any, alice_client: Client
) -> None:
    response = alice_client.post(
        reverse("algorithms:create"), _form_post(code=py_upload(), name="bad name")
    )
    token = response.context["pending_token"]
    bob_client = Client()
    bob_client.force_login(bob)
    response = bob_client.post(reverse("algorithms:create"), _form_post(pending_code=token))
    assert response.context["errors"]["code"] == ["Upload a code package or give a server path."]
    assert not Algorithm.objects.exists()


def test_untouched_blank_rows_are_dropped(alice: Any, alice_client: Client) -> None:
    data = _form_post(code=py_upload(), **{"hp-5-name": "", "hp-5-type": "float"})
    alice_client.post(reverse("algorithms:create"), data)
    assert Algorithm.objects.get(name="cifar").hyperparameters.count() == 2


# --- edit ------------------------------------------------------------------------------------


def test_edit_page_shows_saved_values(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _make(alice, django_capture_on_commit_callbacks)
    page = alice_client.get(reverse("algorithms:edit", args=[algorithm.pk])).content.decode()
    assert 'name="hp-2-choices" value="adam, sgd"' in page
    assert 'name="hp-3-default" value="true"' in page
    assert 'name="sa" value="tpe_search" checked' in page


def test_edit_keeps_the_order_the_user_gave(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _make(alice, django_capture_on_commit_callbacks)
    package = algorithm.code_file.name
    data = _form_post(name="mnist-mlp")
    # Rows moved: opt first, lr second (the page renumbers them before posting).
    for col in ("name", "type", "default", "min", "max", "choices", "description"):
        data[f"hp-0-{col}"], data[f"hp-1-{col}"] = data[f"hp-1-{col}"], data[f"hp-0-{col}"]
    data["hp-0-required"] = data.pop("hp-1-required")
    response = alice_client.post(reverse("algorithms:edit", args=[algorithm.pk]), data)
    assert response.status_code == 302
    algorithm.refresh_from_db()
    assert [hp.name for hp in algorithm.hyperparameters.all()] == ["opt", "lr"]
    assert algorithm.hyperparameters.get(name="opt").required
    assert algorithm.code_file.name == package  # no file chosen: the package is kept
    assert algorithm.status == Algorithm.Status.READY


# --- delete ------------------------------------------------------------------------------------


def test_delete_asks_then_deletes(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _make(alice, django_capture_on_commit_callbacks)
    url = reverse("algorithms:delete", args=[algorithm.pk])
    assert b"cannot be undone" in alice_client.get(url).content
    assert Algorithm.objects.filter(pk=algorithm.pk).exists()
    response = alice_client.post(url)
    assert response["Location"] == reverse("algorithms:list")
    assert not Algorithm.objects.filter(pk=algorithm.pk).exists()


def test_delete_in_use_is_refused_with_a_message(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    algorithm = _make(alice, django_capture_on_commit_callbacks)
    TrainingJob.objects.create(owner=alice, name="uses-it", algorithm=algorithm)
    url = reverse("algorithms:delete", args=[algorithm.pk])
    response = alice_client.post(url, follow=True)
    assert "is used by 1 training job" in response.content.decode()
    assert Algorithm.objects.filter(pk=algorithm.pk).exists()


# --- detail ------------------------------------------------------------------------------------


def test_detail_shows_table_metric_and_failure_reason(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(
            owner=alice,
            spec=valid_spec(boot_file="main.py"),
            code=zip_upload({"train.py": b"print(1)\n"}),
        )
    page = alice_client.get(reverse("algorithms:detail", args=[algorithm.pk])).content.decode()
    assert "--epochs" in page and "[1, 50]" in page and "one of adam, sgd" in page
    assert "Boot file &#x27;main.py&#x27; was not found" in page
    assert "tpe_search" in page and "gamma=0.25" in page


def test_detail_with_an_empty_table_offers_the_scripts_options_without_denying_them(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    script = (
        b"import argparse\n"
        b"p = argparse.ArgumentParser()\n"
        b"p.add_argument('--lr', type=float)\n"
        b"p.parse_args()\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(
            owner=alice,
            spec=valid_spec(hyperparameters=[], auto_search=False),
            code=py_upload(content=script),
        )
    page = alice_client.get(reverse("algorithms:detail", args=[algorithm.pk])).content.decode()
    assert "lists 1 option; not in the table: <code>--lr</code>" in page
    assert "The hyperparameter table is empty: jobs pass no options to the script." in page
    assert "takes no hyperparameters" not in page


# --- regex helpers ----------------------------------------------------------------------------


def test_regex_generate_offers_candidates_from_the_log(alice_client: Client) -> None:
    log = "epoch 1 accuracy=0.5 val_accuracy=0.4\n{'accuracy': 0.7}\n"
    response = alice_client.post(
        reverse("algorithms:regex_generate"), {"metric_name": "accuracy", "sample_log": log}
    )
    candidates = response.json()["candidates"]
    assert len(candidates) >= 2
    assert {m["value"] for c in candidates for m in c["matches"]} == {0.5, 0.7}


def test_regex_generate_refuses_an_empty_name(alice_client: Client) -> None:
    response = alice_client.post(reverse("algorithms:regex_generate"), {"metric_name": " "})
    assert response.status_code == 400
    assert response.json() == {"error": "Enter the metric name."}


def test_regex_test_shows_matched_lines_and_values(alice_client: Client) -> None:
    log = "start\nepoch 1 accuracy=0.5\nloss nan\nepoch 2 accuracy=nan\n"
    response = alice_client.post(
        reverse("algorithms:regex_test"),
        {"pattern": r"accuracy=([0-9.]+|nan)", "sample_log": log},
    )
    body = json.loads(response.content)  # strict JSON: no NaN literal
    assert body["count"] == 2
    assert [(m["line_no"], m["value"]) for m in body["matches"]] == [(2, 0.5), (4, "nan")]


def test_regex_test_says_when_it_looked_at_part_of_a_long_log(alice_client: Client) -> None:
    from algorithms.metric_regex import TEST_MAX_LINES

    total = TEST_MAX_LINES + 10
    response = alice_client.post(
        reverse("algorithms:regex_test"),
        {"pattern": r"acc=(\d+)", "sample_log": "acc=1\n" * total},
    )
    body = response.json()
    assert body["truncated"] is True
    assert (body["scanned"], body["lines"]) == (TEST_MAX_LINES, total)
    assert body["note"] == f"stopped after {TEST_MAX_LINES} of {total} lines: size limit"


def test_regex_test_refuses_a_pathological_pattern(alice_client: Client) -> None:
    response = alice_client.post(
        reverse("algorithms:regex_test"), {"pattern": "(a+)+$", "sample_log": "aaaa"}
    )
    assert response.status_code == 400
    assert "exponential time" in response.json()["error"]


# --- formatting, placeholders, engine, list ---------------------------------------------------


@pytest.mark.parametrize(
    ("value", "shown"),
    [(1.0, "1"), (0.25, "0.25"), (-3.0, "-3"), (1e-05, "1e-05"), (1e16, "1e+16"),
     (2, "2"), (True, "true"), (None, ""), ("1.0", "1.0")],
)
def test_input_value_formats_floats_without_a_trailing_zero(value: Any, shown: str) -> None:
    from algorithms.spec_display import display_value, format_float
    from algorithms.templatetags.algorithm_format import input_value

    assert display_value(value) == shown
    assert input_value(value) == shown
    if isinstance(value, float):
        assert format_float(value) == shown
        assert float(shown) == value  # still the same number


def test_float_typed_as_1_comes_back_as_1_on_edit_and_after_a_refusal(
    alice: Any, alice_client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    hps = [{"name": "lr", "type": "float", "default": 1, "min": 0, "max": 2}]
    algorithm = _make(alice, django_capture_on_commit_callbacks, hyperparameters=hps)
    page = alice_client.get(reverse("algorithms:edit", args=[algorithm.pk])).content.decode()
    assert 'name="hp-0-default" value="1"' in page
    assert 'name="hp-0-min" value="0"' in page and 'name="hp-0-max" value="2"' in page
    assert "1.0" not in page.split('data-testid="hp-table"')[1].split("</table>")[0]

    refused = _form_post(name="bad name!", **{"hp-0-default": "1", "hp-0-max": "2"})
    page = alice_client.post(reverse("algorithms:create"), refused).content.decode()
    assert 'name="hp-0-default" value="1"' in page


def test_enumeration_placeholder_only_on_str_rows(alice_client: Client) -> None:
    data = _form_post(
        name="bad name!",
        **{"hp-2-name": "shuffle", "hp-2-type": "bool", "hp-2-default": "true"},
    )
    page = alice_client.post(reverse("algorithms:create"), data).content.decode()
    rows = page.split('data-testid="hp-row"')[1:4]  # float, str, bool
    float_row, str_row, bool_row = rows
    assert 'placeholder="adam, sgd"' in str_row
    assert 'placeholder="adam, sgd"' not in float_row and 'placeholder="adam, sgd"' not in bool_row
    assert 'placeholder="0.001"' in float_row  # numbers hint at their range instead
    assert 'placeholder="0.001"' not in bool_row and 'placeholder="0.001"' not in str_row


def test_engine_path_is_shown_to_staff_only(
    alice: Any, staff: Any, client: Client, django_capture_on_commit_callbacks: Any
) -> None:
    engine = Engine.default()  # as bootstrap makes it
    algorithm = _make(alice, django_capture_on_commit_callbacks)
    assert algorithm.engine == engine
    url = reverse("algorithms:detail", args=[algorithm.pk])
    path = engine.python_path
    client.force_login(alice)
    page = client.get(url).content.decode()
    assert algorithm.engine.name in page and path not in page
    client.force_login(staff)
    assert path in client.get(url).content.decode()


def test_list_filters_by_status_and_keeps_created_on_one_line(
    alice: Any, alice_client: Client
) -> None:
    Algorithm.objects.create(owner=alice, name="ok", boot_file="t.py", status="ready")
    Algorithm.objects.create(owner=alice, name="broken", boot_file="t.py", status="failed")
    response = alice_client.get(reverse("algorithms:list"), {"status": "failed"})
    assert [a.name for a in response.context["page"].object_list] == ["broken"]
    assert 'td class="nowrap"' in response.content.decode()
    # An unknown status is ignored rather than answering an empty list.
    response = alice_client.get(reverse("algorithms:list"), {"status": "bogus"})
    assert len(response.context["page"].object_list) == 2


def test_edit_choosing_upload_without_a_file_keeps_nothing_silently(
    alice: Any, alice_client: Client, settings: Any, tmp_path: Any,
    django_capture_on_commit_callbacks: Any,
) -> None:
    (tmp_path / "proj").mkdir()
    (tmp_path / "proj" / "train.py").write_text("print('accuracy=1')\n")
    settings.ALGORITHM_SERVER_ROOTS = [tmp_path]
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(
            owner=alice, spec=valid_spec(), server_path=str(tmp_path / "proj")
        )
    data = _form_post(name="mnist-mlp", code_source="upload")
    response = alice_client.post(reverse("algorithms:edit", args=[algorithm.pk]), data)
    assert response.status_code == 400
    assert "Choose a file to upload, or keep the server folder." in response.content.decode()
    algorithm.refresh_from_db()
    assert algorithm.code_source == Algorithm.CodeSource.SERVER_PATH
    assert algorithm.description == "A small network"  # nothing was saved
    # Keeping the server folder still saves.
    data = _form_post(
        name="mnist-mlp", code_source="server_path", server_path=algorithm.server_path
    )
    response = alice_client.post(reverse("algorithms:edit", args=[algorithm.pk]), data)
    assert response.status_code == 302


def test_oversized_sample_log_gets_a_message_and_everything_else_is_kept(
    alice: Any, alice_client: Client
) -> None:
    log = "epoch 1 accuracy=0.5\n" * 600_000  # 12.6 MB, more than the old 10 MiB limit
    response = alice_client.post(
        reverse("algorithms:create"), _form_post(code=py_upload(), sample_log=log)
    )
    assert response.status_code == 400
    assert "million characters" in response.context["errors"]["sample_log"][0]
    assert response.context["raw"]["name"] == "cifar"
    assert response.context["raw"]["metric"]["regex"] == REGEX
    assert response.context["pending_token"]  # the upload is kept too
    assert not Algorithm.objects.exists()


def test_no_match_warning_is_shown_with_a_confirm_box_and_confirming_saves(
    alice: Any, alice_client: Client
) -> None:
    data = _form_post(code=py_upload(), sample_log="step 1 acc 0.5\n")
    response = alice_client.post(reverse("algorithms:create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'data-testid="confirm-no-match"' in page and "reads no value" in page
    token = response.context["pending_token"]
    data = _form_post(sample_log="step 1 acc 0.5\n", pending_code=token, confirm_no_match="true")
    assert alice_client.post(reverse("algorithms:create"), data).status_code == 302
    algorithm = Algorithm.objects.get(owner=alice)
    assert algorithm.sample_log == "step 1 acc 0.5\n"
    edit = alice_client.get(reverse("algorithms:edit", args=[algorithm.pk])).content.decode()
    assert "step 1 acc 0.5" in edit  # the tester can run it again on edit
