"""SMAC: sequential model-based configuration with a random-forest surrogate.

Arrays and shapes:
    X:       (n_obs, d)   encoded observations in the unit box (d = space.n_dims)
    loss:    (n_obs,)     losses, lower is better
    y:       (n_model,)   the forest's targets: losses, optionally log-scaled
    ranked:  (m, d)       snapped candidates ranked by expected improvement, best first

One suggestion: a fixed scrambled-Sobol design while there are fewer than
``n_initial_points`` observations; afterwards each point is, with probability
``random_fraction``, a prior draw (SMAC's interleaved random configurations, which keep the
search from trusting a wrong forest for ever), and otherwise the maximiser of expected
improvement under the forest, found by local search from the best configurations plus random
candidates. A batch is built one point at a time; chosen and pending points enter the forest
with the worst loss seen so far (constant liar), so the batch spreads out.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from search.acquisition import Acquisition
from search.history import Observations
from search.maximize import Box, maximize_local_search, pick_unseen
from search.samplers.base import ParamSpec
from search.samplers.model_based import ModelBasedSampler
from search.samplers.registry import register
from search.scaling import binary_scale, standardize
from search.surrogates import RandomForest

# A forest on more rows buys little for the search and costs fit time; keep the best rows.
_MAX_MODEL_POINTS = 600
_N_CANDIDATES = 1000
_N_LOCAL = 10
# Offset inside the log so that the best loss maps to a finite value (SMAC's log scaling).
_LOG_EPS = 1e-3
# A lie moves a forest only inside the leaves of its point, so a batch also keeps this
# distance (per unit-box dimension, scaled by sqrt(d)) from pending and chosen points.
_MIN_DISTANCE = 0.05


def log_scale(loss: np.ndarray) -> np.ndarray:
    """Min-max scale the losses to [0, 1], then take ``log(scaled + eps)``.

    Large losses are squashed, so the forest spends its splits where the good points are.

    >>> [round(v, 2) for v in log_scale(np.array([0.0, 1.0, 100.0])).tolist()]
    [-6.91, -4.51, 0.0]
    """
    # Divided by a power of two first (exact), so that high - low cannot overflow.
    unit = loss / binary_scale(loss)
    low, high = float(unit.min()), float(unit.max())
    scaled = (unit - low) / (high - low) if high > low else np.zeros_like(unit)
    return np.log(scaled + _LOG_EPS)


@register
class SmacSampler(ModelBasedSampler):
    """Random-forest Bayesian optimisation in the style of SMAC.

    >>> from search.space import SearchSpace
    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": -2, "high": 2},
    ...                                "c": {"type": "choice", "values": ["a", "b"]}})
    >>> sampler = SmacSampler(space, goal="minimize", seed=0, n_initial_points=5)
    >>> history = []
    >>> for _ in range(20):
    ...     p = sampler.suggest(history)[0]
    ...     value = (p["x"] - 1) ** 2 + (p["c"] == "a")
    ...     history.append({"params": p, "value": value, "status": "completed"})
    >>> min(h["value"] for h in history) < 0.1
    True
    """

    name = "smac"
    description = (
        "SMAC: a random forest models the metric, expected improvement picks the next "
        "points, with some random configurations interleaved."
    )
    params = (
        ParamSpec(
            "n_initial_points",
            "int",
            10,
            "Points of the space-filling (Sobol) design tried before the model is used.",
            min=1,
            max=1000,
        ),
        ParamSpec(
            "random_fraction",
            "float",
            0.2,
            "Probability that a suggestion is a random configuration instead of the "
            "model's choice.",
            min=0.0,
            max=1.0,
        ),
        ParamSpec(
            "log_y",
            "bool",
            True,
            "Model the log of the (min-max scaled) metric; helps when values span "
            "orders of magnitude.",
        ),
        ParamSpec("n_trees", "int", 24, "Trees in the random forest.", min=1, max=500),
    )

    def _model_batch(
        self,
        obs: Observations,
        n: int,
        rng: np.random.Generator,
        taken: set,
        already: list[dict[str, Any]],
    ) -> list[dict[str, Any]]:
        X, loss = self._training_rows(obs, _MAX_MODEL_POINTS, rng)
        y = log_scale(loss) if self.options["log_y"] else standardize(loss)
        lie = float(y.max())
        X_lies = self._outstanding(obs, already)
        box = Box.from_space(self.space)
        starts = obs.X[np.argsort(obs.loss, kind="stable")[:_N_LOCAL]]
        batch: list[dict[str, Any]] = []
        model_seed = int(rng.integers(2**31))
        for _ in range(n):
            if rng.random() < self.options["random_fraction"]:
                point = self.space.sample(rng)
                if self.space.key(point) not in taken:
                    batch.append(point)
                    taken.add(self.space.key(point))
                    X_lies = np.vstack([X_lies, self.space.encode(point)[None]])
                    continue
            X_fit = np.vstack([X, X_lies])
            y_fit = np.concatenate([y, np.full(len(X_lies), lie)])
            forest = RandomForest(
                n_trees=self.options["n_trees"], kind="extra", seed=model_seed
            ).fit(X_fit, y_fit)
            acq = Acquisition(forest, kind="ei", best=float(y.min()))
            ranked, _ = maximize_local_search(
                acq, box, rng, starts=starts, n_candidates=_N_CANDIDATES, n_local=_N_LOCAL
            )
            radius = _MIN_DISTANCE * np.sqrt(box.n_dims)
            picked = pick_unseen(self.space, ranked, taken, X_lies, radius)
            if picked is None:
                break  # every scored point is taken: the base class falls back to the prior
            x, params = picked
            batch.append(params)
            taken.add(self.space.key(params))
            X_lies = np.vstack([X_lies, x[None]])
        return batch
