"""The script checks itself: --help on the worker, and the table read from argparse/click."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from rest_framework.test import APIClient

from algorithms import services
from algorithms.help_text import parse_help
from algorithms.models import Algorithm
from algorithms.script_help import read_options, run_help
from tests.algorithms.helpers import py_upload, valid_spec

pytestmark = pytest.mark.django_db

ARGPARSE = b'''import argparse
p = argparse.ArgumentParser(formatter_class=argparse.ArgumentDefaultsHelpFormatter)
p.add_argument("--learning-rate", type=float, default=0.01, help="step size of the optimiser")
p.add_argument("--epochs", type=int, required=True,
               help="passes over the data, described at a length that makes argparse "
                    "wrap it onto the next line")
p.add_argument("--optimizer", choices=["adam", "sgd"], default="adam", help="which optimiser")
p.add_argument("--batch", type=int, choices=[16, 32, 64], default=32, help="batch size")
p.add_argument("--shuffle", action="store_true", help="shuffle each epoch")
p.add_argument("--data_url", default=None, help="data")
p.add_argument("--train_url", default=None, help="output")
p.parse_args()
print("accuracy=0.9")
'''

CLICK = b'''import click

@click.command()
@click.option("--lr", type=float, default=0.1, show_default=True, help="learning rate")
@click.option("--epochs", type=int, required=True, help="epochs")
@click.option("--optimizer", type=click.Choice(["adam", "sgd"]), default="sgd", show_default=True)
@click.option("--shuffle/--no-shuffle", default=True, show_default=True, help="shuffle")
@click.option("--verbose", is_flag=True, help="talk more")
def main(lr, epochs, optimizer, shuffle, verbose):
    print("accuracy=0.9")

main()
'''


def _rows(script: bytes, tmp_path: Path, *, printed_only: bool = False) -> list[tuple[Any, ...]]:
    """The rows the console reads (from the captured parser), or with ``printed_only``
    from the printed help alone (the fallback)."""
    (tmp_path / "train.py").write_bytes(script)
    result = run_help(sys.executable, tmp_path, "train.py")
    assert result.refused == "" and not result.timed_out
    options = (
        parse_help(result.output) if printed_only else read_options(result.output, result.captured)
    )
    return [
        (r["name"], r["type"], r["default"], r["choices"], r["required"])
        for r in options.hyperparameters
    ]


@pytest.mark.parametrize("printed_only", [False, True], ids=["captured", "printed"])
def test_argparse_help_gives_names_types_defaults_choices_and_required(
    tmp_path: Path, printed_only: bool
) -> None:
    assert _rows(ARGPARSE, tmp_path, printed_only=printed_only) == [
        ("learning-rate", "float", 0.01, [], False),
        ("epochs", "int", None, [], True),  # shown by the shim: argparse's help does not
        ("optimizer", "str", "adam", ["adam", "sgd"], False),
        ("batch", "int", 32, [16, 32, 64], False),
        ("shuffle", "bool", False, [], False),
    ]
    (tmp_path / "train.py").write_bytes(ARGPARSE)
    result = run_help(sys.executable, tmp_path, "train.py")
    options = read_options(result.output, result.captured)
    assert options.source == "argparse"
    assert options.accepts_data_urls and options.as_dict()["bool_style"] == "flag"
    assert options.hyperparameters[1]["description"].endswith("wrap it onto the next line")


def test_click_help_gives_types_defaults_choices_and_required(tmp_path: Path) -> None:
    assert _rows(CLICK, tmp_path) == [
        ("lr", "float", 0.1, [], False),
        ("epochs", "int", None, [], True),
        ("optimizer", "str", "sgd", ["adam", "sgd"], False),
        ("no-shuffle", "bool", False, [], False),  # on by default: read as its off switch
        ("verbose", "bool", False, [], False),
    ]


CLICK_TOGGLES = b'''import json

import click

@click.command()
@click.option("--lr", type=float, default=0.1, help="learning rate")
@click.option("--shuffle/--no-shuffle", default=True, show_default=True, help="shuffle")
@click.option("--amp/--no-amp", default=True, help="mixed precision")
@click.option("--augment/--no-augment", default=False, help="random crops")
@click.option("--fast/--slow", default=True, help="speed")
def main(lr, shuffle, amp, augment, fast):
    print(json.dumps({"lr": lr, "shuffle": shuffle, "amp": amp, "augment": augment,
                      "fast": fast}))

main()
'''

ARGPARSE_TOGGLES = b'''import argparse
import json

p = argparse.ArgumentParser()  # the plain formatter: no defaults in its help
p.add_argument("--lr", type=float, default=0.1, help="learning rate")
p.add_argument("--shuffle", action=argparse.BooleanOptionalAction, default=True,
               help="shuffle")
p.add_argument("--augment", action=argparse.BooleanOptionalAction, default=False,
               help="random crops")
p.add_argument("--no-cuda", dest="cuda", action="store_false", help="run on the CPU")
print(json.dumps(vars(p.parse_args())))
'''


def _argv_output(script: bytes, tmp_path: Path, values: dict[str, Any]) -> dict[str, Any]:
    """What the script parsed from a trial's command line built from the imported table."""
    from trainingjobs.command import build_argv

    (tmp_path / "train.py").write_bytes(script)
    result = run_help(sys.executable, tmp_path, "train.py")
    options = read_options(result.output, result.captured)
    types = {r["name"]: r["type"] for r in options.hyperparameters}
    argv = build_argv(
        python=sys.executable, boot_file="train.py", values=values, types=types,
        argument_style=options.as_dict()["argument_style"],
        bool_style=options.as_dict()["bool_style"], data_url=None, train_url=None, context={},
    )
    done = subprocess.run(argv, cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    parsed: dict[str, Any] = json.loads(done.stdout)
    return parsed


def test_click_toggles_are_flags_with_the_script_default(tmp_path: Path) -> None:
    assert _rows(CLICK_TOGGLES, tmp_path) == [
        ("lr", "float", 0.1, [], False),
        ("no-shuffle", "bool", False, [], False),
        ("no-amp", "bool", False, [], False),  # on by default, though its help does not say
        ("augment", "bool", False, [], False),
        ("slow", "bool", False, [], False),  # --fast/--slow: the other name is the off switch
    ]
    options = parse_help(run_help(sys.executable, tmp_path, "train.py").output)
    assert options.as_dict()["bool_style"] == "flag"
    assert options.hyperparameters[1]["description"] == (
        "shuffle (true passes --no-shuffle; the script's default is --shuffle)"
    )


def test_click_toggles_reach_the_script_both_ways(tmp_path: Path) -> None:
    defaults = {"no-shuffle": False, "no-amp": False, "augment": False, "slow": False}
    assert _argv_output(CLICK_TOGGLES, tmp_path, {"lr": 0.2, **defaults}) == {
        "lr": 0.2, "shuffle": True, "amp": True, "augment": False, "fast": True
    }
    flipped = {"no-shuffle": True, "no-amp": True, "augment": True, "slow": True}
    assert _argv_output(CLICK_TOGGLES, tmp_path, {"lr": 0.2, **flipped}) == {
        "lr": 0.2, "shuffle": False, "amp": False, "augment": True, "fast": False
    }


def test_argparse_boolean_optional_actions_are_flags_with_the_script_default(
    tmp_path: Path,
) -> None:
    assert _rows(ARGPARSE_TOGGLES, tmp_path) == [
        ("lr", "float", 0.1, [], False),  # type and default shown by the shim
        ("no-shuffle", "bool", False, [], False),
        ("augment", "bool", False, [], False),
        ("no-cuda", "bool", False, [], False),  # store_false: not passed by default
    ]
    assert _argv_output(
        ARGPARSE_TOGGLES, tmp_path, {"no-shuffle": True, "augment": True, "no-cuda": False}
    ) == {"lr": 0.1, "shuffle": False, "augment": True, "cuda": True}
    assert _argv_output(
        ARGPARSE_TOGGLES, tmp_path, {"no-shuffle": False, "augment": False, "no-cuda": True}
    ) == {"lr": 0.1, "shuffle": True, "augment": False, "cuda": False}


def test_help_sees_modules_beside_a_boot_file_in_a_subfolder(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "options.py").write_text("HELP = 'from a sibling module'\n")
    (tmp_path / "src" / "train.py").write_text(
        "import argparse\nimport options\n"
        "p = argparse.ArgumentParser()\np.add_argument('--lr', type=float, help=options.HELP)\n"
        "p.parse_args()\n"
    )
    result = run_help(sys.executable, tmp_path, "src/train.py")
    assert result.refused == ""
    assert parse_help(result.output).hyperparameters[0]["description"] == "from a sibling module"


def test_import_error_is_reported_not_run(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import no_such_package_xyz\n")
    result = run_help(sys.executable, tmp_path, "train.py")
    assert result.refused == (
        "Running train.py --help failed: "
        "ModuleNotFoundError: No module named 'no_such_package_xyz'"
    )


def test_script_that_ignores_help_and_hangs_is_not_refused(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_text("import time\ntime.sleep(30)\n")
    result = run_help(sys.executable, tmp_path, "train.py", timeout=0.5)
    assert result.timed_out and result.refused == ""


def test_help_runs_without_the_console_environment(tmp_path: Path, monkeypatch: Any) -> None:
    monkeypatch.setenv("SECRET_KEY", "do-not-leak")
    (tmp_path / "train.py").write_text("import os\nprint(os.environ.get('SECRET_KEY'))\n")
    assert run_help(sys.executable, tmp_path, "train.py").output.strip() == "None"


def test_package_whose_script_cannot_import_fails_validation(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    code = py_upload(content=b"import no_such_package_xyz\nprint('accuracy=1')\n")
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(owner=alice, spec=valid_spec(), code=code)
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.FAILED
    assert "No module named 'no_such_package_xyz'" in algorithm.status_reason


NO_HELP_TEXT = b'''import argparse

def str_to_bool(text):
    return text.lower() in ("true", "1")

p = argparse.ArgumentParser()  # the plain formatter, and no help= on most options
p.add_argument("--epochs", type=int, default=30)
p.add_argument("--schedule", choices=["constant", "invscaling"], default="invscaling")
p.add_argument("--batch", type=int, choices=[16, 32], default=32)
p.add_argument("--average", type=str_to_bool, default=False)
p.add_argument("--amp", action=argparse.BooleanOptionalAction, default=True)
p.add_argument("--layers", type=int, nargs="+", default=[64, 64])
p.add_argument("--width", type=int, choices=range(1, 5001), default=64)
p.add_argument("--rate", default="0.5")
p.add_argument("--secret", type=int, default=3, help=argparse.SUPPRESS)
p.add_argument("-v", action="count", default=0)
p.add_argument("config", nargs="?")
p.parse_args()
'''


def test_every_option_keeps_its_type_default_and_choices_without_help_text(
    tmp_path: Path,
) -> None:
    (tmp_path / "train.py").write_bytes(NO_HELP_TEXT)
    result = run_help(sys.executable, tmp_path, "train.py")
    # Plain argparse prints no default for an option without help text; the shim does.
    assert "--epochs EPOCHS       (default: 30) [type: int]" in result.output
    options = read_options(result.output, result.captured)
    assert options.source == "argparse"
    assert [
        (r["name"], r["type"], r["default"], r["min"], r["max"], r["choices"])
        for r in options.hyperparameters
    ] == [
        ("epochs", "int", 30, None, None, []),
        ("schedule", "str", "invscaling", None, None, ["constant", "invscaling"]),
        ("batch", "int", 32, None, None, [16, 32]),
        ("average", "bool", False, None, None, []),  # a value: --average=true
        ("no-amp", "bool", False, None, None, []),  # on by default: its off switch
        ("layers", "int", None, None, None, []),  # a list: one value per trial
        ("width", "int", 64, 1, 5000, []),  # a long range of choices: a min/max range
        ("rate", "str", "0.5", None, None, []),  # no type: the script gets a string
    ]
    assert options.known["epochs"] >= {"type", "default"}
    assert "type" not in options.known["rate"]
    assert [(o.option, o.reason) for o in options.left_out] == [
        ("--secret", "hidden from --help (help=SUPPRESS)"),
        ("-v", "a short option only: a trial passes long options (--name=value)"),
        ("config", "a positional argument: a trial passes options only (--name=value)"),
    ]
    assert options.as_dict()["bool_style"] == "flag"  # --no-amp takes no value


def test_printed_help_is_read_when_the_parser_was_not_captured(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_bytes(ARGPARSE)
    result = run_help(sys.executable, tmp_path, "train.py")
    for captured in ({}, {"parser": "argparse", "options": "not a list"}, ["junk"]):
        options = read_options(result.output, captured)
        assert options.source == "help text"
        assert options.names() == ["learning-rate", "epochs", "optimizer", "batch", "shuffle"]


def test_a_script_without_argparse_captures_nothing(tmp_path: Path) -> None:
    (tmp_path / "train.py").write_bytes(CLICK)
    result = run_help(sys.executable, tmp_path, "train.py")
    assert result.captured == {}
    assert read_options(result.output, result.captured).source == "help text"


def test_digits_example_options_all_have_their_types_and_defaults() -> None:
    folder = Path(__file__).resolve().parents[2] / "examples" / "digits_sgd"
    result = run_help(sys.executable, folder, "train.py", timeout=120)
    options = read_options(result.output, result.captured)
    assert [(r["name"], r["type"], r["default"]) for r in options.hyperparameters] == [
        ("eta0", "float", 0.01),
        ("alpha", "float", 0.0001),
        ("schedule", "str", "invscaling"),
        ("penalty", "str", "l2"),
        ("epochs", "int", 30),
        ("average", "bool", False),
        ("seed", "int", 0),
    ]
    assert options.accepts_data_urls and options.as_dict()["bool_style"] == "true_false"
    assert [o.option for o in options.left_out] == ["--data_url", "--train_url"]


def test_package_check_keeps_the_captured_parser(
    alice: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(
            owner=alice, spec=valid_spec(), code=py_upload(content=NO_HELP_TEXT)
        )
    algorithm.refresh_from_db()
    assert algorithm.status == Algorithm.Status.READY
    assert algorithm.script_arguments["parser"] == "argparse"
    assert read_options(algorithm.script_help, algorithm.script_arguments).known["epochs"]


def test_api_gives_the_table_from_help(
    alice: Any, alice_api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(
            owner=alice, spec=valid_spec(), code=py_upload(content=CLICK)
        )
    body = alice_api.get(f"/api/v1/algorithms/{algorithm.pk}/script-options/").json()
    assert [r["name"] for r in body["hyperparameters"]] == [
        "lr", "epochs", "optimizer", "no-shuffle", "verbose"
    ]
    assert body["bool_style"] == "flag" and "Usage:" in body["help"]
    assert body["read_from"] == "help text" and body["left_out"] == []


def test_api_names_the_options_that_are_not_rows(
    alice: Any, alice_api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        algorithm = services.algorithm_create(
            owner=alice, spec=valid_spec(), code=py_upload(content=ARGPARSE)
        )
    body = alice_api.get(f"/api/v1/algorithms/{algorithm.pk}/script-options/").json()
    assert body["read_from"] == "argparse"
    assert [item["option"] for item in body["left_out"]] == ["--data_url", "--train_url"]
    assert body["left_out"][0]["reason"].startswith("a data location")
