"""Bandit policy: HyperDrive's documented examples and the edges around them."""

from __future__ import annotations

import pytest

from search.errors import SamplerParamError
from search.stopping import make_policy

# HyperDrive's example: the best trial reports 0.8 at interval 10.
BEST = [0.5] * 9 + [0.8]


def at_interval_10(value: float) -> list[float]:
    return [0.1] * 9 + [value]


@pytest.mark.parametrize(("value", "stops"), [(0.66, True), (0.667, False), (0.7, False)])
def test_slack_factor_stops_below_best_over_one_plus_factor(value: float, stops: bool) -> None:
    policy = make_policy("bandit", slack_factor=0.2, evaluation_interval=10)
    assert policy.should_stop(at_interval_10(value), [BEST], "maximize") is stops


@pytest.mark.parametrize(("value", "stops"), [(0.59, True), (0.61, False)])
def test_slack_amount_stops_below_best_minus_amount(value: float, stops: bool) -> None:
    policy = make_policy("bandit", slack_amount=0.2, evaluation_interval=10)
    assert policy.should_stop(at_interval_10(value), [BEST], "maximize") is stops


@pytest.mark.parametrize(("value", "stops"), [(0.25, True), (0.23, False)])
def test_minimising_slack_factor_stops_above_best_times_one_plus_factor(
    value: float, stops: bool
) -> None:
    policy = make_policy("bandit", slack_factor=0.2, evaluation_interval=10)
    best = [0.9] * 9 + [0.2]
    assert policy.should_stop([0.9] * 9 + [value], [best], "minimize") is stops


@pytest.mark.parametrize(("value", "stops"), [(0.31, True), (0.29, False)])
def test_minimising_slack_amount_stops_above_best_plus_amount(value: float, stops: bool) -> None:
    policy = make_policy("bandit", slack_amount=0.1, evaluation_interval=10)
    best = [0.9] * 9 + [0.2]
    assert policy.should_stop([0.9] * 9 + [value], [best], "minimize") is stops


def test_policy_is_not_applied_between_intervals() -> None:
    policy = make_policy("bandit", slack_amount=0.2, evaluation_interval=10)
    assert policy.should_stop([0.1] * 9, [BEST], "maximize") is False
    assert policy.should_stop([0.1] * 20, [BEST + [0.8] * 10], "maximize") is True


def test_trial_is_judged_on_its_best_so_far_not_its_latest() -> None:
    policy = make_policy("bandit", slack_factor=0.2, evaluation_interval=10)
    dipping = [0.1] * 8 + [0.7, 0.5]
    assert policy.should_stop(dipping, [BEST], "maximize") is False


def test_best_is_taken_at_the_same_interval() -> None:
    policy = make_policy("bandit", slack_amount=0.2, evaluation_interval=10)
    late_bloomer = [0.5] * 10 + [0.99] * 10  # its 0.99 comes after interval 10
    assert policy.should_stop(at_interval_10(0.4), [late_bloomer], "maximize") is False
    short = [0.99] * 5  # never reached interval 10
    assert policy.should_stop(at_interval_10(0.4), [short], "maximize") is False


def test_best_trial_itself_continues_with_negative_metric() -> None:
    policy = make_policy("bandit", slack_factor=0.2)
    assert policy.should_stop([-1.0], [[-3.0]], "maximize") is False
    assert policy.should_stop([-1.1], [[-1.0]], "maximize") is False
    assert policy.should_stop([-1.3], [[-1.0]], "maximize") is True


@pytest.mark.parametrize(
    ("params", "said"),
    [
        ({}, "got neither$"),
        (
            {"slack_factor": 0.1, "slack_amount": 0.2},
            r"got both \(slack_factor=0.1, slack_amount=0.2\)$",
        ),
    ],
    ids=["neither", "both"],
)
def test_exactly_one_slack_is_required(params: dict[str, float], said: str) -> None:
    with pytest.raises(SamplerParamError, match="exactly one of slack_factor or slack_amount"):
        make_policy("bandit", **params)
    with pytest.raises(SamplerParamError, match=said):
        make_policy("bandit", **params)


def test_negative_slack_is_refused_with_its_value() -> None:
    with pytest.raises(SamplerParamError, match="must be >= 0.0, got slack_factor=-0.5"):
        make_policy("bandit", slack_factor=-0.5)


def test_blank_form_field_leaves_the_other_slack_unset() -> None:
    policy = make_policy("bandit", slack_factor="0.2", slack_amount="")
    assert policy.options["slack_amount"] is None
    assert policy.should_stop([0.6], [[0.8]]) is True
