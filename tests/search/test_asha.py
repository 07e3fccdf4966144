"""ASHA: rungs at min_resource * reduction_factor**k, top 1/reduction_factor go on."""

from __future__ import annotations

import math

import pytest

from search.errors import SamplerParamError
from search.stopping import make_policy


def test_rungs_grow_geometrically_and_stop_before_max_resource() -> None:
    assert make_policy("asha", min_resource=2).rungs(100) == [2, 6, 18, 54]
    assert make_policy("asha", max_resource=27).rungs(100) == [3, 9]


def test_acts_only_at_rungs() -> None:
    policy = make_policy("asha", min_resource=1)
    assert [n for n in range(1, 30) if policy.is_evaluation_point(n)] == [1, 3, 9, 27]
    crowd = [[1.0] * 30] * 8
    assert policy.should_stop([0.0] * 2, crowd) is False
    assert policy.should_stop([0.0] * 3, crowd) is True


@pytest.mark.parametrize(("rank", "stops"), [(0, False), (2, False), (3, True), (8, True)])
def test_only_top_third_of_trials_at_a_rung_continue(rank: int, stops: bool) -> None:
    policy = make_policy("asha")
    values = [0.9 - 0.1 * i for i in range(9)]  # nine trials at rung 3, best first
    mine = values.pop(rank)
    others = [[0.0, 0.0, v] for v in values]
    assert policy.should_stop([0.0, 0.0, mine], others) is stops


def test_with_too_few_trials_at_a_rung_the_trial_continues() -> None:
    policy = make_policy("asha")
    assert policy.should_stop([0.0] * 3, [[1.0] * 3]) is False
    assert policy.should_stop([0.0] * 3, [[1.0] * 3, [1.0] * 3]) is True


def test_compares_values_at_the_rung_not_later_ones() -> None:
    policy = make_policy("asha")
    # Others were worse at report 3 and only improved afterwards.
    others = [[0.0, 0.0, 0.1] + [1.0] * 20 for _ in range(5)]
    assert policy.should_stop([0.0, 0.0, 0.5], others) is False


def test_minimising_keeps_the_lowest_losses() -> None:
    policy = make_policy("asha", min_resource=1, reduction_factor=2)
    others = [[v] for v in (0.1, 0.2, 0.3)]
    assert policy.should_stop([0.05], others, "minimize") is False
    assert policy.should_stop([0.25], others, "minimize") is True


def test_diverged_trial_at_a_rung_ranks_below_everything() -> None:
    policy = make_policy("asha", min_resource=1, reduction_factor=2)
    others = [[0.1], [math.nan], [math.nan]]  # keep 2 of 4: NaNs are not better
    assert policy.should_stop([0.05], others) is False


def test_max_resource_must_exceed_min_resource() -> None:
    with pytest.raises(SamplerParamError, match="max_resource=3, min_resource=3"):
        make_policy("asha", min_resource=3, max_resource=3)


def test_reduction_factor_below_two_is_refused() -> None:
    with pytest.raises(SamplerParamError, match="must be >= 2, got reduction_factor=1"):
        make_policy("asha", reduction_factor=1)
