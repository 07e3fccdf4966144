"""The example algorithms run for real, as a trial would run them: ``python train.py --k=v``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
# Per example: the hyperparameter that sets how many metric lines are printed, a small value
# for it, and a line of its real output with the value the metric regex must capture.
SHORT_RUNS = {
    "digits_mlp": ("epochs", 3, "epoch 2/3 loss=0.5 accuracy=0.9132 val_accuracy=0.9021", 0.9021),
    "gbdt_breast_cancer": (
        "n_estimators",
        5,
        '{"round": 5, "train_logloss": 0.3, "valid_logloss": 0.41, "valid_auc": 0.93}',
        0.41,
    ),
    "sgd_diabetes": ("iterations", 4, "Iter 004 | train_rmse: 54.1 | val_rmse: 5.7e+01", 57.0),
    "digits_sgd": (
        "epochs",
        3,
        "2026-11-30 07:15:02,118 INFO digits-sgd: epoch 3/3 - loss: 0.41 - val_loss: 0.463 - "
        "val_acc: 0.93",
        0.463,
    ),
}
HP_KEYS = {"name", "type", "default", "min", "max", "choices", "required", "description"}
TYPES = {"float": (int, float), "int": (int,), "str": (str,), "bool": (bool,)}


def load_spec(name: str) -> dict[str, Any]:
    return json.loads((EXAMPLES / name / "algorithm.json").read_text())


def trial_args(spec: dict[str, Any], **overrides: object) -> list[str]:
    values = {hp["name"]: hp["default"] for hp in spec["hyperparameters"]} | overrides
    return [f"--{name}={value}" for name, value in values.items()]


def run(name: str, args: list[str]) -> subprocess.CompletedProcess[str]:
    boot = load_spec(name)["boot_file"]
    return subprocess.run(
        [sys.executable, boot, *args],
        cwd=EXAMPLES / name,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_every_example_has_a_short_run() -> None:
    found = {p.parent.name for p in EXAMPLES.glob("*/algorithm.json")}

    assert found == set(SHORT_RUNS)


@pytest.mark.parametrize("name", sorted(SHORT_RUNS))
def test_algorithm_json_is_consistent(name: str) -> None:
    spec = load_spec(name)

    assert (EXAMPLES / name / spec["boot_file"]).is_file()
    assert spec["auto_search"] is True
    assert {a["name"] for a in spec["search_algorithms"]} == {"tpe", "random"}
    assert spec["metric"]["goal"] in ("maximize", "minimize")
    assert re.compile(spec["metric"]["regex"]).groups == 1
    for hp in spec["hyperparameters"]:
        assert set(hp) == HP_KEYS, hp["name"]
        assert isinstance(hp["default"], TYPES[hp["type"]]), hp["name"]
        if hp["type"] in ("int", "float"):
            assert hp["min"] <= hp["default"] <= hp["max"], hp["name"]
        if hp["choices"] is not None:
            assert hp["default"] in hp["choices"], hp["name"]


@pytest.mark.parametrize("name", sorted(SHORT_RUNS))
def test_metric_regex_captures_only_the_metric(name: str) -> None:
    regex = re.compile(load_spec(name)["metric"]["regex"])
    _, _, line, expected = SHORT_RUNS[name]

    assert [float(v) for v in regex.findall(line)] == [expected]


def test_digits_regex_does_not_take_training_accuracy() -> None:
    regex = re.compile(load_spec("digits_mlp")["metric"]["regex"])

    assert regex.findall("epoch 1/3 loss=0.5 accuracy=0.91") == []
    assert regex.findall("epoch 1/3 my_val_accuracy=0.5 x.val_accuracy=0.4") == []


@pytest.mark.parametrize("name", sorted(SHORT_RUNS))
def test_example_trains_and_reports_one_metric_per_step(name: str, tmp_path: Path) -> None:
    spec = load_spec(name)
    steps_param, steps, _, _ = SHORT_RUNS[name]
    out = tmp_path / "train_out"

    result = run(name, [*trial_args(spec, **{steps_param: steps}), f"--train_url={out}"])

    assert result.returncode == 0, result.stderr
    # Some report on stdout, some through logging on stderr; a trial reads both.
    values = [float(v) for v in re.findall(spec["metric"]["regex"], result.stdout + result.stderr)]
    assert len(values) == steps
    metric = spec["metric"]["name"]
    final = json.loads((out / "metrics.json").read_text())[metric]
    assert values[-1] == pytest.approx(final, abs=1e-4)  # the last line is the saved result
    assert (out / "model.pkl").stat().st_size > 0


@pytest.mark.parametrize("name", sorted(SHORT_RUNS))
def test_bad_hyperparameter_exits_non_zero_with_message(name: str) -> None:
    steps_param = SHORT_RUNS[name][0]

    result = run(name, [f"--{steps_param}=abc"])

    assert result.returncode != 0
    assert f"--{steps_param}" in result.stderr and "invalid int value" in result.stderr
    assert result.stdout == ""


def test_out_of_range_value_is_refused() -> None:
    result = run("gbdt_breast_cancer", ["--subsample=1.5"])

    assert result.returncode == 2
    assert "--subsample must be in (0, 1]" in result.stderr


def test_digits_sgd_curve_is_long_enough_for_early_termination() -> None:
    spec = load_spec("digits_sgd")

    result = run("digits_sgd", trial_args(spec))

    assert result.returncode == 0, result.stderr
    assert result.stdout == ""  # it reports through logging, on stderr
    values = [float(v) for v in re.findall(spec["metric"]["regex"], result.stderr)]
    assert len(values) == 30 >= 20
    assert values[-1] < values[0]  # the default settings learn


def test_digits_sgd_regex_does_not_take_training_loss() -> None:
    regex = re.compile(load_spec("digits_sgd")["metric"]["regex"])

    assert regex.findall("epoch 1/30 - loss: 0.5") == []
    assert regex.findall("epoch 1/30 - my_val_loss: 0.5 - x.val_loss: 0.4") == []
