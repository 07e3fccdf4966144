"""Rows -> search history dicts and curves: the one adapter into the search library."""

from __future__ import annotations

import math
from typing import Any

import pytest

from search import make_sampler
from trainingjobs import history
from trainingjobs.models import Trial

from .engine_helpers import claim, finish, make_job, report, step, trials

S = Trial.Status


@pytest.mark.django_db
def test_job_history_has_params_value_status_and_curve(alice: Any) -> None:
    job = make_job(alice, max_concurrent=3, max_trials=3)
    step(job)
    done, stopped, queued = trials(job)
    claim(done)
    finish(done, values=[0.1, None, 0.3])
    claim(stopped)
    finish(stopped, S.EARLY_STOPPED, values=[0.05])
    records = history.job_history(job.pk)
    assert [r["status"] for r in records] == [S.COMPLETED, S.EARLY_STOPPED, S.QUEUED]
    assert records[0]["params"] == done.params and records[0]["value"] == 0.3
    assert records[0]["curve"][0] == 0.1 and math.isnan(records[0]["curve"][1])
    assert records[2] == {
        "params": queued.params,
        "value": None,
        "status": S.QUEUED,
        "curve": [],
        "number": queued.number,
        "algorithm": queued.algorithm,
    }
    # the search library reads it as it is
    space = job.search_space
    assert len(make_sampler("tpe", space, seed=1).suggest(records, n=2)) == 2


@pytest.mark.django_db
def test_other_curves_leave_the_trial_out_and_flag_finished_ones(
    alice: Any, django_assert_num_queries: Any
) -> None:
    job = make_job(alice, max_concurrent=3, max_trials=3)
    step(job)
    mine, ended, running = trials(job)
    for trial in (mine, ended, running):
        claim(trial)
    report(mine, [0.9])
    finish(ended, values=[0.1, 0.2])
    report(running, [0.5])
    with django_assert_num_queries(1):
        others = history.other_curves(job.pk, mine.pk)
    assert others.curves == [[0.1, 0.2], [0.5]]
    assert others.finished == [True, False]


@pytest.mark.parametrize(
    ("values", "how", "goal", "expected"),
    [
        ([], "last", "maximize", None),
        ([0.1, 0.5, 0.2], "last", "maximize", 0.2),
        ([0.1, 0.5, 0.2], "best", "maximize", 0.5),
        ([0.1, 0.5, 0.2], "best", "minimize", 0.1),
        ([0.1, None], "last", "maximize", None),
        ([0.1, None, -math.inf], "best", "minimize", 0.1),
        ([None, math.inf], "best", "maximize", None),
    ],
)
def test_objective_is_the_last_or_best_finite_value(
    values: list[float | None], how: str, goal: str, expected: float | None
) -> None:
    assert history.objective(values, how=how, goal=goal) == expected


@pytest.mark.parametrize(
    ("value", "than", "goal", "better"),
    [
        (0.5, None, "maximize", True),
        (0.5, 0.4, "maximize", True),
        (0.5, 0.4, "minimize", False),
        (math.nan, 0.4, "maximize", False),
        (math.inf, 0.4, "maximize", False),
        (None, None, "maximize", False),
        (0.1, math.nan, "minimize", True),
    ],
)
def test_non_finite_values_never_win(
    value: float | None, than: float | None, goal: str, better: bool
) -> None:
    assert history.is_better(value, than, goal=goal) is better


@pytest.mark.django_db
def test_history_for_samplers_loads_only_the_curves_they_read(alice: Any) -> None:
    job = make_job(alice, max_concurrent=3, max_trials=3)
    step(job)
    done, stopped, valueless = trials(job)
    for trial in (done, stopped, valueless):
        claim(trial)
    finish(done, values=[0.1, 0.3])
    finish(stopped, S.EARLY_STOPPED, values=[0.2])
    finish(valueless, S.EARLY_STOPPED, values=[0.4, None])  # objective "last": None
    records = history.job_history(job.pk, curves=False)
    assert [r["curve"] for r in records][:2] == [[], []]
    assert records[2]["curve"][0] == 0.4 and math.isnan(records[2]["curve"][1])
