"""The one validation path of a training job: what it keeps, and every refusal's message."""

from __future__ import annotations

import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from algorithms.models import Algorithm, Engine, Hyperparameter
from search import SearchSpace
from trainingjobs.spec_plan import grid_size, planned_trials
from trainingjobs.specs import JobSpecError, validate_job_spec

pytestmark = pytest.mark.django_db

ROWS: list[dict[str, Any]] = [
    {"name": "lr", "type": "float", "default": 0.01, "min": 1e-5, "max": 1.0},
    {"name": "epochs", "type": "int", "default": 5, "min": 1, "max": 50},
    {"name": "optimizer", "type": "str", "default": "adam", "choices": ["adam", "sgd", "rmsprop"]},
    {"name": "shuffle", "type": "bool", "default": True},
    {"name": "checkpoint", "type": "str", "default": "{trial_dir}/ckpt"},
    {"name": "momentum", "type": "float"},  # optional, no default, no constraint
]
SEARCH_ALGORITHMS = [
    {"name": "tpe_search", "params": {"seed": 0, "gamma": 0.3}},
    {"name": "random", "params": {}},
    {"name": "grid", "params": {}},
]


def make_algorithm(
    owner: Any,
    name: str = "mlp",
    *,
    rows: list[dict[str, Any]] | None = None,
    extra_rows: list[dict[str, Any]] = (),  # type: ignore[assignment]
    **fields: Any,
) -> Algorithm:
    values: dict[str, Any] = {
        "boot_file": "train.py",
        "engine": Engine.default(),
        "status": Algorithm.Status.READY,
        "auto_search": True,
        "metric_name": "accuracy",
        "metric_goal": "maximize",
        "metric_regex": r"accuracy=([0-9.]+)",
        "search_algorithms": SEARCH_ALGORITHMS,
    }
    values.update(fields)
    algorithm = Algorithm.objects.create(owner=owner, name=name, **values)
    for position, row in enumerate([*(ROWS if rows is None else rows), *extra_rows]):
        Hyperparameter.objects.create(algorithm=algorithm, position=position, **row)
    return algorithm


def job_data(algorithm: Algorithm, /, **overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": "sweep-1",
        "algorithm": algorithm.pk,
        "hyperparameters": {"epochs": 3},
        "search_space": {
            "lr": {"type": "float", "low": 1e-4, "high": 0.1, "log": True},
            "optimizer": {"type": "choice", "values": ["adam", "sgd"]},
        },
        "search_algorithms": [{"name": "tpe", "params": {"n_initial_points": 4}}],
        "policy": {"name": "bandit", "slack_factor": 0.2, "delay_evaluation": 3},
        "max_trials": 12,
        "max_concurrent": 2,
    }
    data.update(overrides)
    return data


def refusal(owner: Any, data: dict[str, Any]) -> dict[str, Any]:
    with pytest.raises(JobSpecError) as caught:
        validate_job_spec(owner=owner, data=data)
    return caught.value.errors


# --- what a valid job keeps -------------------------------------------------------------------


