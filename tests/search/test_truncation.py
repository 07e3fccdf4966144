"""Truncation selection: the lowest percentage at the same report is cancelled."""

from __future__ import annotations

import pytest

from search.errors import SamplerParamError
from search.stopping import make_policy

# Four other trials at report 5 with best values 0.2, 0.4, 0.6, 0.8.
OTHERS = [[v] * 5 for v in (0.2, 0.4, 0.6, 0.8)]


def test_lowest_fifth_of_five_trials_is_cancelled() -> None:
    policy = make_policy("truncation_selection", truncation_percentage=20)
    assert policy.should_stop([0.1] * 5, OTHERS) is True
    assert policy.should_stop([0.3] * 5, OTHERS) is False


def test_larger_percentage_cancels_more_trials() -> None:
    policy = make_policy("truncation_selection", truncation_percentage=40)
    assert policy.should_stop([0.3] * 5, OTHERS) is True
    assert policy.should_stop([0.5] * 5, OTHERS) is False


def test_minimising_cancels_the_highest_losses() -> None:
    policy = make_policy("truncation_selection", truncation_percentage=20)
    assert policy.should_stop([0.9] * 5, OTHERS, "minimize") is True
    assert policy.should_stop([0.1] * 5, OTHERS, "minimize") is False


def test_young_trial_is_compared_with_older_trials_at_its_own_age() -> None:
    policy = make_policy("truncation_selection", truncation_percentage=20)
    # The older trials shoot up after report 5; at report 5 the young trial is not last.
    older = [curve + [5.0] * 10 for curve in OTHERS]
    assert policy.should_stop([0.3] * 5, older) is False


def test_ties_count_in_the_trials_favour() -> None:
    policy = make_policy("truncation_selection", truncation_percentage=50)
    assert policy.should_stop([0.5] * 5, [[0.5] * 5] * 5) is False


def test_exclude_finished_leaves_ended_trials_out_of_the_ranking() -> None:
    others = [[0.0] * 5] + OTHERS  # the 0.0 trial has ended
    finished = [True, False, False, False, False]
    keep = make_policy("truncation_selection", truncation_percentage=25)
    drop = make_policy("truncation_selection", truncation_percentage=25, exclude_finished=True)
    assert keep.should_stop([0.1] * 5, others, finished=finished) is False
    assert drop.should_stop([0.1] * 5, others, finished=finished) is True


@pytest.mark.parametrize("value", [0, 100, 50.5])
def test_percentage_outside_1_to_99_is_refused(value: float) -> None:
    with pytest.raises(SamplerParamError, match=f"truncation_percentage.*{value!r}"):
        make_policy("truncation_selection", truncation_percentage=value)


def test_exclude_finished_must_be_a_bool() -> None:
    with pytest.raises(SamplerParamError, match="bool, got exclude_finished=.maybe."):
        make_policy("truncation_selection", exclude_finished="maybe")
