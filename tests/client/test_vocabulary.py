"""HyperDrive's vocabulary in the client: exactly the JSON the console's search library
accepts, with the same meaning, and read back from what the console stores."""

from __future__ import annotations

import dataclasses
import inspect
import math
from typing import Any

import pytest
from sweepconsole import (
    ASHAPolicy,
    BanditPolicy,
    BayesianParameterSampling,
    CurveFittingPolicy,
    GridParameterSampling,
    MedianStoppingPolicy,
    NoTerminationPolicy,
    PrimaryMetricGoal,
    RandomParameterSampling,
    SpecError,
    TPESampling,
    TruncationSelectionPolicy,
    choice,
    float_range,
    int_range,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)
from sweepconsole.console import Console
from sweepconsole.distribution_kinds import Distribution
from sweepconsole.distribution_reading import from_json, parse_expression
from sweepconsole.policies import policy_from_json
from sweepconsole.sampling import sampling_class
from sweepconsole.submission import JobRequest, build_job_body

from search import SearchSpace, list_samplers
from search.stopping import make_policy

# Each expression and the exact JSON it must send.
EXPECTED: list[tuple[Distribution, dict[str, Any]]] = [
    (choice(16, 32, 64), {"type": "choice", "values": [16, 32, 64]}),
    (choice(["adam", "sgd"]), {"type": "choice", "values": ["adam", "sgd"]}),
    (choice(range(1, 4)), {"type": "choice", "values": [1, 2, 3]}),
    (choice(True, False), {"type": "choice", "values": [True, False]}),
    (randint(5), {"type": "randint", "upper": 5}),
    (uniform(0.05, 0.1), {"type": "uniform", "low": 0.05, "high": 0.1}),
    (quniform(0, 100, 5), {"type": "quniform", "low": 0, "high": 100, "q": 5}),
    (loguniform(-9.2, -2.3), {"type": "loguniform", "low": -9.2, "high": -2.3}),
    (qloguniform(0, 4, 1), {"type": "qloguniform", "low": 0, "high": 4, "q": 1}),
    (normal(10, 3), {"type": "normal", "mu": 10, "sigma": 3}),
    (qnormal(10, 3, 2), {"type": "qnormal", "mu": 10, "sigma": 3, "q": 2}),
    (lognormal(0, 1), {"type": "lognormal", "mu": 0, "sigma": 1}),
    (qlognormal(0, 1, 0.5), {"type": "qlognormal", "mu": 0, "sigma": 1, "q": 0.5}),
    (
        float_range(1e-4, 0.1, log=True),
        {"type": "float", "low": 1e-4, "high": 0.1, "log": True, "step": None},
    ),
    (
        int_range(16, 128, step=16),
        {"type": "int", "low": 16, "high": 128, "log": False, "step": 16},
    ),
]


@pytest.mark.parametrize(("dist", "expected"), EXPECTED, ids=[str(d) for d, _ in EXPECTED])
def test_each_distribution_serialises_to_the_json_the_console_accepts(
    dist: Distribution, expected: dict[str, Any]
) -> None:
    assert dist.to_json() == expected
    SearchSpace.from_json({"x": dist.to_json()})  # the console's own reader takes it


@pytest.mark.parametrize(("dist", "expected"), EXPECTED, ids=[str(d) for d, _ in EXPECTED])
def test_each_distribution_round_trips_from_what_the_console_stores(
    dist: Distribution, expected: dict[str, Any]
) -> None:
    # A job keeps SearchSpace.from_json(sent).to_json(): reading that back gives the object.
    stored = SearchSpace.from_json({"x": dist.to_json()}).to_json()["x"]
    assert from_json(stored) == dist


@pytest.mark.parametrize(("dist", "expected"), EXPECTED, ids=[str(d) for d, _ in EXPECTED])
def test_each_expression_text_reads_back_as_the_same_distribution(
    dist: Distribution, expected: dict[str, Any]
) -> None:
    assert parse_expression(dist.expression()) == dist


