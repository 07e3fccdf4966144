"""The ``none`` policy: no early termination, every trial runs to its end."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from search.stopping.base import Policy
from search.stopping.registry import register


@register
class NoTerminationPolicy(Policy):
    name = "none"
    aliases = ("no_termination",)
    description = "Never stops a trial early (not even a diverged one)."

    def should_stop(
        self,
        trial_curve: Sequence[float],
        other_curves: Sequence[Sequence[float]],
        goal: str = "maximize",
        *,
        finished: Sequence[bool] | None = None,
    ) -> bool:
        # Validate the call like every policy does, then never stop.
        super().should_stop([], other_curves, goal, finished=finished)
        return False

    def _should_stop(
        self, trial: np.ndarray, others: list[np.ndarray], finished: list[bool]
    ) -> bool:
        return False
