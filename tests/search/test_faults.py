"""Inputs users really send: each kind of fault, with the value the library must give.

One test per kind (the example that showed it), then property tests that look for other
members of the same kind: no accepted spec makes a sampler raise or leave the space, and
no positive scale and shift of the values changes importance or a suggestion.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from scipy.special import ndtri

import search.samplers  # noqa: F401  (registers every sampler)
from search import SearchSpace, importance, make_policy, make_sampler
from search.distributions import TAIL
from search.errors import SpaceError, SpaceExhausted
from search.samplers import list_samplers
from search.stopping import list_policies

SAMPLERS = [entry["name"] for entry in list_samplers()]
# Small starts, so that a short history already reaches every model.
FAST = {
    "grid": {"resolution": 3},
    "tpe": {"n_initial_points": 2},
    "bayesian": {"n_initial_points": 2},
    "smac": {"n_initial_points": 2},
}
UNIT_XY = {
    "x": {"type": "uniform", "low": 0, "high": 1},
    "y": {"type": "uniform", "low": 0, "high": 1},
}


def completed(params: dict[str, Any], value: float) -> dict[str, Any]:
    return {"params": params, "value": value, "status": "completed", "curve": [value]}


def prior_history(space: SearchSpace, values: list[float], seed: int = 0) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [completed(space.sample(rng), value) for value in values]


def xy_history(n: int, value: Any) -> list[dict[str, Any]]:
    rng = np.random.default_rng(4)
    return [
        completed({"x": float(x), "y": float(y)}, value(float(x), float(y)))
        for x, y in rng.random((n, 2))
    ]


# --------------------------------------------------------------- derived quantities overflow


def test_loguniform_in_natural_units_is_refused_when_the_spec_is_read() -> None:
    with pytest.raises(SpaceError, match=r"C: loguniform: exp\(high\) overflows.*exponents"):
        SearchSpace.from_json({"C": {"type": "loguniform", "low": 1, "high": 1000}})


@pytest.mark.parametrize(
    "spec",
    [
        {"type": "uniform", "low": -1e308, "high": 1e308},
        {"type": "float", "low": -1e308, "high": 1e308},
        {"type": "float", "low": 0, "high": 1, "step": 1e-300},
        {"type": "quniform", "low": 0, "high": 1e300, "q": 1e-300},
        {"type": "normal", "mu": 0, "sigma": 1e308},
        {"type": "lognormal", "mu": 700, "sigma": 10},
        {"type": "lognormal", "mu": -745, "sigma": 1},
        {"type": "loguniform", "low": -800, "high": 0},
        {"type": "int", "low": 0, "high": 10**400},
        {"type": "choice", "values": [1, 10**400]},
    ],
)
def test_specs_whose_derived_quantities_overflow_are_refused(spec: dict[str, Any]) -> None:
    with pytest.raises(SpaceError, match="p: "):
        SearchSpace.from_json({"p": spec})


# --------------------------------------------------------------- values of any magnitude


def test_importance_of_huge_finite_values_is_that_of_the_values() -> None:
    history = xy_history(6, lambda x, y: (1 + x) * 5e307)
    result = importance(history, UNIT_XY)
    assert result["x"]["mean"] > result["y"]["mean"]
    assert math.isclose(result["x"]["mean"] + result["y"]["mean"], 1.0)


def test_importance_is_not_silently_zero_for_values_near_1e155() -> None:
    result = importance(xy_history(12, lambda x, y: x * 1e155), UNIT_XY)
    assert result["x"]["mean"] > 0.5


@pytest.mark.parametrize("scale, shift", [(1e200, 0.0), (3.0, -7.5)])
def test_importance_is_invariant_to_a_positive_scale_and_shift(scale: float, shift: float) -> None:
    history = xy_history(12, lambda x, y: x + 0.3 * y)
    moved = [{**h, "value": h["value"] * scale + shift} for h in history]
    assert importance(moved, UNIT_XY) == importance(history, UNIT_XY)


@pytest.mark.parametrize("name", ["bayesian", "smac"])
@pytest.mark.parametrize("scale, shift", [(1e200, 0.0), (5e307, 0.0), (1e-150, 2e-150)])
def test_surrogate_samplers_are_invariant_to_a_positive_scale_of_the_values(
    name: str, scale: float, shift: float
) -> None:
    history = xy_history(8, lambda x, y: (x - 0.3) ** 2 + (y - 0.6) ** 2 + 0.1)
    moved = [{**h, "value": h["value"] * scale + shift} for h in history]
    space = SearchSpace.from_json(UNIT_XY)
    original = make_sampler(name, space, goal="minimize", seed=1, **FAST[name])
    suggested = original.suggest(history, n=2)
    again = original.suggest(moved, n=2)
    assert np.allclose(space.encode_many(again), space.encode_many(suggested), atol=1e-6)


# --------------------------------------------------------------- one key for "tried"


DROP = {"drop": {"type": "float", "low": 0, "high": 0.5, "step": 0.1}}


def test_grid_knows_values_written_by_another_tool_were_tried() -> None:
    history = [completed({"drop": k * 0.1}, 1.0) for k in range(6)]
    assert history[3]["params"]["drop"] == 0.30000000000000004
    with pytest.raises(SpaceExhausted):
        make_sampler("grid", DROP).suggest(history, n=1)


@pytest.mark.parametrize("name", SAMPLERS)
def test_no_sampler_proposes_a_lattice_value_tried_under_another_spelling(name: str) -> None:
    # Five of the six values tried, written as k * 0.1: only 0.2 is new.
    history = [completed({"drop": k * 0.1}, float(k)) for k in (0, 1, 3, 4, 5)]
    sampler = make_sampler(name, DROP, seed=2, **FAST.get(name, {}))
    assert sampler.suggest(history, n=1) == [{"drop": 0.2}]


# --------------------------------------------------------------- too few comparators


@pytest.mark.parametrize("name", ["median_stopping", "truncation_selection"])
def test_trials_that_ended_earlier_keep_counting_as_comparators(name: str) -> None:
    others = [[0.60] * 10] * 4 + [[0.62] * 100]
    finished = [True] * 4 + [False]
    policy = make_policy(name)
    for n in (10, 11, 12):
        assert policy.should_stop([0.61] * n, others, "maximize", finished=finished) is False


def test_every_comparing_policy_takes_a_minimum_number_of_comparators() -> None:
    takes = {
        entry["name"]
        for entry in list_policies()
        if any(param["name"] == "min_comparators" for param in entry["params"])
    }
    assert takes == {"bandit", "curve_fitting", "median_stopping", "truncation_selection"}


# --------------------------------------------------------------- unbounded priors


def test_model_proposals_stay_in_the_credible_range_of_unbounded_priors() -> None:
    space = SearchSpace.from_json(
        {
            "w": {"type": "normal", "mu": 0, "sigma": 1},
            "lr": {"type": "lognormal", "mu": -6.9, "sigma": 1},
        }
    )
    z = -float(ndtri(TAIL))  # about 3.09 sigma
    sampler = make_sampler("bayesian", space, goal="maximize", seed=0, n_initial_points=4)
    history: list[dict[str, Any]] = []
    for _ in range(8):
        for point in sampler.suggest(history, n=2):
            # Best at the edges: an acquisition that trusts the box's corners goes there.
            history.append(completed(point, abs(point["w"]) + abs(math.log(point["lr"]) + 6.9)))
    for trial in history:
        assert abs(trial["params"]["w"]) <= z + 1e-9
        assert abs(math.log(trial["params"]["lr"]) + 6.9) <= z + 1e-9


# --------------------------------------------------------------- one vocabulary for the goal


@pytest.mark.parametrize("spelling", ["min", "MIN", "minimize", " Minimise "])
def test_samplers_and_policies_take_the_same_goal_spellings(spelling: str) -> None:
    make_sampler("random", UNIT_XY, goal=spelling)
    policy = make_policy("bandit", slack_amount=0.1)
    assert policy.should_stop([1.0], [[0.5]], goal=spelling) is True


# --------------------------------------------------------------- check_options without a space


def _bad_values(param: dict[str, Any]) -> list[Any]:
    bad: list[Any] = ["not-a-value"] if param["type"] != "str" else []
    if param["min"] is not None:
        bad.append(param["min"] - 1)
    if param["max"] is not None:
        bad.append(param["max"] + 1)
    if param["choices"] is not None:
        bad.append("bogus")
    return bad


CASES = [
    (entry["name"], param["name"], value)
    for entry in list_samplers()
    for param in entry["params"]
    for value in _bad_values(param)
] + [(entry["name"], "bogus", 1) for entry in list_samplers()]


@pytest.mark.parametrize("name, param, value", CASES)
def test_check_options_refuses_what_make_sampler_refuses(name: str, param: str, value: Any) -> None:
    cls = search.samplers.get_sampler_class(name)
    with pytest.raises(Exception) as by_sampler:
        make_sampler(name, {"x": {"type": "choice", "values": [0, 1]}}, **{param: value})
    with pytest.raises(Exception) as by_check:
        cls.check_options(**{param: value})
    assert type(by_check.value) is type(by_sampler.value)
    assert str(by_check.value) == str(by_sampler.value)


# --------------------------------------------------------------- properties

FINITE = st.floats(allow_nan=False, allow_infinity=False)
MODERATE = st.floats(min_value=-50, max_value=50, allow_nan=False)
BOUND = st.one_of(MODERATE, FINITE)
POSITIVE = st.one_of(
    st.floats(min_value=1e-6, max_value=20),
    st.floats(min_value=5e-324, max_value=1.7e308),
)


@st.composite
def param_specs(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            ["uniform", "loguniform", "normal", "lognormal", "float", "int", "choice", "randint"]
        )
    )
    q = draw(st.none() | POSITIVE)
    if kind in ("uniform", "loguniform"):
        spec: dict[str, Any] = {"type": kind, "low": draw(BOUND), "high": draw(BOUND)}
    elif kind in ("normal", "lognormal"):
        spec = {"type": kind, "mu": draw(BOUND), "sigma": draw(POSITIVE)}
    elif kind == "float":
        spec = {"type": "float", "low": draw(BOUND), "high": draw(BOUND)}
        spec["log"] = draw(st.booleans())
        spec["step"] = None if spec["log"] else draw(st.none() | POSITIVE)
        return spec
    elif kind == "int":
        bounds = st.integers(-(2**60), 2**60) | st.integers(-20, 20)
        spec = {"type": "int", "low": draw(bounds), "high": draw(bounds)}
        spec["log"] = draw(st.booleans())
        spec["step"] = 1 if spec["log"] else draw(st.integers(1, 2**55))
        return spec
    elif kind == "randint":
        return {"type": "randint", "upper": draw(st.integers(1, 2**60))}
    else:
        values = st.one_of(st.integers(-5, 5), MODERATE, st.text(max_size=3), st.booleans())
        return {"type": "choice", "values": draw(st.lists(values, min_size=1, max_size=4))}
    if q is not None:
        spec = {**spec, "type": "q" + kind, "q": q}
    return spec


def accepted(spec: dict[str, dict[str, Any]]) -> SearchSpace | None:
    try:
        return SearchSpace.from_json(spec)
    except SpaceError:
        return None


@settings(
    max_examples=15,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow],
)
@given(
    specs=st.lists(param_specs(), min_size=1, max_size=3),
    values=st.lists(FINITE, min_size=4, max_size=4),
)
def test_no_accepted_spec_makes_any_sampler_raise_or_leave_the_space(
    specs: list[dict[str, Any]], values: list[float]
) -> None:
    space = accepted({f"p{i}": spec for i, spec in enumerate(specs)})
    assume(space is not None)
    assert space is not None
    history = prior_history(space, values)
    for name in SAMPLERS:
        sampler = make_sampler(name, space, seed=3, **FAST.get(name, {}))
        try:
            points = sampler.suggest(history, n=2)
        except SpaceExhausted:
            continue  # a grid of at most a few points, all tried
        assert all(space.contains(point) for point in points), (name, points)


@settings(max_examples=20, deadline=None, derandomize=True)
@given(
    scale=st.floats(min_value=1e-200, max_value=1e200),
    shift=st.floats(min_value=-1e3, max_value=1e3),
    name=st.sampled_from(["tpe", "anneal", "random", "grid"]),
)
def test_suggestions_are_invariant_to_a_positive_affine_map_of_the_values(
    scale: float, shift: float, name: str
) -> None:
    shift *= scale  # a shift of the size of the values, so no digit is lost
    history = xy_history(12, lambda x, y: (x - 0.3) ** 2 + y)
    moved = [{**h, "value": h["value"] * scale + shift} for h in history]
    assume(len({h["value"] for h in moved}) == len(moved))
    sampler = make_sampler(name, UNIT_XY, goal="minimize", seed=5, **FAST.get(name, {}))
    assert sampler.suggest(moved, n=3) == sampler.suggest(history, n=3)
