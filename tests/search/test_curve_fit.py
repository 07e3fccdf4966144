"""Learning-curve extrapolation: fit saturating curves, stop hopeless trials."""

from __future__ import annotations

import numpy as np
import pytest

from search.errors import SamplerParamError
from search.stopping import make_policy
from search.stopping.curve_fit import beat_probability, predictive, resolution

T = np.arange(1.0, 51.0)
# Finished trials of the job: the best ends at 0.90 (accuracy, maximised).
FINISHED = [list(0.90 - 0.5 * T**-0.8), list(0.80 - 0.4 * T**-0.8)]


def test_power_law_curve_is_extrapolated_to_its_limit() -> None:
    t = np.arange(1.0, 11.0)
    prediction = predictive(t, 0.9 - 0.5 * t**-0.8, 50.0).mean()
    assert prediction == pytest.approx(0.9 - 0.5 * 50**-0.8, abs=0.01)


# First five validation log losses of the configuration that ends best (0.129) on the
# recorded digits curves: nearly exponential so far, with a slow tail still to come.
SLOW_TAIL = [1.5338, 1.015, 0.7091, 0.5443, 0.4459]


def test_short_curve_fitting_one_model_well_keeps_its_uncertainty() -> None:
    # A profile fit gave the fast exponential all the weight: P = 1e-23 of ending below
    # the best final loss of 0.1325, and the eventual winner was stopped.
    probability = beat_probability(-np.array(SLOW_TAIL), 50, -0.1325)
    assert 0.1 < probability < 0.5


def test_slow_tail_winner_is_kept_at_its_first_evaluation() -> None:
    others = [[2.0] * 49 + [0.1325]] * 3
    policy = make_policy("curve_fitting", threshold=0.01)
    assert policy.should_stop(SLOW_TAIL, others, "minimize", finished=[True] * 3) is False


def test_resolution_is_the_metric_step() -> None:
    steps = [np.array([k / 54 for k in (40, 50, 53, 54)]), np.array([54 / 54, 52 / 54])]
    assert resolution(steps) == pytest.approx(1 / 54)
    assert resolution([np.array([0.3, np.nan, 0.3])]) == 0.0


def test_trial_that_can_at_most_tie_a_saturated_best_is_stopped() -> None:
    # Accuracy on 54 samples: the best trials end at 100 %; this one sits there already.
    flat_top = [50 / 54, 53 / 54] + [1.0] * 8
    others = [[0.5] * 49 + [1.0]] * 3
    policy = make_policy("curve_fitting")
    assert policy.should_stop(flat_top, others, "maximize", finished=[True] * 3) is True
    # Without the step (a continuous metric) a tie is even odds: it is kept.
    assert beat_probability(np.array(flat_top), 50, 1.0) > 0.4


def test_trial_still_rising_towards_a_saturated_best_is_kept() -> None:
    rising = [k / 54 for k in (30, 38, 43, 46, 48, 49, 50, 51)]
    others = [[0.5] * 49 + [1.0]] * 3
    policy = make_policy("curve_fitting")
    assert policy.should_stop(rising, others, "maximize", finished=[True] * 3) is False


def test_stops_a_trial_heading_well_below_the_best_final_value() -> None:
    policy = make_policy("curve_fitting")
    hopeless = list(0.70 - 0.4 * T[:10] ** -0.8)
    assert policy.should_stop(hopeless, FINISHED, "maximize", finished=[True, True]) is True


def test_keeps_a_slow_starter_that_may_still_win() -> None:
    policy = make_policy("curve_fitting")
    # Low now, but rising steeply: its extrapolation ends above 0.90.
    slow = list(1.05 - 0.9 * T[:10] ** -0.5)
    assert slow[-1] < FINISHED[0][9]
    assert policy.should_stop(slow, FINISHED, "maximize", finished=[True, True]) is False


def test_minimising_mirrors_the_rule() -> None:
    policy = make_policy("curve_fitting")
    losses = [[-v for v in curve] for curve in FINISHED]
    hopeless = [-v for v in 0.70 - 0.4 * T[:10] ** -0.8]
    assert policy.should_stop(hopeless, losses, "minimize", finished=[True, True]) is True


def test_never_stops_a_trial_no_other_trial_has_outrun() -> None:
    policy = make_policy("curve_fitting")
    hopeless = list(0.70 - 0.4 * T[:10] ** -0.8)
    younger = [curve[:8] for curve in FINISHED]
    assert policy.should_stop(hopeless, younger, "maximize") is False


def test_max_resource_sets_the_horizon() -> None:
    # Judged at report 50, the trial is hopeless; the others have only reached report 20.
    hopeless = list(0.70 - 0.4 * T[:10] ** -0.8)
    young = [curve[:20] for curve in FINISHED]
    assert make_policy("curve_fitting", max_resource=50).should_stop(hopeless, young) is False
    assert make_policy("curve_fitting").should_stop(hopeless, young) is True


def test_too_few_points_are_not_extrapolated() -> None:
    policy = make_policy("curve_fitting", min_points=8)
    hopeless = list(0.70 - 0.4 * T[:7] ** -0.8)
    assert policy.should_stop(hopeless, FINISHED, "maximize") is False


def test_noisy_curve_near_the_best_keeps_a_fair_chance() -> None:
    rng = np.random.default_rng(0)
    curve = 0.9 - 0.5 * T[:10] ** -0.8 + rng.normal(0.0, 0.01, 10)
    assert 0.05 < beat_probability(curve, 50, 0.886) < 0.95


def test_max_resource_must_exceed_min_points() -> None:
    with pytest.raises(SamplerParamError, match="max_resource=5, min_points=5"):
        make_policy("curve_fitting", max_resource=5)
