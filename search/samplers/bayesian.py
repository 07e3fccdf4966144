"""Bayesian optimisation with a Gaussian process (ModelArts ``bayes_opt_search``).

Arrays and shapes:
    X:         (n_obs, d)      encoded observations in the unit box (d = space.n_dims)
    loss:      (n_obs,)        losses, lower is better
    keep:      (n_model,)      rows the GP is conditioned on (all of them up to a cap)
    X_pending: (n_pending, d)  queued and running trials, fantasised as observed
    ranked:    (m, d)          snapped candidates ranked by acquisition, best first

One suggestion: a fixed scrambled-Sobol design while there are fewer than
``n_initial_points`` observations; then a GP (Matern 5/2, one lengthscale per parameter,
categoricals by Hamming distance, hyperparameters by maximum a posteriori with L-BFGS-B) on
standardised losses, an acquisition function (``ei`` by default, optimised as log EI)
maximised by Sobol + random candidates and a mixed local search from the best of them,
from others drawn in proportion to their EI and from the best observations: one L-BFGS-B
run per start on the numeric parameters, alternating with tries of every choice of the
discrete ones (as Optuna's GP sampler).
A batch is built one point at a time: each chosen point and each pending trial is added to
the GP as if it had returned the GP's own prediction (kriging believer), which removes the
uncertainty there and pushes later points of the batch elsewhere. (Optuna's q-batch log EI
for running points was measured instead and lost on the tuning half: docs/benchmarks.md.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from search.acquisition import KINDS, Acquisition
from search.history import Observations
from search.maximize import Box, maximize_with_gradients, pick_unseen
from search.samplers.base import ParamSpec
from search.samplers.model_based import ModelBasedSampler
from search.samplers.registry import register
from search.scaling import in_standard_units
from search.space import SearchSpace
from search.surrogates import GaussianProcess, training_subset

# Cost bounds: the GP is conditioned on at most _MAX_MODEL_POINTS observations and its
# hyperparameters are fitted on at most _MAX_FIT_POINTS of them (best ones kept, rest random),
# so a suggestion costs about the same at 300 or 30 000 trials.
_MAX_MODEL_POINTS = 200
_MAX_FIT_POINTS = 80
# Extra random restarts of the hyperparameter fit pay off only while data are few.
_RESTARTS_UNTIL = 48
_N_CANDIDATES = 1024
_N_LOCAL = 8
_N_INCUMBENTS = 3


@register
class BayesianSampler(ModelBasedSampler):
    """Gaussian-process Bayesian optimisation.

    >>> from search.space import SearchSpace
    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": -2, "high": 2}})
    >>> sampler = BayesianSampler(space, goal="minimize", seed=0, n_initial_points=4)
    >>> history = []
    >>> for _ in range(12):
    ...     p = sampler.suggest(history)[0]
    ...     history.append({"params": p, "value": (p["x"] - 1) ** 2, "status": "completed"})
    >>> min(h["value"] for h in history) < 0.01
    True
    """

    name = "bayesian"
    aliases = ("bayes_opt_search",)
    description = (
        "Bayesian optimisation: a Gaussian process (Matern 5/2) models the metric and an "
        "acquisition function (ei, ucb or poi) picks the next points."
    )
    params = (
        ParamSpec(
            "kind",
            "str",
            "ei",
            "Acquisition function: 'ei' (expected improvement, default), 'ucb' "
            "(upper confidence bound) or 'poi' (probability of improvement).",
            choices=KINDS,
        ),
        ParamSpec(
            "kappa",
            "float",
            2.5,
            "UCB exploration weight: larger explores more (used when kind='ucb').",
            min=0.0,
            max=100.0,
        ),
        ParamSpec(
            "xi",
            "float",
            0.0,
            "Improvement margin for 'ei' and 'poi', in units of the metric: larger explores more.",
            min=0.0,
        ),
        ParamSpec(
            "n_initial_points",
            "int",
            10,
            "Points of the space-filling (Sobol) design tried before the model is used.",
            min=1,
            max=1000,
        ),
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
        fit_rows = training_subset(loss, _MAX_FIT_POINTS, rng)
        restarts = 2 if len(fit_rows) <= _RESTARTS_UNTIL else 1
        groups, weights = kernel_layout(self.space)
        hyper = GaussianProcess(
            n_restarts=restarts, seed=int(rng.integers(2**31)), groups=groups, weights=weights
        )
        hyper.fit(X[fit_rows], loss[fit_rows])
        gp = GaussianProcess(fixed_theta=hyper.theta, groups=groups, weights=weights).fit(X, loss)
        best = float(loss.min())  # in standard units, as the GP's targets
        X_fantasy = self._outstanding(obs, already)
        if len(X_fantasy):
            gp, best = _believe(gp, X_fantasy, best)
        box = Box.from_space(self.space)
        starts = obs.X[np.argsort(obs.loss, kind="stable")[:_N_INCUMBENTS]]
        batch: list[dict[str, Any]] = []
        for _ in range(n):
            acq = Acquisition(
                gp,
                kind=self.options["kind"],
                best=best,
                kappa=self.options["kappa"],
                xi=in_standard_units(obs.loss, self.options["xi"]),
            )
            ranked, _ = maximize_with_gradients(
                acq,
                acq.value_and_grad,
                box,
                rng,
                starts=starts,
                n_candidates=_N_CANDIDATES,
                n_local=_N_LOCAL,
                scales=gp.column_lengthscales,
            )
            picked = pick_unseen(self.space, ranked, taken)
            if picked is None:
                break  # every scored point is taken: the base class falls back to the prior
            x, params = picked
            batch.append(params)
            taken.add(self.space.key(params))
            gp, best = _believe(gp, x[None], best)
        return batch


def kernel_layout(space: SearchSpace) -> tuple[np.ndarray, np.ndarray]:
    """The GP's column layout for ``space``: ``groups (n_dims,)``, the parameter of each
    column, and ``weights (n_dims,)``, 1/2 on one-hot columns so that two choices of a
    categorical are at distance one lengthscale (Hamming, as Optuna's GP), 1 elsewhere.

    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1},
    ...                                "c": {"type": "choice", "values": ["a", "b", "c"]}})
    >>> groups, weights = kernel_layout(space)
    >>> groups.tolist(), weights.tolist()
    ([0, 1, 1, 1], [1.0, 0.5, 0.5, 0.5])
    """
    groups = np.zeros(space.n_dims, dtype=int)
    weights = np.ones(space.n_dims)
    for i, (name, dist) in enumerate(space.dists.items()):
        column = space.columns[name]
        groups[column] = i
        if dist.is_categorical:
            weights[column] = 0.5
    return groups, weights


def _believe(gp: GaussianProcess, X_new: np.ndarray, best: float) -> tuple[GaussianProcess, float]:
    """Condition ``gp`` on its own predictions at ``X_new`` (kriging believer).

    The incumbent moves too when a believed value beats it; otherwise EI at the believed
    point would stay positive and a batch could repeat its neighbourhood.
    """
    mean, _ = gp.predict(X_new)
    return gp.condition_on(X_new, mean), min(best, float(mean.min()))
