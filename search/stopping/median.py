"""Median stopping policy (Azure ML HyperDrive, after Google Vizier).

A trial is stopped at report ``n`` when its best value among its first ``n`` reports is
worse than the median, over the other trials that have reached report ``n``, of their
running averages over reports 1..n.  With no other trial at ``n`` it never stops.
"""

from __future__ import annotations

import numpy as np

from search.stopping.base import Policy, best_so_far, reached
from search.stopping.registry import register


@register
class MedianStoppingPolicy(Policy):
    name = "median_stopping"
    aliases = ("median", "median_stopping_policy")
    description = (
        "Stops a trial whose best metric so far is worse than the median of the other "
        "trials' running averages at the same report."
    )

    def _should_stop(
        self, trial: np.ndarray, others: list[np.ndarray], finished: list[bool]
    ) -> bool:
        n = len(trial)
        averages = [
            float(np.nanmean(curve[:n]))
            for curve in reached(others, n)
            if not np.isnan(curve[:n]).all()
        ]
        if not averages:
            return False
        return best_so_far(trial, n) < float(np.median(averages))
