"""Exact behaviour of the annealing sampler (the shared contract suite covers the rest)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from search.distributions import NormalDistribution
from search.samplers.anneal import AnnealSampler, perturb, shrink_factor
from search.samplers.registry import get_sampler_class, make_sampler
from tests.search.branin import completed, regret_after

UNIT = {"x": {"type": "uniform", "low": 0.0, "high": 1.0}}
def clustered_history(n: int, centre: float = 0.5) -> list[dict[str, Any]]:
    """``n`` distinct trials within 1e-3 of ``centre``; the nearest is the best."""
    offsets = np.linspace(-1e-3, 1e-3, n)
    return [completed({"x": centre + float(d)}, abs(float(d))) for d in offsets]


def max_distance_from_centre(n_trials: int) -> float:
    history = clustered_history(n_trials)
    sampler = make_sampler("anneal", UNIT, goal="minimize", seed=0, shrink_coef=0.1)
    points = sampler.suggest(history, n=50)
    return max(abs(p["x"] - 0.5) for p in points)


def test_aliases_resolve_to_anneal() -> None:
    assert get_sampler_class("anneal_search") is AnnealSampler
    # shrink_coef 0.15, not hyperopt's 0.1: chosen on the benchmark's tuning half.
    assert make_sampler("anneal", UNIT).options == {"avg_best_idx": 2.0, "shrink_coef": 0.15}


def test_shrink_factor_follows_hyperopt() -> None:
    assert shrink_factor(0, 0.1) == 1.0
    assert shrink_factor(10, 0.1) == 0.5
    assert math.isclose(shrink_factor(90, 0.1), 0.1)
    assert shrink_factor(1000, 0.0) == 1.0


def test_neighbourhood_shrinks_as_trials_grow() -> None:
    # Width 1/(1 + T/10): 0.5 after 10 trials, 0.1 after 90; points stay within half of it.
    few, many = max_distance_from_centre(10), max_distance_from_centre(90)
    assert few <= 0.25 + 1e-3
    assert many <= 0.05 + 1e-3
    assert few > 0.15  # the window is really used, not just a point
    assert many < few / 3


def test_pending_trials_count_towards_shrinking() -> None:
    history = clustered_history(10) + [
        {"params": {"x": 0.9 + 0.001 * i}, "value": None, "status": "running", "curve": []}
        for i in range(80)
    ]
    sampler = make_sampler("anneal", UNIT, goal="minimize", shrink_coef=0.1)
    points = sampler.suggest(history, n=30)
    assert max(abs(p["x"] - 0.5) for p in points) <= 0.05 + 1e-3


def test_window_shifts_inside_the_bounds_near_an_edge() -> None:
    history = clustered_history(10, centre=0.002)
    points = make_sampler("anneal", UNIT, goal="minimize").suggest(history, n=40)
    xs = [p["x"] for p in points]
    assert min(xs) >= 0.0 and max(xs) <= 0.5
    assert max(xs) > 0.3  # the window [0, 0.5] is used, not clipped to [0, 0.25]


def test_avg_best_idx_one_always_uses_the_best_trial() -> None:
    history = [completed({"x": 0.1}, 0.0), completed({"x": 0.9}, 5.0)]
    history += [completed({"x": 0.3 + 0.01 * i}, 10.0 + i) for i in range(20)]
    sampler = make_sampler("anneal", UNIT, goal="minimize", avg_best_idx=1.0, shrink_coef=50.0)
    points = sampler.suggest(history, n=20)
    assert all(abs(p["x"] - 0.1) < 1e-3 for p in points)


def test_categorical_keeps_base_value_more_often_as_trials_grow() -> None:
    space = {"c": {"type": "choice", "values": ["a", "b", "c"]}, **UNIT}
    history = [completed({"c": "a", "x": 0.01 * i}, float(i)) for i in range(90)]
    points = make_sampler("anneal", space, goal="minimize").suggest(history, n=300)
    kept = sum(p["c"] == "a" for p in points) / len(points)
    # P(keep) = (1 - w) + w / 3 with w = 0.1.
    assert 0.88 <= kept <= 0.98
    early = make_sampler("anneal", space, goal="minimize").suggest(history[:5], n=300)
    assert sum(p["c"] == "a" for p in early) / len(early) < 0.85


def test_normal_kinds_step_in_prior_sigmas() -> None:
    dist = NormalDistribution(10.0, 2.0)
    rng = np.random.default_rng(0)
    draws = np.array([perturb(dist, 10.0, 0.1, rng) for _ in range(2000)])
    # A step of 0.1 prior sigma around the base, as hyperopt's normal(val, sigma * shrink).
    assert abs(draws.mean() - 10.0) < 0.02
    assert 0.18 < draws.std() < 0.22


def test_empty_history_draws_from_the_prior() -> None:
    points = make_sampler("anneal", UNIT, seed=4).suggest([], n=20)
    assert len({p["x"] for p in points}) == 20
    assert max(p["x"] for p in points) - min(p["x"] for p in points) > 0.5


def test_failed_trials_are_not_bases_but_are_not_repeated() -> None:
    space = {"k": {"type": "int", "low": 0, "high": 4}}
    history = [completed({"k": 0}, 1.0)] + [
        {"params": {"k": k}, "value": None, "status": "failed", "curve": []} for k in (1, 2, 3)
    ]
    assert make_sampler("anneal", space, goal="minimize").suggest(history) == [{"k": 4}]


def test_anneal_beats_random_search_on_branin() -> None:
    seeds = range(4)
    anneal = np.mean([regret_after("anneal", seed, 60) for seed in seeds])
    rand = np.mean([regret_after("random", seed, 60) for seed in seeds])
    assert anneal < 0.5 * rand
