"""Random search: independent draws from the prior, or a scrambled Sobol sequence.

Arrays:
    u: (n, n_params) in [0, 1)    per-parameter unit coordinates, decoded by the space
"""

from __future__ import annotations

from typing import Any

import numpy as np

from search.design import design_points
from search.history import Observations
from search.samplers.base import ParamSpec, Sampler
from search.samplers.registry import register


@register
class RandomSampler(Sampler):
    """Draws every parameter from its prior.

    With ``rule="sobol"`` the job walks one scrambled Sobol sequence fixed by the seed:
    trial ``i`` of the job takes point ``i``, which spreads points more evenly than
    independent draws for the same budget.

    >>> from search.space import SearchSpace
    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1}})
    >>> [p["x"] for p in RandomSampler(space, seed=0, rule="sobol").suggest([], n=2)][0] < 1
    True
    """

    name = "random"
    description = "Random search: independent draws from each parameter's prior (or Sobol)."
    params = (
        ParamSpec(
            "rule",
            "str",
            "random",
            "'random' for independent draws, 'sobol' for a scrambled Sobol sequence.",
            choices=("random", "sobol"),
        ),
    )

    def _suggest(self, obs: Observations, n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
        if self.options["rule"] == "random":
            return [self.space.sample(rng) for _ in range(n)]
        # Trial i of the job takes point i of the seed's sequence, so the sequence is
        # shared by the whole job and still a pure function of the history's length.
        return design_points(self.space, self.seed, obs.n_trials, n)