def test_search_job_keeps_values_ranges_defaults_and_limits(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    spec = validate_job_spec(owner=alice, data=job_data(algorithm, omit=["checkpoint"]))

    assert spec.algorithm == algorithm
    # Given values, then defaults of the rows named nowhere, in table order.
    assert spec.fixed == {"epochs": 3, "shuffle": True}
    assert list(spec.fixed) == ["epochs", "shuffle"]
    assert spec.omitted == ["checkpoint", "momentum"]
    assert spec.search_space == {
        "lr": {"type": "float", "low": 1e-4, "high": 0.1, "log": True, "step": None},
        "optimizer": {"type": "choice", "values": ["adam", "sgd"]},
    }
    # The job's parameters over the algorithm's own, under the canonical name.
    [tpe] = spec.search_algorithms
    assert tpe["name"] == "tpe"
    assert tpe["params"]["gamma"] == 0.3 and tpe["params"]["n_initial_points"] == 4
    assert spec.policy["name"] == "bandit"
    assert spec.policy["slack_factor"] == 0.2 and spec.policy["delay_evaluation"] == 3
    assert (spec.metric_name, spec.metric_goal, spec.metric_regex) == (
        "accuracy",
        "maximize",
        r"accuracy=([0-9.]+)",
    )
    assert (spec.max_trials, spec.max_concurrent, spec.objective) == (12, 2, "last")
    assert spec.is_search and planned_trials(spec) == 12


def test_defaults_with_placeholders_are_fixed_values(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    spec = validate_job_spec(owner=alice, data=job_data(algorithm))
    assert spec.fixed["checkpoint"] == "{trial_dir}/ckpt"


def test_job_without_ranges_is_a_single_run(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(
        algorithm,
        search_space={},
        hyperparameters={"lr": "0.5", "epochs": "7", "shuffle": "false", "momentum": 0.9},
        max_trials=50,
        max_concurrent=5,
        trial_timeout_minutes=30,
    )
    spec = validate_job_spec(owner=alice, data=data)

    assert not spec.is_search
    assert spec.fixed == {
        "lr": 0.5,
        "epochs": 7,
        "optimizer": "adam",
        "shuffle": False,
        "checkpoint": "{trial_dir}/ckpt",
        "momentum": 0.9,
    }
    assert (spec.max_trials, spec.max_concurrent) == (1, 1)
    assert spec.search_algorithms == [] and spec.policy == {}
    assert spec.trial_timeout_minutes == 30
    assert planned_trials(spec) == 1


def test_search_algorithms_default_to_the_algorithms_first(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    spec = validate_job_spec(
        owner=alice, data=job_data(algorithm, search_algorithms=None, policy=None)
    )
    assert [sa["name"] for sa in spec.search_algorithms] == ["tpe"]
    assert spec.search_algorithms[0]["params"]["gamma"] == 0.3
    assert spec.policy == {}


def test_aliases_and_several_algorithms_are_accepted(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(algorithm, search_algorithms=[{"name": "tpe_search"}, {"name": "random"}])
    spec = validate_job_spec(owner=alice, data=data)
    assert [sa["name"] for sa in spec.search_algorithms] == ["tpe", "random"]


def test_metric_override_replaces_only_what_is_given(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(algorithm, metric={"goal": "minimize", "regex": r"loss=([0-9.]+)"})
    spec = validate_job_spec(owner=alice, data=data)
    assert (spec.metric_name, spec.metric_goal, spec.metric_regex) == (
        "accuracy",
        "minimize",
        r"loss=([0-9.]+)",
    )


def test_staff_may_use_another_users_algorithm(alice: Any, staff: Any) -> None:
    algorithm = make_algorithm(alice)
    assert validate_job_spec(owner=staff, data=job_data(algorithm)).algorithm == algorithm


HYPERDRIVE_RANGES = [
    {"type": "choice", "values": [0.1, 0.2]},
    {"type": "uniform", "low": 0, "high": 1},
    {"type": "loguniform", "low": -5, "high": 0},
    {"type": "normal", "mu": 0, "sigma": 1},
    {"type": "lognormal", "mu": 0, "sigma": 1},
    {"type": "quniform", "low": 0, "high": 10, "q": 2},
    {"type": "qloguniform", "low": 0, "high": 3, "q": 1},
    {"type": "qnormal", "mu": 0, "sigma": 3, "q": 1},
    {"type": "qlognormal", "mu": 1, "sigma": 1, "q": 1},
    {"type": "randint", "upper": 5},
    {"type": "float", "low": 0.5, "high": 2.5, "step": 0.5},
]


@pytest.mark.parametrize("spec", HYPERDRIVE_RANGES, ids=lambda s: s["type"])
def test_every_hyperdrive_distribution_keeps_hyperdrives_meaning(alice: Any, spec: dict) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(algorithm, search_space={"momentum": spec}, policy=None)
    saved = validate_job_spec(owner=alice, data=data).search_space
    assert SearchSpace.from_json(saved) == SearchSpace.from_json({"momentum": spec})


def test_int_row_takes_integer_kinds(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    for spec in (
        {"type": "int", "low": 2, "high": 40, "step": 2},
        {"type": "int", "low": 1, "high": 50, "log": True},
        {"type": "randint", "upper": 50},  # 0..49 would go below min=1
        {"type": "quniform", "low": 1, "high": 50, "q": 1},
        {"type": "choice", "values": [1, 10, 50]},
    ):
        data = job_data(algorithm, hyperparameters={}, search_space={"epochs": spec})
        if spec["type"] == "randint":
            errors = refusal(alice, data)
            assert "below the minimum 1" in errors["search_space"]["epochs"]["upper"][0]
        else:
            validate_job_spec(owner=alice, data=data)


def test_bool_row_searches_both_values(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(algorithm, search_space={"shuffle": {"type": "bool"}})
    spec = validate_job_spec(owner=alice, data=data)
    assert spec.search_space == {"shuffle": {"type": "choice", "values": [False, True]}}


# --- refusals: each names the field, the hyperparameter and the bad value ----------------------

LR = {"type": "float", "low": 1e-4, "high": 0.1}


def _space(**ranges: Any) -> dict[str, Any]:
    return {"search_space": ranges}


REFUSALS: list[tuple[str, dict[str, Any], tuple[str, ...], str]] = [
    (
        "min >= max",
        _space(lr={**LR, "low": 0.5, "high": 0.1}),
        ("search_space", "lr", "low"),
        "lr: low must be less than high, got low=0.5, high=0.1",
    ),
    (
        "log scale with min <= 0",
        _space(lr={**LR, "low": 0, "log": True}),
        ("search_space", "lr", "low"),
        "lr: a log scale needs low > 0, got low=0",
    ),
    (
        "step larger than the range",
        _space(lr={**LR, "step": 0.5}),
        ("search_space", "lr", "step"),
        "lr: step is larger than the range, got step=0.5",
    ),
    (
        "int step larger than the range",
        _space(epochs={"type": "int", "low": 1, "high": 5, "step": 10}),
        ("search_space", "epochs", "step"),
        "step=10",
    ),
    (
        "range above the row's max",
        _space(lr={**LR, "high": 2}),
        ("search_space", "lr", "high"),
        "lr: the range goes up to high=2, above the maximum 1 of its row",
    ),
    (
        "range below the row's min",
        _space(epochs={"type": "int", "low": 0, "high": 5}),
        ("search_space", "epochs", "low"),
        "epochs: the range goes down to low=0, below the minimum 1 of its row",
    ),
    (
        "loguniform outside the row",
        _space(lr={"type": "loguniform", "low": -5, "high": 1}),
        ("search_space", "lr", "high"),
        "exp of high=1",
    ),
    (
        "unbounded kind on a bounded row",
        _space(lr={"type": "normal", "mu": 0.1, "sigma": 0.01}),
        ("search_space", "lr", "type"),
        "lr: normal is unbounded",
    ),
    (
        "choice outside the enumeration",
        _space(optimizer={"type": "choice", "values": ["adam", "lbfgs"]}),
        ("search_space", "optimizer", "values"),
        "optimizer: 'lbfgs' not in its enumeration",
    ),
    (
        "fractions for an int row",
        _space(epochs={"type": "uniform", "low": 1, "high": 5}),
        ("search_space", "epochs", "type"),
        "epochs: an int hyperparameter needs whole values",
    ),
    (
        "numbers for a str row",
        _space(optimizer={"type": "choice", "values": [1, 2]}),
        ("search_space", "optimizer", "values"),
        "optimizer: a str takes strings, got 1, 2",
    ),
    (
        "a range kind a str row cannot take",
        _space(optimizer={"type": "uniform", "low": 0, "high": 1}),
        ("search_space", "optimizer", "type"),
        "optimizer: a str hyperparameter cannot be searched with type='uniform'",
    ),
    (
        "malformed range",
        _space(lr={"type": "float", "low": "small", "high": 1}),
        ("search_space", "lr", "low"),
        "low must be a finite number, got low='small'",
    ),
    (
        "range not an object",
        _space(lr=[1, 2]),
        ("search_space", "lr", "__all__"),
        "lr: a range must be an object",
    ),
    (
        "fixed value outside its range",
        {"hyperparameters": {"epochs": 80}},
        ("hyperparameters", "epochs", "value"),
        "epochs: 80 is outside its range [1, 50]",
    ),
    (
        "fraction for an int",
        {"hyperparameters": {"epochs": 2.5}},
        ("hyperparameters", "epochs", "value"),
        "epochs: must be a whole number for an int hyperparameter, got 2.5",
    ),
    (
        "number for a bool",
        {"hyperparameters": {"shuffle": 1}},
        ("hyperparameters", "shuffle", "value"),
        "shuffle: must be true or false, got 1",
    ),
    (
        "bool for a float",
        {"hyperparameters": {"momentum": True}},
        ("hyperparameters", "momentum", "value"),
        "momentum: must be a number, got True",
    ),
    (
        "string outside the enumeration",
        {"hyperparameters": {"optimizer": "lbfgs"}, "search_space": {"lr": LR}},
        ("hyperparameters", "optimizer", "value"),
        "optimizer: 'lbfgs' is not in its enumeration ('adam', 'sgd', 'rmsprop')",
    ),
    (
        "non-string for a str",
        {"hyperparameters": {"checkpoint": 5}},
        ("hyperparameters", "checkpoint", "value"),
        "checkpoint: must be a string, got 5",
    ),
    (
        "unknown placeholder in a fixed value",
        {"hyperparameters": {"checkpoint": "{trial_dir}/{run_name}"}},
        ("hyperparameters", "checkpoint", "value"),
        "{run_name}",
    ),
    (
        "unknown hyperparameter name",
        {"hyperparameters": {"epochs": 3, "dropout": 0.5}},
        ("hyperparameters", "dropout", "value"),
        "Unknown hyperparameter 'dropout' (the algorithm takes: lr, epochs,",
    ),
    (
        "unknown hyperparameter range",
        _space(dropout={"type": "uniform", "low": 0, "high": 1}),
        ("search_space", "dropout", "__all__"),
        "Unknown hyperparameter 'dropout'",
    ),
    (
        "unknown name in omit",
        {"omit": ["dropout"]},
        ("omit",),
        "Unknown hyperparameter 'dropout'",
    ),
    (
        "both fixed and searched",
        {"hyperparameters": {"lr": 0.1}},
        ("hyperparameters", "lr", "value"),
        "lr is both fixed (hyperparameters) and searched (search_space)",
    ),
    (
        "max concurrent above max trials",
        {"max_trials": 3, "max_concurrent": 5},
        ("max_concurrent",),
        "Max concurrent trials (5) cannot be more than max trials (3)",
    ),
    ("max trials 0", {"max_trials": 0}, ("max_trials",), "between 1 and 1000, got 0"),
    ("max trials 1001", {"max_trials": 1001}, ("max_trials",), "between 1 and 1000, got 1001"),
    (
        "max concurrent 101",
        {"max_trials": 500, "max_concurrent": 101},
        ("max_concurrent",),
        "between 1 and 100, got 101",
    ),
    ("max trials a list", {"max_trials": [3]}, ("max_trials",), "whole number, got [3]"),
    (
        "grid on a continuous range",
        {"search_algorithms": [{"name": "grid"}]},
        ("search_algorithms", "0", "name"),
        "Grid search needs every range discrete, but lr is continuous",
    ),
    (
        "unknown search algorithm",
        {"search_algorithms": [{"name": "hyperband"}]},
        ("search_algorithms", "0", "name"),
        "Unknown search algorithm 'hyperband'",
    ),
    (
        "search algorithm the algorithm does not support",
        {"search_algorithms": [{"name": "tpe"}, {"name": "bayes_opt_search"}]},
        ("search_algorithms", "1", "name"),
        "does not support 'bayes_opt_search'",
    ),
    (
        "the same search algorithm twice by alias",
        {"search_algorithms": [{"name": "tpe"}, {"name": "tpe_search"}]},
        ("search_algorithms", "1", "name"),
        "'tpe_search' is selected more than once",
    ),
    (
        "search algorithm parameter out of range",
        {"search_algorithms": [{"name": "tpe", "params": {"gamma": 2}}]},
        ("search_algorithms", "0", "params", "gamma"),
        "gamma must be at most 1, got 2.",
    ),
    (
        "unknown search algorithm parameter",
        {"search_algorithms": [{"name": "random", "params": {"gamma": 0.1}}]},
        ("search_algorithms", "0", "params", "gamma"),
        "random has no parameter 'gamma'",
    ),
    (
        "policy parameter out of range",
        {"policy": {"name": "bandit", "slack_factor": -1}},
        ("policy", "slack_factor"),
        "slack_factor must be >= 0.0, got slack_factor=-1",
    ),
    (
        "policy needs a slack",
        {"policy": {"name": "bandit"}},
        ("policy", "__all__"),
        "slack",
    ),
    (
        "unknown policy",
        {"policy": {"name": "hyperband"}},
        ("policy", "name"),
        "Unknown early-termination policy 'hyperband'",
    ),
    (
        "truncation percentage out of range",
        {"policy": {"name": "truncation", "truncation_percentage": 100}},
        ("policy", "truncation_percentage"),
        "truncation_percentage must be <= 99",
    ),
    (
        "bad metric regex",
        {"metric": {"regex": "("}},
        ("metric", "regex"),
        "",
    ),
    (
        "bad objective",
        {"objective": "mean"},
        ("objective",),
        "Objective must be last or best, got 'mean'",
    ),
    ("no name", {"name": " "}, ("name",), "Name is required."),
    ("name not a string", {"name": 7}, ("name",), "Name must be a string, got 7."),
    (
        "misspelt field",
        {"search_spaces": {}},
        ("__all__",),
        "Unknown field(s): search_spaces (known: algorithm, ",
    ),
]


@pytest.mark.parametrize(
    ("change", "path", "expected"),
    [(change, path, expected) for _, change, path, expected in REFUSALS],
    ids=[case[0] for case in REFUSALS],
)
def test_refusal_names_the_field_and_the_bad_value(
    alice: Any, change: dict[str, Any], path: tuple[str, ...], expected: str
) -> None:
    algorithm = make_algorithm(alice)
    errors = refusal(alice, job_data(algorithm, **change))
    node: Any = errors
    for key in path:
        assert isinstance(node, dict) and key in node, (path, errors)
        node = node[key]
    assert isinstance(node, list) and node, errors
    assert any(expected in message for message in node), node


def test_required_hyperparameter_cannot_be_left_out(alice: Any) -> None:
    algorithm = make_algorithm(
        alice, extra_rows=[{"name": "data", "type": "str", "required": True}]
    )
    errors = refusal(alice, job_data(algorithm, omit=["data"]))
    assert errors["omit"] == ["data is required and cannot be left out."]

    errors = refusal(alice, job_data(algorithm))
    assert errors["hyperparameters"] == {
        "data": {"value": ["data is required: give it a value or a range."]}
    }


def test_bad_values_are_echoed_short(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    errors = refusal(alice, job_data(algorithm, hyperparameters={"epochs": "9" * 5000 + "x"}))
    [message] = errors["hyperparameters"]["epochs"]["value"]
    assert message.startswith("epochs: must be a number, got '999") and len(message) < 150


def test_lone_braces_in_str_values_are_refused_as_the_runner_would(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(algorithm, hyperparameters={"checkpoint": '{"a": 1}'})
    [message] = refusal(alice, data)["hyperparameters"]["checkpoint"]["value"]
    assert message.startswith("checkpoint: ") and "write {{ and }} for literal braces" in message
    data["hyperparameters"]["checkpoint"] = '{{"a": 1}}'
    assert validate_job_spec(owner=alice, data=data).fixed["checkpoint"] == '{{"a": 1}}'


def test_unknown_placeholder_in_a_default_is_refused(alice: Any) -> None:
    algorithm = make_algorithm(
        alice, extra_rows=[{"name": "out", "type": "str", "default": "{workdir}/out"}]
    )
    errors = refusal(alice, job_data(algorithm))
    [message] = errors["hyperparameters"]["out"]["value"]
    assert message.startswith("out: its default ") and "{workdir}" in message


@pytest.mark.parametrize("status", [Algorithm.Status.CREATING, Algorithm.Status.FAILED])
def test_unready_and_other_users_algorithms_read_as_missing(
    alice: Any, bob: Any, status: str
) -> None:
    unready = make_algorithm(alice, "unready", status=status)
    bobs = make_algorithm(bob, "bobs")
    messages = {
        pk: refusal(alice, job_data(unready, algorithm=pk))["algorithm"]
        for pk in (unready.pk, bobs.pk, 999_999)
    }
    assert messages == {
        unready.pk: [f"No ready algorithm with id {unready.pk} was found."],
        bobs.pk: [f"No ready algorithm with id {bobs.pk} was found."],
        999_999: ["No ready algorithm with id 999999 was found."],
    }


def test_ranges_need_auto_search(alice: Any) -> None:
    algorithm = make_algorithm(alice, auto_search=False)
    errors = refusal(alice, job_data(algorithm))
    assert "has auto search off" in errors["search_space"]["__all__"][0]
    # The same algorithm runs with fixed values.
    spec = validate_job_spec(owner=alice, data=job_data(algorithm, search_space={}))
    assert not spec.is_search


def test_every_problem_is_reported_at_once(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(
        algorithm,
        name="",
        hyperparameters={"epochs": 0},
        search_space={"lr": {**LR, "low": 1, "high": 0.5}},
        max_trials=2,
        max_concurrent=3,
    )
    errors = refusal(alice, data)
    assert set(errors) == {"name", "hyperparameters", "search_space", "max_concurrent"}


@pytest.mark.parametrize(
    "data",
    [None, [], "job", 3, {"algorithm": True}, {"algorithm": 10**30}, {"algorithm": "x"}],
)
def test_nonsense_bodies_are_refused_with_messages(alice: Any, data: Any) -> None:
    with pytest.raises(JobSpecError) as caught:
        validate_job_spec(owner=alice, data=data)
    assert caught.value.errors


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
FIELDS = st.sampled_from(
    ["hyperparameters", "search_space", "omit", "search_algorithms", "metric", "policy",
     "objective", "max_trials", "max_concurrent", "max_failed", "lost_counts_as_failed"]
)  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(changes=st.dictionaries(FIELDS, JSON, max_size=3), lr=JSON)
def test_any_json_gets_a_spec_or_field_errors(alice: Any, changes: dict, lr: Any) -> None:
    algorithm = Algorithm.objects.filter(owner=alice).first() or make_algorithm(alice)
    data = job_data(algorithm, **changes)
    if isinstance(data.get("search_space"), dict):
        data["search_space"] = {**data["search_space"], "lr": lr}
    try:
        validate_job_spec(owner=alice, data=data)
    except JobSpecError as exc:
        assert exc.errors and str(exc)


# --- the page's helpers -----------------------------------------------------------------------


def test_grid_size_only_for_discrete_ranges() -> None:
    discrete = {
        "a": {"type": "choice", "values": ["x", "y", "z"]},
        "b": {"type": "int", "low": 1, "high": 10, "step": 3},
        "c": {"type": "quniform", "low": 0, "high": 1, "q": 0.5},
        "d": {"type": "bool"},
    }
    assert grid_size(discrete) == 3 * 4 * 3 * 2
    assert grid_size({**discrete, "e": {"type": "float", "low": 0, "high": 1}}) is None
    assert grid_size({"e": {"type": "qnormal", "mu": 0, "sigma": 1, "q": 1}}) is None
    assert grid_size({}) is None
    assert grid_size({"a": {"type": "float", "low": 1, "high": 0}}) is None


def test_planned_trials_of_a_grid_stop_at_its_size(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(
        algorithm,
        search_space={"optimizer": {"type": "choice", "values": ["adam", "sgd"]},
                      "epochs": {"type": "int", "low": 1, "high": 3}},
        hyperparameters={},
        search_algorithms=[{"name": "grid"}],
        max_trials=50,
    )  # fmt: skip
    spec = validate_job_spec(owner=alice, data=data)
    assert grid_size(spec.search_space) == 6
    assert planned_trials(spec) == 6

    data["search_algorithms"] = [{"name": "grid", "params": {"resolution": 4}}]
    data["search_space"] = {"lr": LR}
    spec = validate_job_spec(owner=alice, data=data)
    assert grid_size(spec.search_space) is None
    assert planned_trials(spec) == 4


def test_job_spec_error_message_lists_every_place(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    with pytest.raises(JobSpecError) as caught:
        validate_job_spec(owner=alice, data=job_data(algorithm, max_trials=0))
    assert "max_trials: Max trials must be between 1 and 1000, got 0." in str(caught.value)


def test_nan_and_infinity_are_refused(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    errors = refusal(
        alice,
        job_data(
            algorithm,
            hyperparameters={"momentum": math.nan, "epochs": math.inf},
            search_space={"lr": {**LR, "high": math.inf}},
        ),
    )
    assert "momentum: must be a number, got nan." in errors["hyperparameters"]["momentum"]["value"]
    assert errors["hyperparameters"]["epochs"]["value"] == [
        "epochs: the number is too large: use a number between -1e308 and 1e308."
    ]
    assert errors["search_space"]["lr"]["high"]


def test_planned_trials_of_any_search_stop_when_a_finite_space_is_tried(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    data = job_data(
        algorithm,
        search_space={"optimizer": {"type": "choice", "values": ["adam", "sgd"]},
                      "epochs": {"type": "int", "low": 1, "high": 3}},
        hyperparameters={},
        search_algorithms=[{"name": "tpe"}],
        max_trials=50,
    )  # fmt: skip
    assert planned_trials(validate_job_spec(owner=alice, data=data)) == 6
    data["search_space"] = {"lr": LR}
    assert planned_trials(validate_job_spec(owner=alice, data=data)) == 50


# --- environment variables ----------------------------------------------------------------------


def test_environment_variables_are_kept_from_either_shape(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    env = {"WANDB_MODE": "offline", "_X1": "", "OMP_NUM_THREADS": "2"}
    spec = validate_job_spec(owner=alice, data=job_data(algorithm, environment=env))
    assert spec.environment == env and spec.model_fields()["environment"] == env
    rows = [{"name": k, "value": v} for k, v in env.items()]
    assert (
        validate_job_spec(owner=alice, data=job_data(algorithm, environment=rows)).environment
        == env
    )
    assert validate_job_spec(owner=alice, data=job_data(algorithm)).environment == {}


@pytest.mark.parametrize(
    ("env", "where", "message"),
    [
        ({"TRIAL_ID": "7"}, ("TRIAL_ID",), "TRIAL_ID is set by the console for every trial"),
        ({"DATA_URL": "/x"}, ("DATA_URL",), "cannot be overridden"),
        ({"SECRET_KEY": "x"}, ("SECRET_KEY",), "reserved for the console's own configuration"),
        ({"1ST": "x"}, ("1ST",), "not starting with a digit (a POSIX name), got '1ST'"),
        ({"A-B": "x"}, ("A-B",), "letters, digits and underscores"),
        ({"N": 3}, ("N",), "The value of N must be text, got 3."),
        ({"N": "a\x00b"}, ("N",), "must not contain NUL characters"),
        ({"N": "x" * 4097}, ("N",), "at most 4096 characters, got 4097"),
        ({f"V{i}": "x" for i in range(65)}, (), "At most 64 environment variables, got 65."),
        ({f"V{i}": "x" * 4000 for i in range(9)}, (), "at most 32768 characters in all"),
        ("A=1", (), "must be an object of NAME: value pairs, got 'A=1'"),
        (
            [{"name": "A", "value": "1"}, {"name": "A", "value": "2"}],
            ("1", "name"),
            "A is given twice.",
        ),
        ([{"name": "", "value": "1"}], ("0", "name"), "Give the variable a name."),
    ],
)
def test_environment_variables_refused_with_the_reason_beside_them(
    alice: Any, env: Any, where: tuple[str, ...], message: str
) -> None:
    errors = refusal(alice, job_data(make_algorithm(alice), environment=env))
    node: Any = errors["environment"]
    for key in where:
        node = node[key]
    assert any(message in text for text in node), node


def test_range_messages_name_the_field_not_the_search_librarys_kind(alice: Any) -> None:
    algorithm = make_algorithm(alice)
    errors = refusal(
        alice, job_data(algorithm, search_space={"lr": {"type": "float", "low": "abc", "high": 1}})
    )
    assert errors["search_space"]["lr"]["low"] == [
        "lr: low must be a finite number, got low='abc'."
    ]


@pytest.mark.parametrize("value", ["1e999", "-1E400", 10**400])
def test_a_fixed_value_beyond_a_float_is_too_large_as_the_algorithm_form_says(
    alice: Any, value: Any
) -> None:
    algorithm = make_algorithm(alice)
    errors = refusal(alice, job_data(algorithm, hyperparameters={"momentum": value}))
    [message] = errors["hyperparameters"]["momentum"]["value"]
    assert message.startswith("momentum: ")
    assert message.endswith(" is too large: use a number between -1e308 and 1e308.")
    assert "must be a number" not in message
