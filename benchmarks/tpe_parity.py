"""Is our TPE's density model the reference's? Both fitted to one history, side by side.

    python -m benchmarks.tpe_parity [--trials 100] [--gamma 0.1] [--functions a,b]

For every problem of the suite: ``--trials`` random points and their objective values form
one history; the best ``min(ceil(gamma * n), 25)`` trials fit the "good" density l(x) and
the rest the "bad" one g(x), once with ``search.parzen`` (our TPE's estimator, in unit
coordinates) and once with Optuna's ``_ParzenEstimator`` (its TPE's, in the parameters' own
coordinates: Optuna 5.0's default multivariate estimator). Both acquisition values
``log l(x) - log g(x)`` are then evaluated at 2,000 further random points.

A change of coordinates multiplies l and g by the same Jacobian, so equal models give
acquisitions that differ by a constant: the table prints the spread (standard deviation) of
the difference, the correlation of the two acquisitions, and whether both pick the
same best point. The split rule itself (``gamma``) is an input here, not compared: it is
the one default where the two samplers differ (ours 0.25, Optuna's 0.1, both capped at 25).
"""

from __future__ import annotations

import argparse
import math
from typing import Any

import numpy as np

from benchmarks.adapters import optuna_space
from benchmarks.common import markdown_table
from benchmarks.problems import Problem, get_problems
from search.parzen import ParzenEstimator, observation_weights
from search.samplers.registry import make_sampler
from search.samplers.tpe import unit_matrix
from search.space import SearchSpace

TEST_POINTS = 2000


def compare(problem: Problem, n_trials: int, gamma: float, seed: int = 0) -> list[Any]:
    """One table row: problem, good-group size, spread, rank correlation, same argmax."""
    from optuna.samplers._tpe.parzen_estimator import (
        _ParzenEstimator,
        _ParzenEstimatorParameters,
    )
    from optuna.samplers._tpe.sampler import default_weights

    space = SearchSpace.from_json(problem.space)
    dists = optuna_space(problem.space)
    rng = np.random.default_rng(seed)
    history = [space.sample(rng) for _ in range(n_trials)]
    values = np.array([problem.objective(p) for p in history])
    order = np.argsort(values, kind="stable")
    k = min(math.ceil(gamma * n_trials), 25)
    below, above = np.sort(order[:k]), np.sort(order[k:])
    test = [space.sample(rng) for _ in range(TEST_POINTS)]

    # Optuna's estimator, with its TPESampler defaults (prior weight 1, magic clip, no
    # endpoints, ramped weights); the multivariate field is unused in Optuna 5.
    parameters = _ParzenEstimatorParameters(1.0, True, False, default_weights, True)

    def internal(points: list[dict[str, Any]]) -> dict[str, np.ndarray]:
        return {n: np.array([d.to_internal_repr(p[n]) for p in points]) for n, d in dists.items()}

    theirs_l = _ParzenEstimator(internal([history[i] for i in below]), dists, parameters)
    theirs_g = _ParzenEstimator(internal([history[i] for i in above]), dists, parameters)
    at = internal(test)
    theirs = theirs_l.log_pdf(at) - theirs_g.log_pdf(at)

    n_choices = [len(d.choices or ()) if d.is_categorical else 0 for d in space.dists.values()]
    U = unit_matrix(space, space.encode_many(history))
    ours_l = ParzenEstimator.fit(U[below], observation_weights(len(below)), n_choices)
    ours_g = ParzenEstimator.fit(U[above], observation_weights(len(above)), n_choices)
    # Discrete values are scored by their kernels' mass over the value's bucket, as the
    # sampler scores its candidates (and as Optuna's discrete distributions do).
    sampler = make_sampler("tpe", problem.space, goal="minimize")
    _rows, U_test, buckets = sampler._snap(unit_matrix(space, space.encode_many(test)))
    ours = ours_l.log_pdf(U_test, multivariate=True, buckets=buckets)
    ours -= ours_g.log_pdf(U_test, multivariate=True, buckets=buckets)

    rho = float(np.corrcoef(ours, theirs)[0, 1])
    same = bool(np.argmax(ours) == np.argmax(theirs))
    return [problem.name, k, float(np.std(ours - theirs)), rho, "yes" if same else "no"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--gamma", type=float, default=0.1)
    parser.add_argument("--functions", default="", help="comma-separated (default: all)")
    args = parser.parse_args()
    names = [f for f in args.functions.split(",") if f] or None
    rows = [compare(p, args.trials, args.gamma) for p in get_problems(names)]
    print(f"# TPE density parity: {args.trials} random trials, gamma {args.gamma}\n")
    header = ["problem", "good trials", "sd of difference", "correlation", "same best"]
    print(markdown_table(header, rows))


if __name__ == "__main__":
    main()
