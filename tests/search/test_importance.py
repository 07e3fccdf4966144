"""Hyperparameter importance on synthetic objectives with a known answer."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from search.importance import importance
from search.space import SearchSpace

SPACE = SearchSpace.from_json(
    {
        "x1": {"type": "uniform", "low": 0, "high": 1},
        "x2": {"type": "uniform", "low": 0, "high": 1},
        "optimizer": {"type": "choice", "values": ["sgd", "adam", "rmsprop"]},
    }
)


def trial(x1: float, x2: float, optimizer: str, value: Any, status: str = "completed") -> dict:
    params = {"x1": x1, "x2": x2, "optimizer": optimizer}
    return {"params": params, "value": value, "status": status, "curve": []}


def history(objective: Any, n: int = 40, seed: int = 0) -> list[dict]:
    rng = np.random.default_rng(seed)
    rows = []
    for x1, x2, k in zip(rng.random(n), rng.random(n), rng.integers(0, 3, n), strict=True):
        optimizer = ["sgd", "adam", "rmsprop"][k]
        rows.append(trial(float(x1), float(x2), optimizer, objective(x1, x2, optimizer)))
    return rows


def test_finds_the_one_parameter_that_matters() -> None:
    result = importance(history(lambda x1, x2, opt: np.sin(3 * x1)), SPACE)
    assert result["x1"]["mean"] > 0.9
    assert result["x2"]["mean"] < 0.05 and result["optimizer"]["mean"] < 0.05


def test_categorical_one_hot_columns_count_as_one_parameter() -> None:
    result = importance(history(lambda x1, x2, opt: 5.0 * (opt == "adam")), SPACE)
    assert set(result) == {"x1", "x2", "optimizer"}
    assert result["optimizer"]["mean"] > 0.9


def test_means_sum_to_one_and_stds_are_reported() -> None:
    result = importance(history(lambda x1, x2, opt: x1 + 0.5 * x2), SPACE)
    assert sum(entry["mean"] for entry in result.values()) == pytest.approx(1.0)
    assert all(entry["std"] >= 0.0 for entry in result.values())
    assert result["x1"]["mean"] > result["x2"]["mean"] > result["optimizer"]["mean"]


def test_same_history_gives_the_same_answer() -> None:
    rows = history(lambda x1, x2, opt: x1 * x2)
    assert importance(rows, SPACE) == importance(rows, SPACE)


def test_too_few_completed_trials_give_zeros() -> None:
    rows = history(lambda x1, x2, opt: x1, n=3)
    rows += [trial(0.5, 0.5, "sgd", 0.2, status="failed"), trial(0.1, 0.1, "sgd", None, "running")]
    zeros = {"mean": 0.0, "std": 0.0}
    assert importance(rows, SPACE) == {"x1": zeros, "x2": zeros, "optimizer": zeros}


def test_constant_objective_gives_zeros() -> None:
    result = importance(history(lambda x1, x2, opt: 1.0, n=10), SPACE)
    assert all(entry == {"mean": 0.0, "std": 0.0} for entry in result.values())


def test_only_completed_finite_in_space_trials_count() -> None:
    rows = history(lambda x1, x2, opt: x1, n=3)
    rows += [
        trial(0.9, 0.1, "sgd", 100.0, status="early_stopped"),
        trial(0.9, 0.1, "sgd", float("nan")),
        trial(5.0, 0.1, "sgd", 100.0),  # outside the space (x1 <= 1)
    ]
    assert importance(rows, SPACE)["x1"] == {"mean": 0.0, "std": 0.0}


def test_accepts_a_json_spec_for_the_space() -> None:
    rows = history(lambda x1, x2, opt: x2, n=20)
    assert importance(rows, SPACE.to_json())["x2"]["mean"] > 0.8
