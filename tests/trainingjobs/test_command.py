"""The command line and environment of a trial (pure functions; the real-script checks that
these reach a script as intended are in test_runner.py)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from trainingjobs.command import (
    PLACEHOLDERS,
    THREAD_VARS,
    PlaceholderError,
    build_argv,
    check_placeholders,
    fill_placeholders,
    render_value,
    slot_env,
    threads_per_trial,
    trial_env,
)

CONTEXT = {
    "trial_dir": "/w/jobs/3/trials/7",
    "output_dir": "/w/out/7",
    "trial_id": "7",
    "job_id": "3",
    "data_dir": "/w/data",
}


def argv(values: dict[str, Any], types: dict[str, str], **options: Any) -> list[str]:
    defaults: dict[str, Any] = {
        "python": "/usr/bin/python3",
        "boot_file": "train.py",
        "argument_style": "equals",
        "bool_style": "true_false",
        "data_url": None,
        "train_url": None,
        "context": CONTEXT,
    }
    return build_argv(values=values, types=types, **{**defaults, **options})


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2, "2"), (2.0, "2"), (np.int64(64), "64"), (np.float64(3.0), "3"), (-5, "-5")],
)
def test_ints_render_without_a_decimal_point(value: Any, expected: str) -> None:
    assert render_value(value, "int") == expected


@pytest.mark.parametrize("value", [2.5, True, "2", float("nan")])
def test_int_refuses_what_is_not_a_whole_number(value: Any) -> None:
    with pytest.raises(ValueError, match="int hyperparameter"):
        render_value(value, "int")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.1, "0.1"),
        (0.1 + 0.2, "0.30000000000000004"),
        (1e-05, "1e-05"),
        (3, "3.0"),
        (np.float64(0.001), "0.001"),
        (float("inf"), "inf"),
        (float("nan"), "nan"),
    ],
)
def test_floats_render_in_full_precision(value: Any, expected: str) -> None:
    assert render_value(value, "float") == expected


@pytest.mark.parametrize("value", ["0.1", True])
def test_float_refuses_text_and_bools(value: Any) -> None:
    with pytest.raises(ValueError, match="float hyperparameter"):
        render_value(value, "float")


@pytest.mark.parametrize(
    ("style", "true", "false"),
    [("true_false", "true", "false"), ("one_zero", "1", "0"), ("flag", "", None)],
)
def test_bools_render_per_style(style: str, true: str, false: str | None) -> None:
    assert render_value(True, "bool", bool_style=style) == true
    assert render_value(False, "bool", bool_style=style) == false
    assert render_value(np.bool_(True), "bool", bool_style=style) == true


def test_unknown_type_style_or_bool_value_is_refused() -> None:
    with pytest.raises(ValueError, match="hp_type"):
        render_value(1, "complex")
    with pytest.raises(ValueError, match="bool_style"):
        render_value(True, "bool", bool_style="yes_no")
    with pytest.raises(ValueError, match="true or false"):
        render_value("yes", "bool")


def test_none_means_the_option_is_left_out() -> None:
    assert render_value(None, "float") is None
    assert argv({"lr": 0.1, "momentum": None}, {"lr": "float", "momentum": "float"}) == [
        "/usr/bin/python3",
        "train.py",
        "--lr=0.1",
    ]


def test_argv_keeps_table_order_in_equals_style() -> None:
    values = {"lr": 0.01, "epochs": 2.0, "optimizer": "adam w", "amp": False}
    types = {"lr": "float", "epochs": "int", "optimizer": "str", "amp": "bool"}
    assert argv(values, types) == [
        "/usr/bin/python3",
        "train.py",
        "--lr=0.01",
        "--epochs=2",
        "--optimizer=adam w",
        "--amp=false",
    ]


def test_argv_in_space_style_with_flag_bools() -> None:
    values = {"epochs": 2, "shuffle": True, "amp": False, "lr": -0.5}
    types = {"epochs": "int", "shuffle": "bool", "amp": "bool", "lr": "float"}
    assert argv(values, types, argument_style="space", bool_style="flag")[2:] == [
        "--epochs",
        "2",
        "--shuffle",
        "--lr",
        "-0.5",
    ]


def test_data_urls_are_passed_only_when_given() -> None:
    types = {"lr": "float"}
    assert argv({"lr": 0.1}, types)[2:] == ["--lr=0.1"]
    assert argv({"lr": 0.1}, types, data_url="s3://d", train_url="/out")[2:] == [
        "--lr=0.1",
        "--data_url=s3://d",
        "--train_url=/out",
    ]
    assert argv({}, {}, argument_style="space", train_url="/out")[2:] == ["--train_url", "/out"]


def test_argv_refuses_an_unknown_style_or_a_name_without_type() -> None:
    with pytest.raises(ValueError, match="argument_style"):
        argv({}, {}, argument_style="colon")
    with pytest.raises(ValueError, match="'lr'"):
        argv({"lr": 0.1}, {})


def test_placeholders_are_filled_in_str_values_only() -> None:
    values = {"checkpoint": "{trial_dir}/ckpt", "tag": "job{job_id}-trial{trial_id}", "n": 3}
    types = {"checkpoint": "str", "tag": "str", "n": "int"}
    assert argv(values, types)[2:] == [
        "--checkpoint=/w/jobs/3/trials/7/ckpt",
        "--tag=job3-trial7",
        "--n=3",
    ]


def test_every_placeholder_is_filled() -> None:
    text = " ".join(f"{{{name}}}" for name in PLACEHOLDERS)
    check_placeholders(text)
    assert fill_placeholders(text, CONTEXT) == " ".join(CONTEXT[name] for name in PLACEHOLDERS)


def test_doubled_braces_are_literal_braces() -> None:
    check_placeholders('{{"depth": 3}}')
    assert fill_placeholders('{{"dir": "{output_dir}"}}', CONTEXT) == '{"dir": "/w/out/7"}'


def test_unknown_placeholder_is_named() -> None:
    with pytest.raises(PlaceholderError, match=r"Unknown placeholder \{trial_folder\}") as info:
        check_placeholders("--ckpt={trial_folder}/x")
    assert info.value.name == "trial_folder"
    assert "{trial_dir}" in str(info.value) and "{{" in str(info.value)
    with pytest.raises(PlaceholderError, match=r"\{trial_folder\}"):
        argv({"ckpt": "{trial_folder}"}, {"ckpt": "str"})


@pytest.mark.parametrize("text", ["{trial_dir.__class__}", "{trial_dir!r}", "{0}", "{}"])
def test_format_fields_are_not_placeholders(text: str) -> None:
    # Never str.format: a value must not reach into Python objects.
    with pytest.raises(PlaceholderError, match="Unknown placeholder"):
        fill_placeholders(text, CONTEXT)


@pytest.mark.parametrize("text", ['{"depth": 3}', "a}b", "{trial_dir"])
def test_lone_braces_are_refused(text: str) -> None:
    with pytest.raises(PlaceholderError, match="write \\{\\{ and \\}\\}"):
        check_placeholders(text)


def test_known_placeholder_without_a_value_is_refused() -> None:
    with pytest.raises(PlaceholderError, match=r"No value for placeholder \{data_dir\}"):
        fill_placeholders("{data_dir}", {"trial_dir": "/t"})


def env(**options: Any) -> dict[str, str]:
    defaults: dict[str, Any] = {
        "job_id": 3,
        "trial_id": 7,
        "data_url": None,
        "train_url": None,
        "threads": 4,
        "slot": 1,
        "slot_template": "",
        "algorithm_sets": (),
    }
    base = options.pop("base", {"PATH": "/usr/bin", "OMP_NUM_THREADS": "64"})
    return trial_env(base, **{**defaults, **options})


def test_trial_env_always_has_ids_and_urls() -> None:
    made = env(train_url="/out/7")
    assert made["PATH"] == "/usr/bin"
    assert (made["DATA_URL"], made["TRAIN_URL"]) == ("", "/out/7")
    assert (made["TRIAL_ID"], made["JOB_ID"]) == ("7", "3")
    assert made["PYTHONUNBUFFERED"] == "1"


def test_thread_vars_are_set_unless_the_algorithm_sets_them() -> None:
    assert {name: env()[name] for name in THREAD_VARS} == dict.fromkeys(THREAD_VARS, "4")
    made = env(algorithm_sets=["OMP_NUM_THREADS"])
    assert made["OMP_NUM_THREADS"] == "64"
    assert made["MKL_NUM_THREADS"] == "4"


def test_threads_are_cores_divided_by_concurrent_trials() -> None:
    assert threads_per_trial(2, cores=8) == 4
    assert threads_per_trial(3, cores=8) == 2
    assert threads_per_trial(16, cores=8) == 1
    assert threads_per_trial(1) >= 1
    with pytest.raises(ValueError, match="threads"):
        env(threads=0)


def test_slot_template_gives_each_slot_its_device() -> None:
    made = env(slot=1, slot_template="CUDA_VISIBLE_DEVICES={slot}")
    assert made["CUDA_VISIBLE_DEVICES"] == "1"
    assert slot_env("A={slot} ; B=gpu{slot}-{{x}}", 0) == {"A": "0", "B": "gpu0-{x}"}
    assert slot_env("", 5) == {}


@pytest.mark.parametrize(
    ("template", "error"),
    [("CUDA_VISIBLE_DEVICES", ValueError), ("1X=2", ValueError), ("A={gpu}", PlaceholderError)],
)
def test_bad_slot_template_is_refused(template: str, error: type[Exception]) -> None:
    with pytest.raises(error):
        slot_env(template, 0)
