"""The random-forest surrogate, local-search maximiser and the ``smac`` sampler."""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

import numpy as np

from search.maximize import Box, maximize_local_search
from search.samplers.registry import make_sampler
from search.samplers.smac import log_scale
from search.space import SearchSpace
from search.surrogates import RandomForest
from tests.search.branin import BRANIN, branin, regret_after


def test_forest_trees_disagree_more_away_from_the_data() -> None:
    rng = np.random.default_rng(0)
    X = np.vstack([rng.random((60, 1)) * 0.5, [[0.9]]])
    y = np.concatenate([np.sin(8 * X[:-1, 0]), [5.0]])
    forest = RandomForest(seed=0).fit(X, y)
    mean, var = forest.predict(np.array([[0.25], [0.75]]))
    assert var[1] > var[0]
    assert abs(mean[0] - math.sin(2.0)) < 0.3


def test_log_scale_keeps_order_and_squashes_large_losses() -> None:
    y = log_scale(np.array([3.0, 1.0, 1000.0, 2.0]))
    assert list(np.argsort(y)) == [1, 3, 0, 2]
    assert abs(y[2]) < 1e-2
    assert y[2] - y[0] < 10 * (y[0] - y[1])  # raw gaps: 997 against 2


def test_local_search_finds_the_peak_over_a_categorical_and_a_float() -> None:
    space = SearchSpace.from_json(
        {
            "c": {"type": "choice", "values": ["a", "b", "c"]},
            "x": {"type": "uniform", "low": 0, "high": 1},
        }
    )
    bonus = {"a": 0.0, "b": 1.0, "c": 0.5}

    def f(X: np.ndarray) -> np.ndarray:
        return (
            X[:, 0] * bonus["a"]
            + X[:, 1] * bonus["b"]
            + X[:, 2] * bonus["c"]
            - (X[:, 3] - 0.62) ** 2
        )

    start = space.encode({"c": "a", "x": 0.1})[None]
    ranked, values = maximize_local_search(
        f, Box.from_space(space), np.random.default_rng(0), starts=start, n_candidates=20
    )
    best = space.decode(ranked[0])
    assert best["c"] == "b" and abs(best["x"] - 0.62) < 0.02
    assert values[0] == values.max()


def test_smac_beats_random_search_on_branin() -> None:
    budget, seeds = 25, range(3)
    smac = np.mean([regret_after("smac", s, budget, n_initial_points=8) for s in seeds])
    random = np.mean([regret_after("random", s, budget) for s in seeds])
    assert smac < random


def test_smac_parallel_suggestions_are_distinct_and_spread() -> None:
    space = SearchSpace.from_json(BRANIN)
    rng = np.random.default_rng(0)
    history = [
        {"params": p, "value": branin(p), "status": "completed"}
        for p in (space.sample(rng) for _ in range(15))
    ]
    points = make_sampler(
        "smac", space, goal="minimize", seed=0, random_fraction=0.0, n_initial_points=5
    ).suggest(history, n=4)
    X = space.encode_many(points)
    assert min(np.linalg.norm(a - b) for a, b in combinations(X, 2)) > 0.02


def test_smac_is_deterministic_and_stays_in_a_mixed_space_with_every_status() -> None:
    space = SearchSpace.from_json(
        {
            "lr": {"type": "loguniform", "low": -11.5, "high": -2.3},
            "units": {"type": "quniform", "low": 16, "high": 256, "q": 16},
            "opt": {"type": "choice", "values": ["sgd", "adam", "rmsprop"]},
        }
    )
    rng = np.random.default_rng(1)
    history: list[dict[str, Any]] = []
    for i in range(16):
        status = ["completed", "failed", "early_stopped", "running"][i % 4]
        p = space.sample(rng)
        value = p["units"] / 256 + (p["opt"] == "adam") if status == "completed" else None
        history.append(
            {
                "params": p,
                "value": value,
                "status": status,
                "curve": [0.5] if status == "early_stopped" else [],
            }
        )
    first = make_sampler("smac", space, seed=3, n_initial_points=2).suggest(history, n=3)
    assert first == make_sampler("smac", space, seed=3, n_initial_points=2).suggest(history, n=3)
    assert len(first) == 3 and all(space.contains(p) for p in first)
    seen = {tuple(sorted(h["params"].items())) for h in history}
    assert not seen & {tuple(sorted(p.items())) for p in first}


def test_random_fraction_one_gives_prior_draws_only() -> None:
    space = SearchSpace.from_json(BRANIN)
    history = [
        {"params": space.sample(np.random.default_rng(i)), "value": float(i), "status": "completed"}
        for i in range(12)
    ]
    points = make_sampler("smac", space, seed=0, random_fraction=1.0, n_initial_points=2).suggest(
        history, n=3
    )
    assert len(points) == 3 and all(space.contains(p) for p in points)
