"""Truncation selection policy (Azure ML HyperDrive).

At each evaluation point ``n`` the trials that have reached report ``n`` (this one
included) are ranked by their best value among their first ``n`` reports, so a young
trial is compared with what older trials had achieved at the same age (a trial that
ended before ``n`` counts with the best of its whole curve).  The trial stops
when it is among the lowest ``floor(k * truncation_percentage / 100)`` of those ``k``
trials; ties count in the trial's favour.  ``exclude_finished`` leaves trials that have
already ended out of the ranking.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from search.stopping.base import ComparingPolicy, ParamSpec, best_of, best_so_far
from search.stopping.registry import register


@register
class TruncationSelectionPolicy(ComparingPolicy):
    name = "truncation_selection"
    aliases = ("truncation", "truncation_selection_policy")
    description = (
        "At each evaluation, stops a trial that ranks in the lowest truncation_percentage "
        "of all trials compared at the same report."
    )
    default_min_comparators: ClassVar[int] = 3
    params = (
        ParamSpec(
            "truncation_percentage",
            "int",
            20,
            "Percentage of lowest-ranked trials to stop at each evaluation (1-99).",
            min=1,
            max=99,
        ),
        ParamSpec(
            "exclude_finished",
            "bool",
            False,
            "Leave trials that have already ended out of the ranking.",
        ),
    )

    def _should_stop(
        self, trial: np.ndarray, others: list[np.ndarray], finished: list[bool]
    ) -> bool:
        n = len(trial)
        if self.options["exclude_finished"]:
            kept = [i for i, done in enumerate(finished) if not done]
            others, finished = [others[i] for i in kept], [False] * len(kept)
        pool = self.compared(others, finished, n, best_of)
        if pool is None:
            return False
        n_cut = (len(pool) + 1) * self.options["truncation_percentage"] // 100
        if n_cut == 0:
            return False
        mine = best_so_far(trial, n)
        at_or_below = sum(value <= mine for value in pool)
        return at_or_below < n_cut
