"""Random and grid search: exact expectations beyond the shared contract."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from scipy.stats import qmc

from search.errors import SamplerParamError, SpaceError, SpaceExhausted
from search.samplers.registry import make_sampler
from search.space import SearchSpace

SQUARE = SearchSpace.from_json(
    {"x": {"type": "uniform", "low": 0, "high": 1}, "y": {"type": "uniform", "low": 0, "high": 1}}
)
CHOICES = SearchSpace.from_json(
    {
        "opt": {"type": "choice", "values": ["sgd", "adam"]},
        "k": {"type": "int", "low": 1, "high": 3},
    }
)


def done(points: list[dict[str, Any]], status: str = "completed") -> list[dict[str, Any]]:
    return [{"params": p, "value": 0.0, "status": status, "curve": []} for p in points]


def walk(sampler: Any, total: int, batch: int) -> list[dict[str, Any]]:
    """Ask for points batch by batch, as a scheduler would, until ``total`` are taken."""
    history: list[dict[str, Any]] = []
    while len(history) < total:
        history += done(sampler.suggest(history, n=min(batch, total - len(history))))
    return [t["params"] for t in history]


# ----------------------------------------------------------------- random


def test_random_follows_the_prior() -> None:
    space = SearchSpace.from_json({"m": {"type": "normal", "mu": 5.0, "sigma": 2.0}})
    values = [p["m"] for p in walk(make_sampler("random", space, seed=0), 600, 50)]
    assert np.mean(values) == pytest.approx(5.0, abs=0.3)
    assert np.std(values) == pytest.approx(2.0, abs=0.3)


def test_random_batches_of_one_job_are_not_repeated() -> None:
    points = walk(make_sampler("random", SQUARE, seed=4), 40, 4)
    assert len({(p["x"], p["y"]) for p in points}) == 40


def test_sobol_spreads_points_more_evenly_than_independent_draws() -> None:
    def discrepancy(rule: str) -> float:
        points = walk(make_sampler("random", SQUARE, seed=2, rule=rule), 64, 8)
        return float(qmc.discrepancy(np.array([[p["x"], p["y"]] for p in points])))

    assert discrepancy("sobol") < discrepancy("random") / 3


def test_sobol_walks_one_sequence_across_batches() -> None:
    in_one = make_sampler("random", SQUARE, seed=9, rule="sobol").suggest([], n=8)
    in_batches = walk(make_sampler("random", SQUARE, seed=9, rule="sobol"), 8, 3)
    assert in_batches == in_one


def test_random_rule_is_checked() -> None:
    with pytest.raises(SamplerParamError, match="rule must be one of"):
        make_sampler("random", SQUARE, rule="halton")


def test_random_accepts_string_seed_from_a_form() -> None:
    assert make_sampler("random", SQUARE, seed="7").seed == 7


# ----------------------------------------------------------------- grid


def test_grid_walks_every_point_once_in_order() -> None:
    points = walk(make_sampler("grid", CHOICES), 6, 4)
    assert points == CHOICES.grid()


def test_grid_skips_points_tried_with_any_status() -> None:
    history = done([{"opt": "sgd", "k": 1}], "failed") + done([{"opt": "sgd", "k": 2}], "running")
    assert make_sampler("grid", CHOICES).suggest(history, n=2) == [
        {"opt": "sgd", "k": 3},
        {"opt": "adam", "k": 1},
    ]


def test_grid_gives_a_short_batch_at_the_end_then_raises_exhausted() -> None:
    sampler = make_sampler("grid", CHOICES)
    history = done(CHOICES.grid()[:5])
    assert sampler.suggest(history, n=3) == [{"opt": "adam", "k": 3}]
    with pytest.raises(SpaceExhausted, match="all 6 grid points"):
        sampler.suggest(history + done([{"opt": "adam", "k": 3}]), n=1)


def test_grid_resolution_spaces_continuous_values_evenly() -> None:
    space = SearchSpace.from_json({"lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True}})
    points = walk(make_sampler("grid", space, resolution=4), 4, 2)
    assert [p["lr"] for p in points] == pytest.approx([1e-4, 1e-3, 1e-2, 1e-1])


def test_grid_refuses_a_continuous_space_without_resolution() -> None:
    with pytest.raises(SpaceError, match="resolution"):
        make_sampler("grid", SQUARE)


def test_shuffled_grid_is_a_seeded_permutation() -> None:
    first = walk(make_sampler("grid", CHOICES, shuffle=True, seed=1), 6, 2)
    assert sorted(map(str, first)) == sorted(map(str, CHOICES.grid()))
    assert first == walk(make_sampler("grid", CHOICES, shuffle="true", seed=1), 6, 4)
    assert first != CHOICES.grid()


def test_grid_indexes_a_huge_grid_without_listing_it() -> None:
    space = SearchSpace.from_json(
        {f"p{i}": {"type": "int", "low": 0, "high": 99} for i in range(5)}  # 10^10 points
    )
    points = make_sampler("grid", space).suggest([], n=2)
    assert points == [
        {"p0": 0, "p1": 0, "p2": 0, "p3": 0, "p4": 0},
        {"p0": 0, "p1": 0, "p2": 0, "p3": 0, "p4": 1},
    ]
