"""Bandit policy (Azure ML HyperDrive): stop a trial that falls outside a slack of the best.

At report ``n`` the best trial is the one with the best value among the first ``n``
reports of every trial that has reached ``n`` (this trial included; a trial that ended
before ``n`` counts with its whole curve).  With a goal to
maximise, ``slack_factor`` stops a trial whose best so far is below ``best / (1 + f)``
and ``slack_amount`` one below ``best - a``; when minimising, above ``best * (1 + f)``
and ``best + a``.  HyperDrive's example: best 0.8 at interval 10, slack_factor 0.2 stops
anything below 0.8 / 1.2 = 0.667, slack_amount 0.2 anything below 0.6.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from search.errors import SamplerParamError
from search.stopping.base import ComparingPolicy, ParamSpec, best_of, best_so_far
from search.stopping.registry import register


@register
class BanditPolicy(ComparingPolicy):
    name = "bandit"
    aliases = ("bandit_policy",)
    description = (
        "Stops a trial whose best metric so far is not within slack_factor (a ratio) or "
        "slack_amount (an absolute distance) of the best trial at the same report."
    )
    params = (
        ParamSpec(
            "slack_factor",
            "float",
            None,
            "Allowed slack as a ratio of the best trial's metric (give this or slack_amount).",
            min=0.0,
        ),
        ParamSpec(
            "slack_amount",
            "float",
            None,
            "Allowed slack as an absolute distance from the best (give this or slack_factor).",
            min=0.0,
        ),
    )

    @classmethod
    def _check_together(cls, options: dict[str, Any]) -> None:
        factor, amount = options["slack_factor"], options["slack_amount"]
        if factor is None and amount is None:
            raise SamplerParamError(
                "bandit needs exactly one of slack_factor or slack_amount, got neither"
            )
        if factor is not None and amount is not None:
            raise SamplerParamError(
                "bandit needs exactly one of slack_factor or slack_amount, got both "
                f"(slack_factor={factor!r}, slack_amount={amount!r})"
            )

    def threshold(self, best: float) -> float:
        """Lowest acceptable value (higher is better orientation) given the best one."""
        amount = self.options["slack_amount"]
        if amount is not None:
            return best - amount
        ratio = 1.0 + self.options["slack_factor"]
        # Orientation turns minimisation into negative values: dividing a negative best
        # would raise the bar above the best itself, so the ratio goes the other way.
        # For a minimised loss b > 0 this gives -b * (1 + f), i.e. HyperDrive's b * (1 + f).
        return best / ratio if best >= 0 else best * ratio

    def _should_stop(
        self, trial: np.ndarray, others: list[np.ndarray], finished: list[bool]
    ) -> bool:
        n = len(trial)
        pool = self.compared(others, finished, n, best_of)
        if pool is None:
            return False
        mine = best_so_far(trial, n)
        best = max([mine, *pool])
        return mine < self.threshold(best)
