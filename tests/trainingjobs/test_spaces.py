"""The adapter from hyperparameter rows and range settings to a search space."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import pytest

from algorithms.spaces import RangeErrors, check_range, space_from_rows
from search import SearchSpace


@dataclass
class Row:
    name: str
    type: str
    min: float | None = None
    max: float | None = None
    choices: list[Any] = field(default_factory=list)


LR = Row("lr", "float", 1e-5, 1.0)
EPOCHS = Row("epochs", "int", 1.0, 50.0)
OPTIMIZER = Row("optimizer", "str", choices=["adam", "sgd"])
SHUFFLE = Row("shuffle", "bool")
FREE = Row("x", "float")


def test_space_follows_the_table_order_not_the_ranges_order() -> None:
    space = space_from_rows(
        [LR, EPOCHS, OPTIMIZER],
        {
            "optimizer": {"type": "choice", "values": ["sgd"]},
            "lr": {"type": "float", "low": 1e-4, "high": 0.1, "log": True},
        },
    )
    assert space.names == ["lr", "optimizer"]
    assert space == SearchSpace.from_json(
        {
            "lr": {"type": "float", "low": 1e-4, "high": 0.1, "log": True},
            "optimizer": {"type": "choice", "values": ["sgd"]},
        }
    )


def test_every_bad_range_is_reported_by_name_and_field() -> None:
    with pytest.raises(RangeErrors) as caught:
        space_from_rows(
            [LR, EPOCHS],
            {
                "lr": {"type": "float", "low": 0.1, "high": 0.01},
                "epochs": {"type": "int", "low": 1, "high": 99},
                "dropout": {"type": "uniform", "low": 0, "high": 1},
            },
        )
    errors = caught.value.errors
    assert errors == {
        "dropout": {
            "__all__": ["Unknown hyperparameter 'dropout' (the algorithm takes: lr, epochs)."]
        },
        "lr": {"low": ["lr: low must be less than high, got low=0.1, high=0.01."]},
        "epochs": {
            "high": ["epochs: the range goes up to high=99, above the maximum 50 of its row."]
        },
    }


@pytest.mark.parametrize(
    ("row", "spec", "field_name", "words"),
    [
        (
            LR,
            {"type": "float", "low": 0.0, "high": 1.0, "log": True},
            "low",
            "log scale needs low > 0, got low=0.0",
        ),
        (
            EPOCHS,
            {"type": "int", "low": 0, "high": 10, "log": True},
            "low",
            "log scale needs low > 0, got low=0",
        ),
        (
            LR,
            {"type": "float", "low": 0.1, "high": 0.2, "step": 0.5},
            "step",
            "step=0.5 for low=0.1, high=0.2",
        ),
        (
            FREE,
            {"type": "quniform", "low": 0, "high": 1, "q": 5},
            "q",
            "q is larger than the range, got q=5",
        ),
        (LR, {"type": "uniform", "low": 0.5, "high": 3}, "high", "goes up to high=3"),
        (LR, {"type": "loguniform", "low": -20, "high": -1}, "low", "exp of low=-20"),
        (LR, {"type": "lognormal", "mu": 0, "sigma": 1}, "type", "lognormal is unbounded"),
        (EPOCHS, {"type": "randint", "upper": 10}, "upper", "goes down to 0 (upper=10)"),
        (EPOCHS, {"type": "normal", "mu": 5, "sigma": 1}, "type", "needs whole values"),
        (EPOCHS, {"type": "choice", "values": [1, 2.5]}, "values", "takes whole numbers, got 2.5"),
        (
            EPOCHS,
            {"type": "choice", "values": [1, 70]},
            "values",
            "70 outside the row's range [1, 50]",
        ),
        (
            OPTIMIZER,
            {"type": "choice", "values": ["adam", "adamw"]},
            "values",
            "'adamw' not in its enumeration ('adam', 'sgd')",
        ),
        (
            OPTIMIZER,
            {"type": "float", "low": 0, "high": 1},
            "type",
            "cannot be searched with type='float'",
        ),
        (
            SHUFFLE,
            {"type": "choice", "values": [True, 1]},
            "values",
            "a bool takes true or false, got 1",
        ),
        (
            SHUFFLE,
            {"type": "uniform", "low": 0, "high": 1},
            "type",
            "use bool or choice of true/false",
        ),
        (FREE, {"type": "loguniform", "low": 0, "high": 1000}, "__all__", "exp(high) overflows"),
        (
            FREE,
            {"type": "choice", "values": {"range": [0, 10**12]}},
            "values",
            "at most 1000 values",
        ),
        (FREE, {"type": "uniform", "low": 0}, "__all__", "uniform needs high"),
        (
            FREE,
            {"type": "float", "low": 0, "high": 1, "log": "yes"},
            "log",
            "log must be true or false",
        ),
        (FREE, {"type": "choice", "values": [[1]]}, "__all__", "choice: values must be strings"),
        (FREE, "uniform", "__all__", "a range must be an object with a type, got 'uniform'"),
        (FREE, {"type": "beta"}, "type", "cannot be searched with type='beta'"),
        (
            FREE,
            {"type": "uniform", "low": 10**400, "high": 1},
            "low",
            "low is too large, got a number of 401 digits",
        ),
    ],
)
def test_bad_range_message(row: Row, spec: Any, field_name: str, words: str) -> None:
    dist, errors = check_range(row, spec)
    assert dist is None
    assert list(errors) == [field_name], errors
    assert words in errors[field_name][0], errors
    assert errors[field_name][0].startswith(f"{row.name}:"), errors


@pytest.mark.parametrize(
    ("row", "spec"),
    [
        (LR, {"type": "float", "low": 1e-5, "high": 1.0, "log": True}),
        (LR, {"type": "loguniform", "low": -11.5, "high": -2.3}),
        (LR, {"type": "quniform", "low": 0.25, "high": 1.0, "q": 0.25}),
        (EPOCHS, {"type": "int", "low": 1, "high": 50, "step": 7}),
        (EPOCHS, {"type": "qloguniform", "low": 0, "high": 3, "q": 1}),
        (EPOCHS, {"type": "choice", "values": {"range": [1, 51, 10]}}),
        (OPTIMIZER, {"type": "choice", "values": ["sgd"]}),
        (Row("act", "str"), {"type": "choice", "values": ["relu", "tanh"]}),
        (SHUFFLE, {"type": "bool"}),
        (SHUFFLE, {"type": "choice", "values": [True]}),
        (FREE, {"type": "normal", "mu": 0, "sigma": 2}),
        (FREE, {"type": "qlognormal", "mu": 0, "sigma": 1, "q": 0.5}),
        (FREE, {"type": "randint", "upper": 3}),
    ],
)
def test_fitting_ranges_give_their_distribution(row: Row, spec: dict[str, Any]) -> None:
    dist, errors = check_range(row, spec)
    assert errors == {}
    assert dist is not None
    assert SearchSpace({row.name: dist}) == SearchSpace.from_json({row.name: spec})


def test_int_row_with_whole_q_takes_integer_values() -> None:
    dist, errors = check_range(EPOCHS, {"type": "quniform", "low": 1, "high": 50, "q": 1})
    assert errors == {} and dist is not None
    assert all(isinstance(v, int) for v in dist.grid_values())


def test_a_log_range_ending_at_the_rows_bounds_fits_despite_float_rounding() -> None:
    # HyperDrive's loguniform(math.log(lo), math.log(hi)): exp(log(0.1)) is
    # 0.10000000000000002 and exp(log(1e-5)) 9.999999999999997e-06.
    row = Row("learning_rate", "float", 1e-5, 0.1)
    spec = {"type": "loguniform", "low": math.log(1e-5), "high": math.log(0.1)}
    assert math.exp(spec["high"]) > 0.1 and math.exp(spec["low"]) < 1e-5
    dist, problems = check_range(row, spec)
    assert problems == {} and dist is not None
    # Past the bound by more than rounding is still refused.
    _, problems = check_range(row, {**spec, "high": math.log(0.1) + 1e-6})
    assert "above the maximum 0.1 of its row" in problems["high"][0]