def test_loguniform_keeps_hyperdrive_meaning_bounds_are_exponents() -> None:
    space = SearchSpace.from_json({"lr": loguniform(math.log(1e-4), math.log(1e-1)).to_json()})
    import numpy as np

    draws = [space.sample(np.random.default_rng(seed))["lr"] for seed in range(200)]
    assert 1e-4 <= min(draws) and max(draws) <= 1e-1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: loguniform(-2.3, -9.2), "loguniform: low must be < high, got low=-2.3, high=-9.2"),
        (lambda: uniform(1, 1), "uniform: low must be < high"),
        (lambda: normal(0, 0), "normal: sigma must be > 0, got sigma=0"),
        (lambda: quniform(0, 10, -1), "quniform: q must be > 0, got q=-1"),
        (lambda: randint(0), "randint: upper must be an integer >= 1, got upper=0"),
        (lambda: choice(), "choice: give at least one value"),
        (lambda: choice(1, 1), "choice: values must be distinct"),
        (lambda: float_range(0, 1, log=True), "a log scale needs low > 0, got low=0"),
        (lambda: int_range(1, 4, step=8), "step must not be larger than the range"),
        (lambda: uniform("a", 1), "uniform: low must be a finite number, got low='a'"),
    ],
)
def test_bad_distribution_arguments_raise_at_once_echoing_the_value(
    make: Any, message: str
) -> None:
    with pytest.raises(SpecError, match=_literal(message)):
        make()


def test_unknown_distribution_in_text_names_the_known_ones() -> None:
    with pytest.raises(SpecError, match=r"unknown distribution 'logunifrom' \(known: choice"):
        parse_expression("logunifrom(-9, -2)")


def test_expression_text_is_read_as_literals_never_run() -> None:
    with pytest.raises(SpecError, match="literal values"):
        parse_expression("choice(__import__('os').getcwd())")
    assert parse_expression("choice(true, false)") == choice(True, False)
    assert parse_expression("choice(range(0, 10, 5))") == choice(0, 5)


# --------------------------------------------------------------------------- samplings


def test_sampling_names_are_the_console_search_algorithms() -> None:
    console_names = {s["name"] for s in list_samplers()}
    for cls_name in (
        "random",
        "grid",
        "bayesian",
        "tpe",
        "anneal",
        "smac",
        "RandomParameterSampling",
        "BayesianParameterSampling",
        "tpe_search",
    ):
        assert sampling_class(cls_name).name in console_names


def test_sampling_properties_and_keywords_are_the_algorithm_params() -> None:
    space = {"x": uniform(0, 1)}
    assert RandomParameterSampling(space, properties={"seed": 3}).to_json() == {
        "name": "random",
        "params": {"seed": 3},
    }
    assert TPESampling(space, gamma=0.2).to_json() == {"name": "tpe", "params": {"gamma": 0.2}}


def test_sampling_refuses_a_space_that_is_not_distributions() -> None:
    with pytest.raises(SpecError, match="lr: expected a distribution"):
        RandomParameterSampling({"lr": [0.1, 0.2]})
    with pytest.raises(SpecError, match="non-empty dict"):
        GridParameterSampling({})


# --------------------------------------------------------------------------- policies

POLICIES = [
    BanditPolicy(slack_factor=0.1),
    BanditPolicy(slack_amount=0.2, evaluation_interval=2, delay_evaluation=5),
    MedianStoppingPolicy(),
    MedianStoppingPolicy(evaluation_interval=2, delay_evaluation=1),
    TruncationSelectionPolicy(truncation_percentage=30, exclude_finished_jobs=True),
    ASHAPolicy(min_resource=2, reduction_factor=2, max_resource=8),
]


@pytest.mark.parametrize("policy", POLICIES, ids=repr)
def test_each_policy_is_accepted_by_the_console_and_read_back_from_a_job(policy: Any) -> None:
    spec = policy.to_json()
    params = {k: v for k, v in spec.items() if k != "name"}
    built = make_policy(spec["name"], **params)
    # A job stores {"name": ..., **options} (every option, defaults included).
    stored = {"name": type(built).name, **built.options}
    assert policy_from_json(stored) == policy


def test_bandit_policy_json_is_hyperdrive_arguments() -> None:
    assert BanditPolicy(slack_factor=0.1, evaluation_interval=1, delay_evaluation=5).to_json() == {
        "name": "bandit",
        "evaluation_interval": 1,
        "slack_factor": 0.1,
        "delay_evaluation": 5,
    }


def test_median_stopping_keeps_hyperdrive_default_delay_of_five() -> None:
    assert MedianStoppingPolicy().to_json()["delay_evaluation"] == 5


def test_no_termination_policy_means_no_policy_on_the_console() -> None:
    assert NoTerminationPolicy().to_json() == {"name": "none"}
    assert policy_from_json(None) is None and policy_from_json({}) is None


def test_bandit_with_both_slacks_is_refused() -> None:
    with pytest.raises(SpecError, match="give exactly one of slack_factor and slack_amount"):
        BanditPolicy(slack_factor=0.1, slack_amount=0.2)
    with pytest.raises(SpecError, match="exactly one"):
        BanditPolicy()


