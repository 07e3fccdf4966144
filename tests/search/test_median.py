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
    policy = make_policy("median_stopping", min_comparators=1)
    short = [[0.9, 0.9, 0.9]] * 5
    assert policy.should_stop([0.1] * 5, short) is False
    assert policy.should_stop([0.1] * 5, short + [[0.2] * 8]) is True


def test_running_averages_use_reports_up_to_the_current_one() -> None:
    policy = make_policy("median_stopping")
    # 0.2 for five reports then 1.0: the average over reports 1..5 is 0.2, not higher.
    other = [0.2] * 5 + [1.0] * 20
    assert policy.should_stop([0.25] * 5, [other]) is False


def test_nan_points_of_other_trials_are_skipped() -> None:
    policy = make_policy("median_stopping", min_comparators=1)
    other = [math.nan, 0.6, 0.6, 0.6, 0.6]
    assert policy.should_stop([0.5] * 5, [other]) is True


def test_hyperdrive_style_delay_keeps_young_trials() -> None:
    policy = make_policy("median_stopping", evaluation_interval=1, delay_evaluation=5)
    assert policy.should_stop([0.0] * 4, OTHERS) is False
    assert policy.should_stop([0.0] * 5, OTHERS) is True


def test_trials_that_ended_earlier_count_with_their_final_running_average() -> None:
    # Four trials ended at report 10 with 0.60; one runs on at 0.62. At report 11 the
    # trial at 0.61 is compared with all five (median 0.60), not with the one left.
    others = [[0.60] * 10] * 4 + [[0.62] * 100]
    finished = [True] * 4 + [False]
    policy = make_policy("median_stopping")
    assert policy.should_stop([0.61] * 10, others, "maximize", finished=finished) is False
    assert policy.should_stop([0.61] * 11, others, "maximize", finished=finished) is False


def test_too_few_comparators_never_stop_a_trial() -> None:
    # Without the flags the four short curves may still be running: at report 11 only
    # one trial is comparable, fewer than the default minimum of three.
    others = [[0.60] * 10] * 4 + [[0.62] * 100]
    policy = make_policy("median_stopping")
    assert policy.should_stop([0.61] * 11, others, "maximize") is False
    assert make_policy("median", min_comparators=1).should_stop([0.61] * 11, others) is True
