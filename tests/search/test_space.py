"""Search spaces: spec forms, validation messages, the unit box, grids, and properties."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from search.distributions import (
    CategoricalDistribution,
    FloatDistribution,
    IntDistribution,
    LogNormalDistribution,
    LogUniformDistribution,
    NormalDistribution,
    UniformDistribution,
)
from search.errors import SearchError, SpaceError
from search.space import SearchSpace

MIXED = {
    "lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
    "batch": {"type": "choice", "values": [16, 32, 64]},
    "layers": {"type": "int", "low": 1, "high": 8},
    "dropout": {"type": "quniform", "low": 0.0, "high": 0.5, "q": 0.05},
    "momentum": {"type": "normal", "mu": 0.9, "sigma": 0.02},
    "act": {"type": "str", "values": ["relu", "tanh"]},
}


def draws(space: SearchSpace, n: int = 500, seed: int = 0) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    return [space.sample(rng) for _ in range(n)]


# ----------------------------------------------------------------- spec forms


def test_loguniform_takes_hyperdrive_exponents() -> None:
    space = SearchSpace.from_json({"lr": {"type": "loguniform", "low": -11.5, "high": -2.3}})
    values = [p["lr"] for p in draws(space, 4000)]
    assert min(values) >= math.exp(-11.5) and max(values) <= math.exp(-2.3)
    # Log-uniform: the median sits at the geometric middle of the range.
    assert abs(math.log(float(np.median(values))) - (-11.5 - 2.3) / 2) < 0.5


def test_randint_is_zero_to_upper_minus_one() -> None:
    space = SearchSpace.from_json({"k": {"type": "randint", "upper": 4}})
    assert {p["k"] for p in draws(space)} == {0, 1, 2, 3}


def test_choice_range_follows_python_range() -> None:
    dist = SearchSpace.from_json({"b": {"type": "choice", "values": {"range": [8, 33, 8]}}})["b"]
    assert dist.choices == (8, 16, 24, 32)


def test_bool_without_values_is_false_or_true() -> None:
    assert SearchSpace.from_json({"flag": {"type": "bool"}})["flag"].choices == (False, True)


def test_modelarts_categorical_forms_become_choices() -> None:
    space = SearchSpace.from_json(
        {"a": {"type": "categorical", "values": ["x", "y"]}, "b": {"type": "str", "values": ["z"]}}
    )
    assert all(isinstance(d, CategoricalDistribution) for d in space.dists.values())


@pytest.mark.parametrize(
    ("spec", "cls"),
    [
        ({"type": "uniform", "low": 0, "high": 1}, UniformDistribution),
        ({"type": "quniform", "low": 0, "high": 10, "q": 2}, UniformDistribution),
        ({"type": "loguniform", "low": -3, "high": 0}, LogUniformDistribution),
        ({"type": "qloguniform", "low": 0, "high": 5, "q": 1}, LogUniformDistribution),
        ({"type": "normal", "mu": 0, "sigma": 1}, NormalDistribution),
        ({"type": "qnormal", "mu": 0, "sigma": 10, "q": 1}, NormalDistribution),
        ({"type": "lognormal", "mu": 0, "sigma": 1}, LogNormalDistribution),
        ({"type": "qlognormal", "mu": 2, "sigma": 1, "q": 1}, LogNormalDistribution),
        ({"type": "float", "low": 0, "high": 1, "step": 0.1}, FloatDistribution),
        ({"type": "int", "low": 1, "high": 64, "log": True}, IntDistribution),
    ],
)
def test_every_spec_form_builds_and_samples_inside(spec: dict[str, Any], cls: type) -> None:
    space = SearchSpace.from_json({"p": spec})
    assert isinstance(space["p"], cls)
    assert all(space.contains(p) for p in draws(space, 200))


def test_whole_number_q_gives_ints() -> None:
    space = SearchSpace.from_json({"units": {"type": "quniform", "low": 32, "high": 256, "q": 32}})
    values = {p["units"] for p in draws(space)}
    assert all(isinstance(v, int) and v % 32 == 0 for v in values)
    assert values == {32, 64, 96, 128, 160, 192, 224, 256}


def test_quniform_rounds_like_hyperdrive_at_the_edges() -> None:
    # round(uniform(0.05, 1) / 0.1) * 0.1 can give 0.0 (half to even), as HyperDrive does.
    dist = SearchSpace.from_json({"d": {"type": "quniform", "low": 0.05, "high": 1, "q": 0.1}})["d"]
    assert dist.from_unit(0.0) == 0.0
    assert dist.contains(0.0) and not dist.contains(-0.1) and not dist.contains(0.15)


def test_float_step_lattice_starts_at_low() -> None:
    dist = FloatDistribution(0.1, 0.95, step=0.2)
    assert dist.grid_values() == [0.1, 0.3, 0.5, 0.7, 0.9]
    assert dist.contains(0.7) and not dist.contains(0.8) and not dist.contains(1.1)


def test_int_values_are_equally_likely() -> None:
    space = SearchSpace.from_json({"k": {"type": "int", "low": 1, "high": 3}})
    counts = np.bincount([p["k"] for p in draws(space, 3000)], minlength=4)[1:]
    assert counts.min() > 900


def test_true_is_not_one_in_a_choice() -> None:
    dist = CategoricalDistribution((1, "1", True))
    assert dist.index(True) == 2 and dist.index(1.0) == 0 and dist.index("1") == 1


# ----------------------------------------------------------------- errors echo the value


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"type": "float", "low": 3, "high": 1}, "low must be < high, got low=3.0, high=1.0"),
        ({"type": "float", "low": 0, "high": 1, "log": True}, "low must be > 0 when log"),
        ({"type": "int", "low": 1.5, "high": 3}, "low must be an integer, got low=1.5"),
        ({"type": "int", "low": 1, "high": 9, "log": True, "step": 2}, "step must be 1 when log"),
        ({"type": "uniform", "low": 0, "high": "1"}, "high must be a finite number, got high='1'"),
        ({"type": "normal", "mu": 0, "sigma": 0}, "sigma must be > 0, got sigma=0"),
        ({"type": "quniform", "low": 0, "high": 1, "q": -1}, "q must be > 0, got q=-1"),
        ({"type": "choice", "values": []}, "values must not be empty"),
        ({"type": "choice", "values": [1, 1.0]}, "values must be distinct"),
        ({"type": "choice", "values": [[1]]}, "got [1]"),
        ({"type": "randint", "upper": 0}, "upper must be an integer >= 1, got upper=0"),
        ({"type": "gaussian", "mu": 0}, "type must be one of"),
        ({"type": "uniform", "low": 0}, "uniform needs high (it takes high, low; given: low)"),
        (
            {"type": "float", "low": "a"},
            "float needs high (it takes high, low, log, step; given: low)",
        ),
        (
            {"type": "uniform", "low": 0, "high": 1, "hgih": 2},
            "unknown field(s) hgih for uniform (it takes high, low)",
        ),
    ],
)
def test_bad_spec_names_param_and_echoes_value(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(SpaceError) as caught:
        SearchSpace.from_json({"lr": spec})
    assert str(caught.value).startswith("lr: ")
    assert message in str(caught.value)


def test_space_errors_are_value_errors() -> None:
    assert issubclass(SpaceError, SearchError) and issubclass(SearchError, ValueError)


def test_empty_space_is_refused() -> None:
    with pytest.raises(SpaceError):
        SearchSpace.from_json({})


# ----------------------------------------------------------------- the unit box


def test_encode_gives_one_hot_blocks_for_choices() -> None:
    space = SearchSpace.from_json(MIXED)
    assert space.n_dims == 1 + 3 + 1 + 1 + 1 + 2
    x = space.encode({**draws(space, 1)[0], "batch": 64, "act": "relu"})
    assert x[space.columns["batch"]].tolist() == [0.0, 0.0, 1.0]
    assert x[space.columns["act"]].tolist() == [1.0, 0.0]
    assert ((x >= 0) & (x <= 1)).all()


def test_decode_of_any_box_point_is_in_space() -> None:
    space = SearchSpace.from_json(MIXED)
    rng = np.random.default_rng(1)
    for x in rng.uniform(-0.5, 1.5, size=(300, space.n_dims)):
        assert space.contains(space.decode(x))


def test_decode_inverts_encode() -> None:
    space = SearchSpace.from_json(MIXED)
    for params in draws(space, 200):
        decoded = space.decode(space.encode(params))
        assert decoded == pytest.approx(params)


def test_encode_many_shape() -> None:
    space = SearchSpace.from_json(MIXED)
    assert space.encode_many(draws(space, 7)).shape == (7, space.n_dims)


def test_unit_coordinates_round_trip_per_parameter() -> None:
    space = SearchSpace.from_json(MIXED)
    for params in draws(space, 100):
        assert space.from_unit(space.to_unit(params)) == pytest.approx(params)


def test_contains_needs_exactly_the_space_names() -> None:
    space = SearchSpace.from_json({"k": {"type": "randint", "upper": 3}})
    assert space.contains({"k": 2})
    assert not space.contains({"k": 2, "extra": 1}) and not space.contains({})


# ----------------------------------------------------------------- grids


def test_grid_enumerates_finite_space_last_parameter_fastest() -> None:
    space = SearchSpace.from_json(
        {"a": {"type": "choice", "values": ["x", "y"]}, "k": {"type": "int", "low": 0, "high": 2}}
    )
    assert space.grid() == [
        {"a": "x", "k": 0},
        {"a": "x", "k": 1},
        {"a": "x", "k": 2},
        {"a": "y", "k": 0},
        {"a": "y", "k": 1},
        {"a": "y", "k": 2},
    ]


def test_grid_of_continuous_space_needs_resolution() -> None:
    space = SearchSpace.from_json({"lr": {"type": "float", "low": 1e-4, "high": 1, "log": True}})
    with pytest.raises(SpaceError, match="resolution"):
        space.grid()
    assert [p["lr"] for p in space.grid(resolution=5)] == pytest.approx(
        [1e-4, 1e-3, 1e-2, 1e-1, 1.0]
    )


def test_unbounded_grid_takes_quantiles() -> None:
    values = NormalDistribution(0.0, 1.0).grid_values(3)
    assert values[1] == 0.0 and values[0] == pytest.approx(-values[2])


def test_cardinality_is_none_when_any_parameter_is_continuous() -> None:
    assert SearchSpace.from_json(MIXED).cardinality is None
    assert (
        SearchSpace.from_json(
            {"b": {"type": "bool"}, "k": {"type": "randint", "upper": 5}}
        ).cardinality
        == 10
    )


# ----------------------------------------------------------------- properties

finite = st.floats(min_value=-1e3, max_value=1e3, allow_nan=False)
positive = st.floats(min_value=1e-3, max_value=1e3, allow_nan=False)
steps = st.sampled_from([0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.0, 5.0])
scalars = st.one_of(st.integers(-100, 100), st.text(max_size=5), st.booleans(), st.floats(-10, 10))


@st.composite
def param_specs(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(
        st.sampled_from(
            ["choice", "uniform", "loguniform", "normal", "lognormal", "float", "int", "randint"]
        )
    )
    q = draw(st.one_of(st.none(), steps))
    if kind == "choice":
        values = draw(st.lists(scalars, min_size=1, max_size=6, unique_by=_scalar_key))
        return {"type": "choice", "values": values}
    if kind in ("uniform", "loguniform"):
        low = draw(st.floats(-5, 5))
        high = low + draw(st.floats(0.1, 5))
        spec = {"type": kind, "low": low, "high": high}
    elif kind in ("normal", "lognormal"):
        spec = {"type": kind, "mu": draw(st.floats(-2, 2)), "sigma": draw(st.floats(0.1, 2))}
    elif kind == "float":
        low = draw(positive)
        high = low + draw(st.floats(0.5, 100))
        step = draw(st.one_of(st.none(), steps.filter(lambda s: s <= high - low)))
        return {"type": "float", "low": low, "high": high, "log": draw(st.booleans()), "step": step}
    elif kind == "int":
        low = draw(st.integers(1, 3) | st.integers(-50, 50))
        log = low >= 1 and draw(st.booleans())
        return {
            "type": "int",
            "low": low,
            "high": low + draw(st.integers(0, 200)),
            "log": log,
            "step": 1 if log else draw(st.integers(1, 5)),
        }
    else:
        return {"type": "randint", "upper": draw(st.integers(1, 50))}
    if q is not None:
        spec = {**spec, "type": "q" + spec["type"], "q": q}
    return spec


def _scalar_key(value: Any) -> Any:
    from search.distributions import value_key

    return value_key(value)


spaces = st.dictionaries(
    st.text("abcdefgh", min_size=1, max_size=4), param_specs(), min_size=1, max_size=4
)


@settings(max_examples=150, deadline=None)
@given(spec=spaces)
def test_json_round_trip_gives_an_equal_space(spec: dict[str, dict[str, Any]]) -> None:
    space = SearchSpace.from_json(spec)
    assert SearchSpace.from_json(space.to_json()) == space


@settings(max_examples=150, deadline=None)
@given(spec=spaces, seed=st.integers(0, 2**32))
def test_every_sample_and_every_decoded_point_is_contained(
    spec: dict[str, dict[str, Any]], seed: int
) -> None:
    space = SearchSpace.from_json(spec)
    rng = np.random.default_rng(seed)
    for _ in range(20):
        params = space.sample(rng)
        assert space.contains(params), params
        assert space.contains(space.decode(space.encode(params)))
        assert space.contains(space.decode(rng.random(space.n_dims)))


@settings(max_examples=100, deadline=None)
@given(sizes=st.lists(st.integers(1, 5), min_size=1, max_size=4))
def test_grid_size_is_product_of_choice_sizes(sizes: list[int]) -> None:
    space = SearchSpace.from_json(
        {f"p{i}": {"type": "choice", "values": list(range(k))} for i, k in enumerate(sizes)}
    )
    grid = space.grid()
    assert space.grid_size() == len(grid) == math.prod(sizes)
    assert len({tuple(p.values()) for p in grid}) == len(grid)


@settings(max_examples=150, deadline=None)
@given(
    kind=st.sampled_from(["quniform", "qloguniform", "qnormal", "qlognormal"]),
    a=st.floats(-3, 3),
    width=st.floats(0.1, 4),
    q=steps,
    seed=st.integers(0, 2**32),
)
def test_quantised_values_are_multiples_of_q(
    kind: str, a: float, width: float, q: float, seed: int
) -> None:
    fields = {"low": a, "high": a + width} if "uniform" in kind else {"mu": a, "sigma": width}
    dist = SearchSpace.from_json({"p": {"type": kind, **fields, "q": q}})["p"]
    rng = np.random.default_rng(seed)
    for _ in range(30):
        value = dist.sample(rng)
        ratio = value / q
        assert abs(ratio - round(ratio)) < 1e-6, (value, q)
        assert dist.contains(value)


# ----------------------------------------------------------------- column forms

# Values a history may hold: draws, near misses, other types, numpy scalars, non-finite.
awkward = st.one_of(
    scalars,
    st.floats(-1e6, 1e6),
    st.sampled_from(
        [float("nan"), float("inf"), -0.0, None, [1], np.float64(0.25), np.int64(3), np.bool_(1)]
    ),
)


@settings(max_examples=150, deadline=None)
@given(spec=param_specs(), seed=st.integers(0, 2**32), others=st.lists(awkward, max_size=8))
def test_column_forms_agree_with_the_scalar_methods(
    spec: dict[str, Any], seed: int, others: list[Any]
) -> None:
    dist = SearchSpace.from_json({"p": spec})["p"]
    rng = np.random.default_rng(seed)
    drawn = [dist.sample(rng) for _ in range(10)]
    near = [v + 1e-7 for v in drawn if isinstance(v, float)]
    values = drawn + near + [float(v) for v in drawn if type(v) is int] + others
    fits = [dist.contains(v) for v in values]
    assert dist.contains_many(values).tolist() == fits
    inside = [v for v, ok in zip(values, fits, strict=True) if ok]
    # Bit for bit: a history encoded in columns must give the models the same numbers.
    assert dist.to_unit_many(inside).tolist() == [dist.to_unit(v) for v in inside]
    many_fits, u = dist.contains_and_unit(values)
    assert many_fits.tolist() == fits
    assert u[many_fits].tolist() == [dist.to_unit(v) for v in inside]


def test_encode_inside_keeps_and_encodes_the_rows_in_the_space() -> None:
    space = SearchSpace.from_json(MIXED)
    points = draws(space, 20)
    points[3] = {**points[3], "layers": 9}
    points[7] = {**points[7], "act": "gelu"}
    points[11] = {**points[11], "lr": float("nan")}
    inside, X = space.encode_inside({name: [p[name] for p in points] for name in space.names})
    assert inside.tolist() == [space.contains(p) for p in points]
    assert X.tolist() == space.encode_many([p for p in points if space.contains(p)]).tolist()


def test_encode_many_matches_encoding_each_point() -> None:
    space = SearchSpace.from_json(MIXED)
    points = draws(space, 30)
    assert space.encode_many(points).tolist() == [space.encode(p).tolist() for p in points]


def test_encode_many_names_the_first_bad_point() -> None:
    space = SearchSpace.from_json(MIXED)
    points = draws(space, 3)
    points[1] = {**points[1], "act": "gelu"}
    del points[2]["lr"]
    with pytest.raises(SpaceError, match="choice: 'gelu' is not one of"):
        space.encode_many(points)


def test_choice_index_tells_true_from_one() -> None:
    dist = CategoricalDistribution((1, True, "1"))
    assert dist.indices([True, 1.0, "1", np.int64(1), 2]).tolist() == [1, 0, 2, 0, -1]