def test_unknown_policy_names_the_known_ones() -> None:
    with pytest.raises(SpecError, match=r"unknown early-termination policy 'hyperband'.*bandit"):
        policy_from_json({"name": "hyperband"})


def test_console_parameters_the_client_does_not_name_are_kept_and_sent_back() -> None:
    policy = policy_from_json({"name": "bandit", "slack_factor": 0.1, "min_comparators": 2})
    assert policy == BanditPolicy(slack_factor=0.1)
    assert policy is not None and policy.to_json()["min_comparators"] == 2
    spec = BanditPolicy(slack_factor=0.1, extra={"min_comparators": 2}).to_json()
    params = {k: v for k, v in spec.items() if k != "name"}
    assert make_policy("bandit", **params).options["min_comparators"] == 2


def test_curve_fitting_policy_is_the_console_policy() -> None:
    spec = CurveFittingPolicy(threshold=0.1, min_points=4).to_json()
    built = make_policy(spec["name"], **{k: v for k, v in spec.items() if k != "name"})
    assert policy_from_json({"name": type(built).name, **built.options}) == CurveFittingPolicy(
        threshold=0.1, min_points=4
    )


# --------------------------------------------------------------------------- submit body


def test_submit_arguments_become_the_rest_api_create_shape() -> None:
    space = {"eta0": loguniform(-9.2, -2.3), "penalty": choice("l2", "l1")}
    request = JobRequest(
        hyperparameter_sampling=RandomParameterSampling(space, properties={"seed": 1}),
        policy=BanditPolicy(slack_factor=0.1),
        primary_metric_name="val_loss",
        primary_metric_goal=PrimaryMetricGoal.MINIMIZE,
        max_total_runs=6,
        max_concurrent_runs=2,
        max_duration_minutes=10,
        fixed={"iterations": 5},
        omit=["standardize"],
    )
    body = build_job_body(request, algorithm_id=7, name="search")
    assert body == {
        "name": "search",
        "algorithm": 7,
        "hyperparameters": {"iterations": 5},
        "omit": ["standardize"],
        "search_space": {
            "eta0": {"type": "loguniform", "low": -9.2, "high": -2.3},
            "penalty": {"type": "choice", "values": ["l2", "l1"]},
        },
        "search_algorithms": [{"name": "random", "params": {"seed": 1}}],
        "policy": {
            "name": "bandit",
            "evaluation_interval": 1,
            "slack_factor": 0.1,
            "delay_evaluation": 0,
        },
        "metric": {"name": "val_loss", "goal": "minimize"},
        "max_trials": 6,
        "max_concurrent": 2,
        "max_duration_minutes": 10,
    }


def test_max_concurrent_runs_above_max_total_runs_is_refused_before_sending() -> None:
    with pytest.raises(SpecError, match=r"max_concurrent_runs \(5\) cannot be more than"):
        request = JobRequest(
            hyperparameter_sampling=RandomParameterSampling({"x": uniform(0, 1)}),
            max_total_runs=2,
            max_concurrent_runs=5,
        )
        build_job_body(request, algorithm_id=1, name="x")


def test_several_samplings_share_one_space() -> None:
    space = {"x": uniform(0, 1)}
    both = JobRequest(
        hyperparameter_sampling=[TPESampling(space), BayesianParameterSampling(space)]
    )
    body = build_job_body(both, algorithm_id=1, name="x")
    assert [s["name"] for s in body["search_algorithms"]] == ["tpe", "bayesian"]
    with pytest.raises(SpecError, match="same parameter space"):
        other = JobRequest(
            hyperparameter_sampling=[TPESampling(space), TPESampling({"y": uniform(0, 1)})]
        )
        build_job_body(other, algorithm_id=1, name="x")


def test_every_job_request_field_is_a_submit_keyword_of_the_same_type() -> None:
    # Console.submit fills a JobRequest from its own keywords by name: a field it lacks
    # would never be set, a keyword JobRequest lacks never sent.
    keywords = inspect.signature(Console.submit).parameters
    resolved_by_submit = {"self", "config", "algorithm", "dataset", "name"}
    assert {f.name for f in dataclasses.fields(JobRequest)} == set(keywords) - resolved_by_submit
    for field in dataclasses.fields(JobRequest):
        assert (field.type, field.default) == (
            keywords[field.name].annotation,
            keywords[field.name].default,
        ), field.name


def _literal(text: str) -> str:
    import re

    return re.escape(text)
