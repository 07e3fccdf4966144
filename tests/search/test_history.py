"""Histories: what a sampler learns from each kind of trial."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from search.errors import SamplerParamError, SearchError
from search.history import check_goal, observe, params_key, trial_value
from search.space import SearchSpace

SPACE = SearchSpace.from_json(
    {"x": {"type": "uniform", "low": 0, "high": 10}, "c": {"type": "choice", "values": ["a", "b"]}}
)


def trial(
    x: float, status: str = "completed", value: Any = None, curve: Any = None, c: str = "a"
) -> dict[str, Any]:
    return {"params": {"x": x, "c": c}, "value": value, "status": status, "curve": curve or []}


def test_completed_trials_are_observations_oriented_for_minimisation() -> None:
    history = [trial(1.0, value=0.2), trial(2.0, value=0.9)]
    assert observe(history, SPACE, "maximize").loss.tolist() == [-0.2, -0.9]
    assert observe(history, SPACE, "minimize").loss.tolist() == [0.2, 0.9]


def test_observations_are_encoded_in_history_order() -> None:
    obs = observe([trial(5.0, value=1.0, c="b"), trial(0.0, value=2.0)], SPACE, "minimize")
    assert obs.X.tolist() == [[0.5, 0.0, 1.0], [0.0, 1.0, 0.0]]
    assert obs.params == [{"x": 5.0, "c": "b"}, {"x": 0.0, "c": "a"}]


def test_early_stopped_trial_uses_last_finite_curve_point() -> None:
    obs = observe([trial(1.0, "early_stopped", curve=[0.1, 0.4, float("nan")])], SPACE, "maximize")
    assert obs.loss.tolist() == [-0.4]
    assert obs.early_stopped.tolist() == [True]


def test_early_stopped_value_wins_over_curve() -> None:
    assert trial_value(trial(1.0, "early_stopped", value=0.7, curve=[0.1])) == 0.7


def test_running_and_queued_trials_are_pending_not_observations() -> None:
    obs = observe([trial(1.0, "running"), trial(2.0, "queued")], SPACE, "maximize")
    assert obs.n_obs == 0
    assert obs.pending_params == [{"x": 1.0, "c": "a"}, {"x": 2.0, "c": "a"}]
    assert obs.X_pending.shape == (2, SPACE.n_dims)


@pytest.mark.parametrize("status", ["failed", "canceled", "lost"])
def test_unfinished_trials_are_seen_but_teach_nothing(status: str) -> None:
    obs = observe([trial(3.0, status, value=0.5)], SPACE, "maximize")
    assert obs.n_obs == 0 and obs.pending_params == []
    assert params_key({"x": 3.0, "c": "a"}) in obs.seen


@pytest.mark.parametrize("value", [None, float("nan"), float("inf"), "oops"])
def test_completed_trial_without_finite_value_counts_as_failed(value: Any) -> None:
    obs = observe([trial(3.0, value=value)], SPACE, "maximize")
    assert obs.n_obs == 0 and len(obs.seen) == 1


def test_trials_outside_the_space_are_only_seen() -> None:
    obs = observe([trial(42.0, value=1.0), trial(1.0, "running", c="zzz")], SPACE, "maximize")
    assert obs.n_obs == 0 and obs.pending_params == [] and len(obs.seen) == 2


def test_empty_history_gives_empty_arrays_of_the_right_width() -> None:
    obs = observe([], SPACE, "maximize")
    assert obs.X.shape == (0, SPACE.n_dims) and obs.loss.shape == (0,)
    assert obs.best() is None and obs.n_trials == 0


def test_best_is_the_lowest_loss() -> None:
    obs = observe([trial(1.0, value=0.2), trial(2.0, value=0.9)], SPACE, "maximize")
    assert obs.best() == {"x": 2.0, "c": "a"}


def test_n_trials_counts_every_status() -> None:
    history = [trial(1.0, "failed"), trial(2.0, "running"), trial(3.0, value=1.0)]
    assert observe(history, SPACE, "maximize").n_trials == 3


def test_unknown_status_is_refused() -> None:
    with pytest.raises(SearchError, match="status must be one of .* got status='done'"):
        observe([trial(1.0, "done")], SPACE, "maximize")


def test_params_must_be_an_object() -> None:
    with pytest.raises(SearchError, match=r"history\[0\]: params"):
        observe([{"params": [1], "status": "completed", "value": 1.0}], SPACE, "maximize")


def test_params_key_ignores_order_and_int_float_difference() -> None:
    assert params_key({"a": 1, "b": "x"}) == params_key({"b": "x", "a": 1.0})
    assert params_key({"a": True}) != params_key({"a": 1})


@pytest.mark.parametrize(("given", "expected"), [("max", "maximize"), (" Minimize ", "minimize")])
def test_goal_aliases(given: str, expected: str) -> None:
    assert check_goal(given) == expected


def test_bad_goal_is_refused() -> None:
    with pytest.raises(SamplerParamError, match="got goal='best'"):
        check_goal("best")


def test_observe_accepts_numpy_scalars_as_values() -> None:
    obs = observe([trial(1.0, value=np.float32(0.5))], SPACE, "minimize")
    assert obs.loss.tolist() == [0.5]


def test_params_key_treats_numpy_scalars_like_python_numbers() -> None:
    assert params_key({"a": np.float64(0.5), "b": np.int64(2)}) == params_key({"a": 0.5, "b": 2})
    assert params_key({"a": np.bool_(True)}) == params_key({"a": True})


def test_params_key_accepts_unhashable_values() -> None:
    assert params_key({"a": [1, 2]}) == params_key({"a": [1, 2]}) != params_key({"a": [1]})


MIXED = SearchSpace.from_json(
    {
        "lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
        "layers": {"type": "int", "low": 1, "high": 8},
        "q": {"type": "quniform", "low": 0, "high": 1, "q": 0.25},
        "act": {"type": "choice", "values": ["relu", 1, True, None]},
    }
)


def mixed_history(n: int, seed: int) -> list[dict[str, Any]]:
    """Trials of every status, with the values a database or a hand edit may hand back."""
    rng = np.random.default_rng(seed)
    oddities: list[Any] = [float("nan"), 9, 1.5, "relu", 2, None, np.float64(0.5), np.int64(3)]
    statuses = ["completed", "completed", "early_stopped", "failed", "running", "queued", "lost"]
    history = []
    for _ in range(n):
        params = MIXED.sample(rng)
        roll = rng.random()
        name = MIXED.names[int(rng.integers(len(MIXED.names)))]
        if roll < 0.2:
            params[name] = oddities[int(rng.integers(len(oddities)))]
        elif roll < 0.25:
            params["extra"] = 1
        elif roll < 0.3:
            del params[name]
        elif roll < 0.4 and isinstance(params[name], float) and params[name].is_integer():
            params[name] = int(params[name])
        values: list[Any] = [float(rng.random()), None, float("inf"), "0.5", np.float32(0.75), 2]
        history.append(
            {
                "params": params,
                "value": values[int(rng.integers(len(values)))],
                "status": statuses[int(rng.integers(len(statuses)))],
                "curve": [float(rng.random()), float("nan")] if rng.random() < 0.5 else [],
            }
        )
    return history


@pytest.mark.parametrize("seed", range(5))
def test_observe_agrees_with_judging_each_trial_alone(seed: int) -> None:
    history = mixed_history(120, seed)
    obs = observe(history, MIXED, "minimize")
    inside = [t for t in history if MIXED.contains(t["params"])]
    learnt = [
        t
        for t in inside
        if t["status"] in ("completed", "early_stopped") and trial_value(t) is not None
    ]
    pending = [t for t in inside if t["status"] in ("running", "queued")]
    assert obs.params == [t["params"] for t in learnt]
    assert obs.loss.tolist() == [trial_value(t) for t in learnt]
    assert obs.early_stopped.tolist() == [t["status"] == "early_stopped" for t in learnt]
    assert obs.X.tolist() == [MIXED.encode(t["params"]).tolist() for t in learnt]
    assert obs.pending_params == [t["params"] for t in pending]
    assert obs.X_pending.tolist() == [MIXED.encode(t["params"]).tolist() for t in pending]
    assert obs.seen == {params_key(t["params"]) for t in history}


def test_observations_are_copies_of_the_history_params() -> None:
    history = [trial(1.0, value=0.5)]
    obs = observe(history, SPACE, "maximize")
    obs.params[0]["x"] = 2.0
    assert history[0]["params"]["x"] == 1.0
