"""The common beat of surrogate-model samplers: a space-filling start, then the model.

Subclasses (``bayesian``, ``smac``) only say how a model proposes a batch.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from search.design import unseen_design
from search.history import Observations
from search.samplers.base import Sampler
from search.scaling import standardize
from search.surrogates import training_subset


class ModelBasedSampler(Sampler):
    """Sobol design for the first ``n_initial_points`` trials, the surrogate after that."""

    def _suggest(self, obs: Observations, n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
        taken = set(obs.seen)
        n_init = self.options["n_initial_points"]
        chosen: list[dict[str, Any]] = []
        if obs.n_obs < n_init:
            chosen = unseen_design(self.space, self.seed, n_init, taken)[:n]
            if len(chosen) == n or obs.n_obs < 2:
                return chosen  # the base class tops a short batch up with prior draws
            taken |= {self.space.key(p) for p in chosen}
        return chosen + self._model_batch(obs, n - len(chosen), rng, taken, chosen)

    def _training_rows(
        self, obs: Observations, cap: int, rng: np.random.Generator
    ) -> tuple[np.ndarray, np.ndarray]:
        """(X, z) of at most ``cap`` observations (the best ones plus a random rest), with
        the losses standardised over all observations (``search.scaling``): the model
        never sees the metric's units, so a positive scale and shift of the values does
        not change a suggestion, and no finite value can overflow it."""
        keep = training_subset(obs.loss, cap, rng)
        return obs.X[keep], standardize(obs.loss)[keep]

    def _outstanding(self, obs: Observations, already: list[dict[str, Any]]) -> np.ndarray:
        """(n_pending + len(already), n_dims): points running or picked earlier in this call."""
        rows = [obs.X_pending] + [self.space.encode(p)[None] for p in already]
        return np.vstack(rows)

    def _model_batch(
        self,
        obs: Observations,
        n: int,
        rng: np.random.Generator,
        taken: set[Any],
        already: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        """``n`` new points from the model, avoiding ``taken`` and spreading from ``already``."""
        raise NotImplementedError
