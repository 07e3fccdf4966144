"""Median stopping: best so far against the median of running averages at the same report."""

from __future__ import annotations

import math

from search.stopping import make_policy

# Running averages over reports 1..5: 0.3, 0.5 and 0.6, so the median is 0.5.
OTHERS = [
    [0.1, 0.2, 0.3, 0.4, 0.5],
    [0.5, 0.5, 0.5, 0.5, 0.5],
    [0.2, 0.4, 0.6, 0.8, 1.0],
]


def test_stops_trial_whose_best_is_below_median_of_running_averages() -> None:
    policy = make_policy("median_stopping")
    assert policy.should_stop([0.1, 0.2, 0.45, 0.3, 0.3], OTHERS) is True


def test_keeps_trial_whose_best_beats_the_median_even_if_latest_is_low() -> None:
    policy = make_policy("median_stopping")
    assert policy.should_stop([0.1, 0.55, 0.2, 0.2, 0.2], OTHERS) is False


def test_minimising_mirrors_the_rule() -> None:
    policy = make_policy("median_stopping")
    losses = [[-v for v in curve] for curve in OTHERS]  # median of averages: -0.5
    assert policy.should_stop([-0.1, -0.2, -0.45, -0.3, -0.3], losses, "minimize") is True
    assert policy.should_stop([-0.1, -0.55, -0.2, -0.2, -0.2], losses, "minimize") is False


def test_compares_only_with_trials_that_reached_the_same_report() -> None:
    policy = make_policy("median_stopping")
    short = [[0.9, 0.9, 0.9]] * 5
    assert policy.should_stop([0.1] * 5, short) is False
    assert policy.should_stop([0.1] * 5, short + [[0.2] * 8]) is True


def test_running_averages_use_reports_up_to_the_current_one() -> None:
    policy = make_policy("median_stopping")
    # 0.2 for five reports then 1.0: the average over reports 1..5 is 0.2, not higher.
    other = [0.2] * 5 + [1.0] * 20
    assert policy.should_stop([0.25] * 5, [other]) is False


def test_nan_points_of_other_trials_are_skipped() -> None:
    policy = make_policy("median_stopping")
    other = [math.nan, 0.6, 0.6, 0.6, 0.6]
    assert policy.should_stop([0.5] * 5, [other]) is True


def test_hyperdrive_style_delay_keeps_young_trials() -> None:
    policy = make_policy("median_stopping", evaluation_interval=1, delay_evaluation=5)
    assert policy.should_stop([0.0] * 4, OTHERS) is False
    assert policy.should_stop([0.0] * 5, OTHERS) is True
