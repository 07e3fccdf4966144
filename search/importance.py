"""Hyperparameter importance: how much of the objective's variation each parameter explains.

For each of ``N_BOOTSTRAPS`` bootstrap resamples of the completed trials, a random forest
is fitted on the encoded parameters; a parameter's importance is the rise in the
forest's squared error when that parameter's columns (all one-hot columns of a
categorical together) are shuffled across trials, measured on the trials left out of
the resample.  Each resample's importances are clipped at 0 and normalised to sum to 1;
the result is their mean and standard deviation, the means renormalised to sum to 1.

Arrays:
    X: (n_trials, n_dims) encoded parameters of completed trials, in [0, 1]
    y: (n_trials,) ranks of their objective values, in [0, 1]
    scores: (N_BOOTSTRAPS, n_params) per-resample normalised importances

With fewer than ``MIN_TRIALS`` completed trials, or when every completed trial has the
same value, there is nothing to explain: every parameter gets mean 0.0 and std 0.0
(rather than an error, so a dashboard can always draw the chart).  Fixed seeds make the
answer a pure function of the history.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from search.history import COMPLETED, trial_value
from search.scaling import unit_ranks
from search.space import SearchSpace

MIN_TRIALS = 4
N_BOOTSTRAPS = 12
N_TREES = 32
N_PERMUTATIONS = 3  # shuffles per parameter and resample, averaged: one is noisy
SEED = 0


def importance(
    history: Iterable[Mapping[str, Any]], space: SearchSpace | Mapping[str, Any]
) -> dict[str, dict[str, float]]:
    """Importance of each parameter of ``space``, ``{name: {"mean": m, "std": s}}``.

    Only completed trials with a finite value and parameters inside the space count.

    >>> space = SearchSpace.from_json({"x1": {"type": "uniform", "low": 0, "high": 1},
    ...                                "x2": {"type": "uniform", "low": 0, "high": 1}})
    >>> rng = np.random.default_rng(1)
    >>> history = [{"params": {"x1": a, "x2": b}, "value": 10 * a, "status": "completed",
    ...             "curve": []} for a, b in rng.random((30, 2)).tolist()]
    >>> result = importance(history, space)
    >>> result["x1"]["mean"] > 0.9 > 0.1 > result["x2"]["mean"]
    True
    """
    space = SearchSpace.from_json(space)
    params, values = _completed(history, space)
    if len(values) < MIN_TRIALS or values.min() == values.max():
        return {name: {"mean": 0.0, "std": 0.0} for name in space.names}
    X = space.encode_many(params)
    # Ranks, not the values: the answer must not depend on the metric's units (any
    # positive scale and shift gives the same importances), finite values of any size
    # must not overflow, and one diverged trial must not own the whole variance.
    y = unit_ranks(values)
    blocks = [space.columns[name] for name in space.names]
    rng = np.random.default_rng(SEED)
    scores = np.array([_one_resample(X, y, blocks, rng) for _ in range(N_BOOTSTRAPS)])
    mean, std = scores.mean(axis=0), scores.std(axis=0)
    total = mean.sum()
    if total > 0:
        mean, std = mean / total, std / total
    return {
        name: {"mean": float(m), "std": float(s)}
        for name, m, s in zip(space.names, mean, std, strict=True)
    }


def _completed(
    history: Iterable[Mapping[str, Any]], space: SearchSpace
) -> tuple[list[Mapping[str, Any]], np.ndarray]:
    params: list[Mapping[str, Any]] = []
    values: list[float] = []
    for record in history:
        if record.get("status") != COMPLETED:
            continue  # early-stopped values are partial trainings, not comparable
        value = trial_value(record)
        point = record.get("params") or {}
        if value is not None and space.contains(point):
            params.append(point)
            values.append(value)
    return params, np.asarray(values, dtype=float)


def _one_resample(
    X: np.ndarray, y: np.ndarray, blocks: list[slice], rng: np.random.Generator
) -> np.ndarray:
    """Normalised permutation importances ``(n_params,)`` from one bootstrap resample."""
    n = len(y)
    rows = rng.integers(0, n, size=n)
    left_out = np.setdiff1d(np.arange(n), rows)
    # Scoring on left-out trials avoids rewarding what the forest memorised; with too
    # few of them the estimate would be noise, so fall back to every trial.
    held = left_out if len(left_out) >= MIN_TRIALS else np.arange(n)
    # Imported here, not at module level: sklearn.ensemble takes about a second to import
    # and every process that imports ``search`` (each web worker) would pay it.
    from sklearn.ensemble import RandomForestRegressor

    forest = RandomForestRegressor(
        n_estimators=N_TREES, random_state=int(rng.integers(2**31 - 1)), n_jobs=1
    ).fit(X[rows], y[rows])
    X_held, y_held = X[held], y[held]
    # One predict call over every shuffled copy: per-call overhead dominates small data.
    copies = [X_held]
    for block in blocks:
        for _ in range(N_PERMUTATIONS):
            shuffled = X_held.copy()
            shuffled[:, block] = X_held[rng.permutation(len(held))][:, block]
            copies.append(shuffled)
    predicted = forest.predict(np.concatenate(copies)).reshape(len(copies), len(held))
    errors = np.mean((predicted - y_held) ** 2, axis=1)
    rises = errors[1:].reshape(len(blocks), N_PERMUTATIONS).mean(axis=1) - errors[0]
    scores = np.clip(rises, 0.0, None)
    total = scores.sum()
    return scores / total if total > 0 else scores
