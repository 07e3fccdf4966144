"""Exact behaviour of the TPE sampler (the shared contract suite covers the rest)."""

from __future__ import annotations

import numpy as np

from search.design import design_points as sobol_points
from search.samplers.registry import get_sampler_class, make_sampler
from search.samplers.tpe import TPESampler, n_below
from search.space import SearchSpace
from tests.search.branin import completed, regret_after

UNIT = {"x": {"type": "uniform", "low": 0.0, "high": 1.0}}
def test_aliases_resolve_to_tpe() -> None:
    assert get_sampler_class("tpe_search") is TPESampler
    assert get_sampler_class("TPE") is TPESampler


def test_defaults_follow_modelarts_except_a_shorter_sobol_start() -> None:
    sampler = make_sampler("tpe", UNIT)
    assert sampler.options == {
        "gamma": 0.25,
        "n_initial_points": 10,
        "n_ei_candidates": 24,
        "prior_weight": 1.0,
        "multivariate": True,
        "bandwidth": "neighbour",
        "consider_endpoints": False,
    }


def test_scott_bandwidth_is_one_width_that_shrinks_with_trials_and_dimensions() -> None:
    from search.parzen import ParzenEstimator

    rng = np.random.default_rng(0)
    few = ParzenEstimator.fit(rng.random((10, 4)), np.ones(10), [0] * 4, bandwidth="scott")
    many = ParzenEstimator.fit(rng.random((90, 4)), np.ones(90), [0] * 4, bandwidth="scott")
    # Every observation kernel of every column has 0.2 * n ** (-1 / (d + 4)); the prior keeps 1.
    assert np.allclose(few.sigmas[:-1], 0.2 * 10 ** (-1 / 8))
    assert np.allclose(many.sigmas[:-1], 0.2 * 90 ** (-1 / 8))
    assert np.allclose(few.sigmas[-1], 1.0)
    # The magic clip still bounds it below: 1 / (1 + n_kernels) for few kernels.
    two = ParzenEstimator.fit(rng.random((2, 12)), np.ones(2), [0] * 12, bandwidth="scott")
    assert np.allclose(two.sigmas[:-1], 0.25)


def test_bandwidth_rule_is_checked_without_a_space() -> None:
    import pytest

    from search.errors import SamplerParamError

    with pytest.raises(SamplerParamError, match="bandwidth must be one of"):
        TPESampler.check_options(bandwidth="silverman")
    sampler = make_sampler("tpe", UNIT, goal="minimize", bandwidth="scott", n_initial_points=2)
    history = [completed({"x": x}, (x - 0.3) ** 2) for x in (0.1, 0.5, 0.9, 0.3)]
    assert 0.0 <= sampler.suggest(history)[0]["x"] <= 1.0


def test_gamma_split_sizes() -> None:
    assert n_below(20, 0.25) == 5
    assert n_below(21, 0.25) == 6
    assert n_below(40, 0.1) == 4
    assert n_below(1000, 0.25) == 25  # capped
    assert n_below(3, 1.0) == 3


def test_before_n_initial_points_it_follows_the_sobol_sequence() -> None:
    sampler = make_sampler("tpe", UNIT, goal="minimize", seed=5, n_initial_points=10)
    history = [completed(p, 1.0) for p in sobol_points(sampler.space, 5, 0, 3)]
    assert sampler.suggest(history, n=2) == sobol_points(sampler.space, 5, 3, 2)


def test_initial_points_are_stratified() -> None:
    points = make_sampler("tpe", UNIT, seed=3).suggest([], n=8)
    bins = sorted(int(p["x"] * 8) for p in points)
    assert bins == list(range(8))


def test_model_concentrates_on_the_good_region() -> None:
    rng = np.random.default_rng(0)
    history = [completed({"x": float(x)}, (float(x) - 0.2) ** 2) for x in rng.random(40)]
    sampler = make_sampler("tpe", UNIT, goal="minimize", seed=1)
    points = sampler.suggest(history, n=8)
    assert np.median([abs(p["x"] - 0.2) for p in points]) < 0.1


def test_goal_maximize_flips_the_good_region() -> None:
    rng = np.random.default_rng(0)
    history = [completed({"x": float(x)}, (float(x) - 0.2) ** 2) for x in rng.random(40)]
    points = make_sampler("tpe", UNIT, goal="maximize", seed=1).suggest(history, n=8)
    assert np.median([p["x"] for p in points]) > 0.6


def test_categorical_parzen_prefers_the_good_choice() -> None:
    space = {"c": {"type": "choice", "values": ["a", "b", "c"]}, **UNIT}
    rng = np.random.default_rng(2)
    history = []
    for _ in range(40):
        params = {"c": ["a", "b", "c"][int(rng.integers(3))], "x": float(rng.random())}
        history.append(completed(params, 0.0 if params["c"] == "b" else 1.0))
    points = make_sampler("tpe", space, goal="minimize", seed=0).suggest(history, n=10)
    assert sum(p["c"] == "b" for p in points) >= 7


