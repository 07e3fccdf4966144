"""Median stopping policy (Azure ML HyperDrive, after Google Vizier).

A trial is stopped at report ``n`` when its best value among its first ``n`` reports is
worse than the median of the other trials' running averages over reports 1..n (a trial
that ended before ``n`` counts with the running average of its whole curve), provided at
least ``min_comparators`` (default 3) other trials can be compared.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np

from search.stopping.base import ComparingPolicy, best_so_far, running_average
from search.stopping.registry import register


@register
class MedianStoppingPolicy(ComparingPolicy):
    name = "median_stopping"
    aliases = ("median", "median_stopping_policy")
    description = (
        "Stops a trial whose best metric so far is worse than the median of the other "
        "trials' running averages at the same report."
    )
    default_min_comparators: ClassVar[int] = 3

    def _should_stop(
        self, trial: np.ndarray, others: list[np.ndarray], finished: list[bool]
    ) -> bool:
        n = len(trial)
        averages = self.compared(others, finished, n, running_average)
        if averages is None:
            return False
        return best_so_far(trial, n) < float(np.median(averages))
