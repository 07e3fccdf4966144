"""Acquisition functions, the gradient maximiser and the GP sampler (``bayesian``)."""

from __future__ import annotations

import math
from itertools import combinations
from typing import Any

import numpy as np
import pytest

from search.acquisition import (
    Acquisition,
    expected_improvement,
    log_h,
    probability_of_improvement,
    upper_confidence_bound,
)
from search.maximize import Box, _local_starts, _sweep_discrete, maximize_with_gradients
from search.samplers.registry import make_sampler
from search.space import SearchSpace
from search.surrogates import GaussianProcess
from tests.search.branin import BRANIN, completed_on_branin, regret_after

# ---------------------------------------------------------------- acquisition formulas


def test_expected_improvement_matches_hand_values() -> None:
    # mean = 0, std = 1, best = 1: z = 1, EI = Phi(1) + phi(1)
    ei = expected_improvement(np.array([0.0, 1.0]), np.array([1.0, 1.0]), best=1.0)
    np.testing.assert_allclose(ei, [0.841345 + 0.241971, 0.398942], atol=1e-6)
    # xi raises the bar: best - xi = 0 = mean gives phi(0) * std
    ei_xi = expected_improvement(np.array([0.0]), np.array([2.0]), best=0.5, xi=0.5)
    np.testing.assert_allclose(ei_xi, [2 * 0.398942], atol=1e-6)


def test_probability_of_improvement_matches_hand_values() -> None:
    poi = probability_of_improvement(np.array([0.0, 2.0]), np.array([1.0, 1.0]), best=1.0)
    np.testing.assert_allclose(poi, [0.841345, 0.158655], atol=1e-6)


def test_upper_confidence_bound_is_kappa_std_minus_mean() -> None:
    ucb = upper_confidence_bound(np.array([1.0, -1.0]), np.array([0.4, 0.0]), kappa=2.5)
    np.testing.assert_allclose(ucb, [0.0, 1.0])


def test_log_h_agrees_with_the_direct_formula_and_stays_finite_far_out() -> None:
    z = np.array([-5.0, -1.5, -0.5, 0.0, 2.0])
    direct = np.log(
        z * probability_of_improvement(-z, np.ones(5), 0.0)
        + np.exp(-z * z / 2) / math.sqrt(2 * math.pi)
    )
    np.testing.assert_allclose(log_h(z), direct, rtol=1e-9)
    # h(-40) ~ phi(40) / 40^2: direct evaluation underflows to log(0)
    assert math.isclose(
        float(log_h(np.array([-40.0]))[0]),
        -800 - 0.5 * math.log(2 * math.pi) - 2 * math.log(40),
        rel_tol=1e-3,
    )


@pytest.mark.parametrize("kind", ["ei", "ucb", "poi"])
def test_acquisition_gradient_matches_finite_differences(kind: str) -> None:
    rng = np.random.default_rng(0)
    X = rng.random((12, 2))
    gp = GaussianProcess(seed=0).fit(X, np.sin(5 * X[:, 0]) + X[:, 1])
    acq = Acquisition(gp, kind=kind, best=float(np.min(np.sin(5 * X[:, 0]) + X[:, 1])))
    Xq = rng.random((4, 2))
    values, grads = acq.value_and_grad(Xq)
    np.testing.assert_allclose(values, acq(Xq))
    for k in range(2):
        shifted = Xq.copy()
        shifted[:, k] += 1e-6
        np.testing.assert_allclose(
            (acq(shifted) - values) / 1e-6, grads[:, k], rtol=1e-3, atol=1e-3
        )


# ---------------------------------------------------------------- maximiser


