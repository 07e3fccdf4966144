"""Asynchronous successive halving (ASHA, Li et al. 2020) as a stopping policy.

Rungs sit at ``min_resource * reduction_factor**k`` reports (k = 0, 1, ...), below
``max_resource`` when it is given.  A trial that reaches a rung continues only if its
value at that rung is among the top ``floor(m / reduction_factor)`` of the ``m`` trials
that have reached the rung (this one included).  Promotion is asynchronous: while fewer
than ``reduction_factor`` trials have reached a rung there is nothing to compare with,
so the trial continues.  Works with any sampler; the common ``evaluation_interval`` and
``delay_evaluation`` further restrict the rungs at which the policy acts.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from search.errors import SamplerParamError
from search.stopping.base import ParamSpec, Policy, reached
from search.stopping.registry import register


@register
class AshaPolicy(Policy):
    name = "asha"
    aliases = ("successive_halving",)
    description = (
        "Asynchronous successive halving: at rungs min_resource * reduction_factor^k, "
        "keeps only the top 1/reduction_factor of the trials that reached the rung."
    )
    params = (
        ParamSpec(
            "min_resource",
            "int",
            3,
            "Reports before the first rung (a grace period: first reports are noisy).",
            min=1,
        ),
        ParamSpec(
            "reduction_factor",
            "int",
            3,
            "Only the top 1/reduction_factor of trials go past each rung.",
            min=2,
            max=100,
        ),
        ParamSpec(
            "max_resource",
            "int",
            None,
            "Reports of a full trial; no rung at or beyond it (empty: unbounded).",
            min=1,
        ),
    )

    @classmethod
    def _check_together(cls, options: dict[str, Any]) -> None:
        low, high = options["min_resource"], options["max_resource"]
        if high is not None and high <= low:
            raise SamplerParamError(
                f"asha: max_resource must be > min_resource, got max_resource={high!r}, "
                f"min_resource={low!r}"
            )

    def rungs(self, limit: int) -> list[int]:
        """Rung report counts up to and including ``limit``."""
        cap = self.options["max_resource"]
        found: list[int] = []
        rung = self.options["min_resource"]
        while rung <= limit and (cap is None or rung < cap):
            found.append(rung)
            rung *= self.options["reduction_factor"]
        return found

    def is_evaluation_point(self, n: int) -> bool:
        return super().is_evaluation_point(n) and n in self.rungs(n)

    def _should_stop(
        self, trial: np.ndarray, others: list[np.ndarray], finished: list[bool]
    ) -> bool:
        n = len(trial)
        rate = self.options["reduction_factor"]
        at_rung = reached(others, n)
        if len(at_rung) + 1 < rate:
            return False
        mine = trial[n - 1]
        # A NaN at the rung is a diverged trial: it ranks below everything.
        better = sum(bool(curve[n - 1] > mine) for curve in at_rung)
        return better >= (len(at_rung) + 1) // rate