def test_int_values_are_learned_as_discrete_buckets() -> None:
    space = {"k": {"type": "int", "low": 1, "high": 8}, **UNIT}
    rng = np.random.default_rng(4)
    history = []
    for _ in range(40):
        params = {"k": int(rng.integers(1, 9)), "x": float(rng.random())}
        history.append(completed(params, abs(params["k"] - 3) + params["x"]))
    points = [
        make_sampler("tpe", space, goal="minimize", seed=seed).suggest(history)[0]
        for seed in range(10)
    ]
    assert all(isinstance(p["k"], int) for p in points)
    assert sum(p["k"] == 3 for p in points) >= 7


def test_early_stopped_trials_never_count_as_good() -> None:
    rng = np.random.default_rng(3)
    history = [completed({"x": float(x)}, (float(x) - 0.8) ** 2) for x in rng.random(30)]
    # Stopped early near 0.1 with a very low partial loss: not comparable with final values.
    history += [
        {"params": {"x": 0.1 + 0.001 * i}, "value": None, "status": "early_stopped",
         "curve": [-100.0]}
        for i in range(10)
    ]
    points = make_sampler("tpe", UNIT, goal="minimize", seed=0).suggest(history, n=6)
    assert np.median([abs(p["x"] - 0.8) for p in points]) < 0.15


def test_parallel_suggestions_are_distinct_and_spread() -> None:
    rng = np.random.default_rng(0)
    history = [completed({"x": float(x)}, (float(x) - 0.5) ** 2) for x in rng.random(30)]
    points = make_sampler("tpe", UNIT, goal="minimize", seed=0).suggest(history, n=6)
    xs = sorted(p["x"] for p in points)
    assert len(set(xs)) == 6
    assert min(np.diff(xs)) > 1e-4


def test_exhausted_good_region_moves_to_unseen_points() -> None:
    space = {"k": {"type": "int", "low": 0, "high": 9}}
    history = [completed({"k": k}, float(k)) for k in range(9)]
    history[3]["status"] = "failed"
    assert make_sampler("tpe", space, goal="minimize", n_initial_points=2).suggest(history) == [
        {"k": 9}
    ]


def test_univariate_mode_also_finds_the_good_region() -> None:
    space = {**UNIT, "y": {"type": "uniform", "low": 0.0, "high": 1.0}}
    rng = np.random.default_rng(0)
    history = []
    for x, y in rng.random((40, 2)):
        history.append(completed({"x": float(x), "y": float(y)}, (x - 0.2) ** 2 + (y - 0.7) ** 2))
    sampler = make_sampler("tpe", space, goal="minimize", multivariate=False)
    points = sampler.suggest(history, n=8)
    assert np.median([abs(p["x"] - 0.2) + abs(p["y"] - 0.7) for p in points]) < 0.25


def test_mixed_space_suggestions_lie_in_the_space() -> None:
    space = SearchSpace.from_json({
        "lr": {"type": "loguniform", "low": -9.0, "high": -1.0},
        "q": {"type": "quniform", "low": 0, "high": 10, "q": 2},
        "n": {"type": "normal", "mu": 0.0, "sigma": 1.0},
        "k": {"type": "int", "low": 1, "high": 100, "log": True},
        "c": {"type": "choice", "values": [True, False]},
    })
    rng = np.random.default_rng(0)
    history = [completed(space.sample(rng), float(v)) for v in rng.random(30)]
    points = make_sampler("tpe", space, n_initial_points=5).suggest(history, n=5)
    assert all(space.contains(p) for p in points)


def test_tpe_beats_random_search_on_branin() -> None:
    seeds = range(4)
    tpe = np.mean([regret_after("tpe", seed, 60) for seed in seeds])
    rand = np.mean([regret_after("random", seed, 60) for seed in seeds])
    assert tpe < 0.5 * rand


def test_documented_start_of_twenty_sobol_points_still_works() -> None:
    space = {"x": {"type": "uniform", "low": 0, "high": 1}}
    sampler = make_sampler("tpe", space, goal="minimize", seed=3, n_initial_points=20)
    history = [
        {"params": p, "value": p["x"], "status": "completed", "curve": []}
        for p in sobol_points(sampler.space, 3, 0, 15)
    ]
    assert sampler.suggest(history, n=2) == sobol_points(sampler.space, 3, 15, 2)


def test_later_picks_of_a_batch_stay_in_the_good_region() -> None:
    # The picks of one call are not fantasised as bad, so the whole batch stays near the best.
    rng = np.random.default_rng(1)
    history = [completed({"x": float(x)}, (float(x) - 0.3) ** 2) for x in rng.random(40)]
    points = make_sampler("tpe", UNIT, goal="minimize", seed=0).suggest(history, n=8)
    assert max(abs(p["x"] - 0.3) for p in points) < 0.05


def test_pending_trials_push_suggestions_away() -> None:
    rng = np.random.default_rng(2)
    history = [completed({"x": float(x)}, (float(x) - 0.3) ** 2) for x in rng.random(40)]
    running = [
        {"params": {"x": 0.3 + 0.01 * i}, "value": None, "status": "running", "curve": []}
        for i in range(-3, 4)
    ]
    sampler = make_sampler("tpe", UNIT, goal="minimize", seed=0)
    free = sampler.suggest(history, n=8)
    busy = sampler.suggest(history + running, n=8)

    def near(points: list[dict]) -> int:
        return sum(abs(p["x"] - 0.3) < 0.03 for p in points)

    assert near(busy) < near(free)
