"""One contract every registered early-termination policy must honour."""

from __future__ import annotations

import math
from typing import Any

import pytest

from search.errors import SamplerParamError
from search.stopping import list_policies, make_policy, policy_class
from search.stopping.base import Policy

# Parameters a policy cannot be built without; every other policy must build from defaults.
REQUIRED: dict[str, dict[str, Any]] = {"bandit": {"slack_factor": 0.1}}
NAMES = [entry["name"] for entry in list_policies()]
NEVER_STOPS = {"none"}
CROWD = [[1.0] * 40 for _ in range(10)]  # ten strong trials, long enough for any report


def build(name: str, **params: Any) -> Policy:
    return make_policy(name, **{**REQUIRED.get(policy_class(name).name, {}), **params})


def first_evaluation_point(policy: Policy) -> int:
    return next(n for n in range(1, 100) if policy.is_evaluation_point(n))


def test_every_expected_policy_is_registered() -> None:
    assert {"bandit", "median_stopping", "truncation_selection", "asha", "none"} <= set(NAMES)


@pytest.mark.parametrize("entry", list_policies(), ids=NAMES)
def test_listing_describes_every_parameter_for_forms(entry: dict[str, Any]) -> None:
    assert set(entry) == {"name", "aliases", "description", "params"}
    assert entry["description"]
    names = [param["name"] for param in entry["params"]]
    assert names[:2] == ["evaluation_interval", "delay_evaluation"]
    for param in entry["params"]:
        keys = {"name", "type", "default", "min", "max", "choices", "description"}
        assert set(param) == keys
        assert param["type"] in {"int", "float", "bool"}
    for alias in entry["aliases"]:
        assert type(build(alias)).name == entry["name"]


@pytest.mark.parametrize("name", NAMES)
def test_names_resolve_case_insensitively(name: str) -> None:
    assert type(build(name.upper())).name == name


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("goal", ["maximize", "minimize"])
def test_never_stops_before_delay_evaluation(name: str, goal: str) -> None:
    policy = build(name, delay_evaluation=6)
    worst = -1e9 if goal == "maximize" else 1e9
    for n in range(1, 6):
        assert policy.should_stop([worst] * n, CROWD, goal) is False
        assert policy.should_stop([math.nan] * n, CROWD, goal) is False


@pytest.mark.parametrize("name", NAMES)
def test_acts_only_at_evaluation_intervals(name: str) -> None:
    policy = build(name, evaluation_interval=3)
    for n in range(1, 30):
        decision = policy.should_stop([0.0] * (n - 1) + [math.nan], CROWD)
        if n % 3:
            assert not policy.is_evaluation_point(n)
            assert decision is False
        elif policy.is_evaluation_point(n) and name not in NEVER_STOPS:
            assert decision is True  # a diverged trial stops at its next evaluation point


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("goal", ["maximize", "minimize"])
def test_finite_trial_alone_is_never_stopped(name: str, goal: str) -> None:
    policy = build(name)
    for n in range(1, 30):
        assert policy.should_stop([0.5 - 0.01 * i for i in range(n)], [], goal) is False


@pytest.mark.parametrize("name", NAMES)
def test_goal_decides_which_side_is_bad(name: str) -> None:
    policy = build(name)
    n = first_evaluation_point(policy)
    expected = name not in NEVER_STOPS
    assert policy.should_stop([0.0] * n, CROWD, "maximize") is expected
    assert policy.should_stop([0.0] * n, CROWD, "minimize") is False
    assert policy.should_stop([2.0] * n, CROWD, "minimize") is expected
    assert policy.should_stop([2.0] * n, CROWD, "maximize") is False


@pytest.mark.parametrize("name", NAMES)
def test_decision_is_pure(name: str) -> None:
    policy = build(name)
    n = first_evaluation_point(policy)
    trial, others, finished = [0.0] * n, [list(c) for c in CROWD], [True] * len(CROWD)
    first = policy.should_stop(trial, others, finished=finished)
    assert policy.should_stop(trial, others, finished=finished) is first
    assert trial == [0.0] * n and others == CROWD


@pytest.mark.parametrize("name", NAMES)
def test_unknown_parameter_is_refused_with_its_value(name: str) -> None:
    with pytest.raises(SamplerParamError, match="bogus=42"):
        build(name, bogus=42)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("evaluation_interval", 0),
        ("evaluation_interval", 1.5),
        ("evaluation_interval", "two"),
        ("evaluation_interval", True),
        ("delay_evaluation", -1),
        ("delay_evaluation", math.nan),
    ],
)
def test_bad_common_parameter_is_refused(name: str, param: str, value: Any) -> None:
    with pytest.raises(SamplerParamError, match=param) as caught:
        build(name, **{param: value})
    assert repr(value) in str(caught.value)


@pytest.mark.parametrize("entry", list_policies(), ids=NAMES)
def test_values_outside_declared_range_are_refused(entry: dict[str, Any]) -> None:
    for param in entry["params"]:
        for bad in (
            param["min"] - 1 if param["min"] is not None else None,
            param["max"] + 1 if param["max"] is not None else None,
        ):
            if bad is None:
                continue
            with pytest.raises(SamplerParamError, match=param["name"]):
                build(entry["name"], **{param["name"]: bad})


@pytest.mark.parametrize("name", NAMES)
def test_integral_float_from_json_is_accepted(name: str) -> None:
    assert build(name, evaluation_interval=2.0).evaluation_interval == 2


def test_unknown_policy_name_is_refused_with_the_name() -> None:
    with pytest.raises(SamplerParamError, match="'hyperband_plus'"):
        make_policy("hyperband_plus")


@pytest.mark.parametrize("name", NAMES)
def test_bad_call_arguments_are_refused(name: str) -> None:
    policy = build(name)
    with pytest.raises(SamplerParamError, match="'best'"):
        policy.should_stop([0.1], [], goal="best")
    with pytest.raises(SamplerParamError, match="1 flags for 2 curves"):
        policy.should_stop([0.1], [[0.2], [0.3]], finished=[True])


@pytest.mark.parametrize("name", NAMES)
def test_form_strings_are_accepted_like_samplers_accept_them(name: str) -> None:
    policy = build(name, evaluation_interval="3", delay_evaluation=" 6 ")
    assert (policy.evaluation_interval, policy.delay_evaluation) == (3, 6)
