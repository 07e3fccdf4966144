"""One contract every registered sampler must honour.

In-space, deterministic per seed, n parallel distinct points, sensible with failed,
running and early-stopped trials, unseen points first, bad parameters refused.
Per-algorithm tests add exact expectations in their own files.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import search.samplers  # noqa: F401  (registers every sampler)
from search.errors import SamplerParamError, SpaceExhausted
from search.history import params_key
from search.samplers.base import Sampler
from search.samplers.registry import get_sampler_class, list_samplers, make_sampler
from search.space import SearchSpace

NAMES = [entry["name"] for entry in list_samplers()]
# Parameters without which a sampler cannot take a continuous space.
NEEDS = {"grid": {"resolution": 4}}

MIXED = SearchSpace.from_json(
    {
        "lr": {"type": "float", "low": 1e-4, "high": 1e-1, "log": True},
        "batch": {"type": "choice", "values": [16, 32, 64]},
        "layers": {"type": "int", "low": 1, "high": 6},
        "dropout": {"type": "quniform", "low": 0.0, "high": 0.5, "q": 0.1},
        "momentum": {"type": "normal", "mu": 0.9, "sigma": 0.02},
    }
)
TINY = SearchSpace.from_json(
    {"a": {"type": "choice", "values": ["x", "y"]}, "b": {"type": "randint", "upper": 2}}
)


def build(name: str, space: SearchSpace = MIXED, **params: Any) -> Sampler:
    return make_sampler(name, space, **{**NEEDS.get(name, {}), **params})


def warm(name: str) -> dict[str, Any]:
    """Parameters that make a model-based sampler leave its random start-up at once, so
    that short test histories reach the model."""
    specs = {s.name: s for s in get_sampler_class(name).params}
    if "n_initial_points" not in specs:
        return {}
    return {"n_initial_points": int(specs["n_initial_points"].min or 1)}


def objective(params: dict[str, Any]) -> float:
    return -((np.log10(params["lr"]) + 2.5) ** 2) - abs(params["layers"] - 3) / 3


def finished_history(n: int, seed: int = 0) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    history = []
    for i in range(n):
        params = MIXED.sample(rng)
        status = ("completed", "completed", "early_stopped", "failed", "lost")[i % 5]
        value = objective(params) if status == "completed" else None
        curve = [objective(params) - 1.0] if status == "early_stopped" else []
        history.append({"params": params, "value": value, "status": status, "curve": curve})
    return history


def with_pending(
    history: list[dict[str, Any]], points: list[dict[str, Any]], status: str
) -> list[dict[str, Any]]:
    return history + [{"params": p, "value": None, "status": status, "curve": []} for p in points]


def test_every_expected_sampler_is_registered() -> None:
    assert {"random", "grid"} <= set(NAMES)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(("n_done", "started"), [(0, False), (14, False), (14, True)])
def test_suggestions_are_in_space_and_distinct(name: str, n_done: int, started: bool) -> None:
    history = finished_history(n_done)
    params = warm(name) if started else {}
    points = build(name, goal="maximize", seed=3, **params).suggest(history, n=4)
    assert len(points) == 4
    assert all(MIXED.contains(p) for p in points), points
    keys = {params_key(p) for p in points}
    assert len(keys) == 4
    assert not keys & {params_key(t["params"]) for t in history}


@pytest.mark.parametrize("name", NAMES)
def test_same_history_and_seed_give_the_same_points(name: str) -> None:
    history = finished_history(12)
    first = build(name, seed=11, **warm(name)).suggest(history, n=3)
    again = build(name, seed=11, **warm(name)).suggest(history, n=3)
    assert first == again


@pytest.mark.parametrize("name", [n for n in NAMES if n != "grid"])
def test_different_seeds_give_different_points(name: str) -> None:
    history = finished_history(12)
    assert build(name, seed=1).suggest(history, n=2) != build(name, seed=2).suggest(history, n=2)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("status", ["running", "queued"])
def test_pending_points_are_never_proposed_again(name: str, status: str) -> None:
    sampler = build(name, seed=5, **warm(name))
    history = finished_history(10)
    pending = sampler.suggest(history, n=3)
    following = sampler.suggest(with_pending(history, pending, status), n=3)
    assert len(following) == 3
    assert not {params_key(p) for p in following} & {params_key(p) for p in pending}


@pytest.mark.parametrize("name", NAMES)
def test_all_failed_history_still_gives_points(name: str) -> None:
    rng = np.random.default_rng(0)
    history = [
        {"params": MIXED.sample(rng), "value": None, "status": "failed", "curve": []}
        for _ in range(8)
    ]
    points = build(name, seed=0).suggest(history, n=2)
    assert len(points) == 2 and all(MIXED.contains(p) for p in points)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("goal", ["minimize", "maximize"])
def test_both_goals_work(name: str, goal: str) -> None:
    points = build(name, goal=goal, seed=0, **warm(name)).suggest(finished_history(12), n=2)
    assert len(points) == 2


@pytest.mark.parametrize("name", NAMES)
def test_unseen_point_comes_first_in_a_nearly_exhausted_space(name: str) -> None:
    done = [{"a": "x", "b": 0}, {"a": "x", "b": 1}, {"a": "y", "b": 0}]
    history = [
        {"params": p, "value": float(i), "status": "completed", "curve": []}
        for i, p in enumerate(done)
    ]
    points = build(name, TINY, seed=0, **warm(name)).suggest(history, n=3)
    assert {"a": "y", "b": 1} in points
    assert len({params_key(p) for p in points}) == len(points)
    assert all(TINY.contains(p) for p in points)


@pytest.mark.parametrize("name", NAMES)
def test_a_space_full_of_pending_trials_gives_nothing(name: str) -> None:
    history = with_pending([], TINY.grid(), "running")
    try:
        points = build(name, TINY, seed=0).suggest(history, n=2)
    except SpaceExhausted:
        return
    assert points == []


@pytest.mark.parametrize("name", NAMES)
def test_n_zero_gives_no_points_and_bad_n_is_refused(name: str) -> None:
    sampler = build(name)
    assert sampler.suggest([], n=0) == []
    with pytest.raises(SamplerParamError):
        sampler.suggest([], n=-1)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_parameter_is_refused(name: str) -> None:
    with pytest.raises(SamplerParamError, match="no parameter bogus"):
        build(name, bogus=1)


@pytest.mark.parametrize("name", NAMES)
def test_bad_goal_and_seed_are_refused(name: str) -> None:
    with pytest.raises(SamplerParamError):
        build(name, goal="best")
    with pytest.raises(SamplerParamError):
        build(name, seed=-1)


def _out_of_range(entry: dict[str, Any]) -> list[tuple[str, Any]]:
    bad: list[tuple[str, Any]] = [(entry["name"], object())]
    if entry["min"] is not None:
        bad.append((entry["name"], entry["min"] - 1))
    if entry["max"] is not None:
        bad.append((entry["name"], entry["max"] + 1))
    if entry["choices"] is not None:
        bad.append((entry["name"], "not-a-choice"))
    return bad


BAD_PARAMS = [
    (sampler["name"], param, value)
    for sampler in list_samplers()
    for spec in sampler["params"]
    for param, value in _out_of_range(spec)
]


@pytest.mark.parametrize(("name", "param", "value"), BAD_PARAMS)
def test_out_of_range_parameter_is_refused(name: str, param: str, value: Any) -> None:
    with pytest.raises(SamplerParamError, match=param):
        build(name, **{param: value})


@pytest.mark.parametrize("entry", list_samplers(), ids=lambda e: e["name"])
def test_listing_describes_every_parameter_and_defaults_build(entry: dict[str, Any]) -> None:
    assert entry["description"]
    for spec in entry["params"]:
        assert set(spec) == {"name", "type", "default", "min", "max", "choices", "description"}
        assert spec["type"] in ("float", "int", "str", "bool")
    # Defaults passed back explicitly, as a form would, must build the same sampler.
    defaults = {s["name"]: s["default"] for s in entry["params"] if s["default"] is not None}
    sampler = build(entry["name"], **defaults)
    assert all(sampler.options[k] == v for k, v in defaults.items())
    # The seed is blank in the listing: a job seeds each sampler from its own seed.
    assert "seed" not in defaults and build(entry["name"], seed=None).seed == 0


@pytest.mark.parametrize("entry", list_samplers(), ids=lambda e: e["name"])
def test_aliases_resolve_to_the_same_sampler(entry: dict[str, Any]) -> None:
    for alias in entry["aliases"]:
        assert type(build(alias)).name == entry["name"]
        assert get_sampler_class(alias.upper()).name == entry["name"]


def test_unknown_sampler_is_refused_with_the_known_names() -> None:
    with pytest.raises(SamplerParamError, match="Unknown search algorithm 'hillclimb'.*random"):
        make_sampler("hillclimb", MIXED)


def test_make_sampler_accepts_a_json_spec() -> None:
    sampler = make_sampler("random", MIXED.to_json(), seed=1)
    assert sampler.space == MIXED