def test_gradient_maximiser_finds_the_peak_of_a_known_function() -> None:
    space = SearchSpace.from_json(
        {
            "a": {"type": "uniform", "low": 0, "high": 1},
            "b": {"type": "uniform", "low": 0, "high": 1},
        }
    )
    peak = np.array([0.71, 0.23])

    def f(X: np.ndarray) -> np.ndarray:
        return -np.sum((X - peak) ** 2, axis=1) + 0.3 * np.exp(-50 * np.sum((X - 0.1) ** 2, 1))

    def f_grad(X: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        bump = 0.3 * np.exp(-50 * np.sum((X - 0.1) ** 2, 1))
        return f(X), -2 * (X - peak) - 100 * (X - 0.1) * bump[:, None]

    ranked, values = maximize_with_gradients(
        f, f_grad, Box.from_space(space), np.random.default_rng(0), starts=np.empty((0, 2))
    )
    np.testing.assert_allclose(ranked[0], peak, atol=1e-4)
    assert values[0] == values.max()


def test_local_starts_take_the_best_then_spread_by_value_and_skip_hopeless_ones() -> None:
    # Two basins of equal value and a plateau of hopeless points (log EI of -800).
    values = np.concatenate([[0.0], np.full(50, -0.1), np.full(50, -0.1), np.full(900, -800.0)])
    starts = _local_starts(values, 8, np.random.default_rng(0))
    assert starts[0] == 0 and len(set(starts.tolist())) == 8
    assert np.all(starts[1:] <= 100)  # exp(-800) is no chance at all
    assert (starts[1:] <= 50).any() and (starts[1:] > 50).any()
    assert _local_starts(np.array([1.0, -np.inf]), 5, np.random.default_rng(0)).tolist() == [0]


def test_gradient_maximiser_snaps_integers_and_picks_the_best_category() -> None:
    space = SearchSpace.from_json(
        {
            "k": {"type": "int", "low": 0, "high": 10},
            "c": {"type": "choice", "values": ["a", "b", "c"]},
        }
    )
    box = Box.from_space(space)
    target = space.encode({"k": 7, "c": "b"})

    def f(X: np.ndarray) -> np.ndarray:
        return -np.sum((X - target) ** 2, axis=1)

    ranked, _ = maximize_with_gradients(
        f,
        lambda X: (f(X), -2 * (X - target)),
        box,
        np.random.default_rng(1),
        starts=np.empty((0, 4)),
    )
    assert space.decode(ranked[0]) == {"k": 7, "c": "b"}
    np.testing.assert_allclose(ranked[0], target)  # scored at the encoding of what runs


def test_discrete_sweep_moves_each_discrete_parameter_to_its_best_choice() -> None:
    # Optuna's mixed local search: after the gradient steps, every choice of a categorical
    # and every level of an integer are tried, one parameter at a time.
    space = SearchSpace.from_json(
        {
            "x": {"type": "uniform", "low": 0, "high": 1},
            "k": {"type": "int", "low": 0, "high": 99},
            "c": {"type": "choice", "values": ["a", "b", "c"]},
        }
    )
    box = Box.from_space(space)
    target = space.encode({"x": 0.5, "k": 83, "c": "c"})

    def f(X: np.ndarray) -> np.ndarray:
        return -np.abs(X[:, 1] - target[1]) + X[:, 4] - 0.1 * X[:, 3]

    X = space.encode_many([{"x": 0.5, "k": 10, "c": "a"}, {"x": 0.5, "k": 83, "c": "c"}])
    moved, values, changed = _sweep_discrete(f, box, X, f(X))
    assert changed.tolist() == [True, False]
    np.testing.assert_allclose(values, f(moved))
    # 100 levels: a spread and the nearest ones are tried, so a second sweep settles it
    moved, values, changed = _sweep_discrete(f, box, moved, values)
    assert space.decode(moved[0]) == {"x": 0.5, "k": 83, "c": "c"}
    assert not changed[1]


# ---------------------------------------------------------------- the sampler


def test_bayesian_beats_random_search_on_branin() -> None:
    budget, seeds = 22, range(3)
    bayes = np.mean([regret_after("bayesian", s, budget, n_initial_points=8) for s in seeds])
    random = np.mean([regret_after("random", s, budget) for s in seeds])
    assert bayes < random / 5


def test_bayes_opt_search_alias_and_every_kind_propose_points_in_the_space() -> None:
    space = SearchSpace.from_json(BRANIN)
    history = completed_on_branin([space.sample(np.random.default_rng(i)) for i in range(6)])
    for kind in ("ucb", "ei", "poi"):
        sampler = make_sampler("bayes_opt_search", space, seed=1, kind=kind, n_initial_points=3)
        points = sampler.suggest(history, n=2)
        assert len(points) == 2 and all(space.contains(p) for p in points)


def test_parallel_suggestions_spread_out_around_running_trials() -> None:
    space = SearchSpace.from_json(BRANIN)
    rng = np.random.default_rng(0)
    history = completed_on_branin([space.sample(rng) for _ in range(15)])
    running = [{"params": space.sample(rng), "value": None, "status": "running"} for _ in range(2)]
    sampler = make_sampler("bayesian", space, goal="minimize", seed=0, n_initial_points=5)
    points = sampler.suggest(history + running, n=4)
    X = space.encode_many(points)
    X_running = space.encode_many([r["params"] for r in running])
    assert min(np.linalg.norm(a - b) for a, b in combinations(X, 2)) > 0.02
    assert min(np.linalg.norm(a - b) for a in X for b in X_running) > 0.02


def test_bayesian_is_deterministic_for_a_seed_and_handles_every_status() -> None:
    space = SearchSpace.from_json(
        {
            "lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
            "layers": {"type": "int", "low": 1, "high": 4},
            "act": {"type": "choice", "values": ["relu", "tanh"]},
        }
    )
    rng = np.random.default_rng(0)
    history: list[dict[str, Any]] = []
    for i in range(14):
        status = ["completed", "completed", "failed", "early_stopped", "running"][i % 5]
        p = space.sample(rng)
        value = math.log10(p["lr"]) + p["layers"] if status == "completed" else None
        history.append(
            {
                "params": p,
                "value": value,
                "status": status,
                "curve": [1.0, 2.0] if status == "early_stopped" else [],
            }
        )
    first = make_sampler("bayesian", space, seed=4, n_initial_points=3).suggest(history, n=3)
    again = make_sampler("bayesian", space, seed=4, n_initial_points=3).suggest(history, n=3)
    assert first == again
    assert all(space.contains(p) for p in first)
    seen = {tuple(sorted(h["params"].items())) for h in history}
    assert not seen & {tuple(sorted(p.items())) for p in first}


def test_initial_design_comes_before_the_model_and_is_stable() -> None:
    sampler = make_sampler("bayesian", BRANIN, seed=2, n_initial_points=4)
    design = sampler.suggest([], n=4)
    history = completed_on_branin(design[:2])
    # the next points are the rest of the same design, not new random ones
    assert sampler.suggest(history, n=2) == design[2:]
