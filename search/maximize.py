"""Acquisition maximisers over the unit box of a search space.

Arrays and shapes:
    X, C:      (m, d)  candidate points in the unit box (d = space.n_dims)
    starts:    (k, d)  points to start local moves from (incumbents, best candidates)
    values:    (m,)    acquisition values, higher is better
    free:      (d,)    bool, numeric columns that local moves may change continuously
    levels:    (c,)    sorted unit coordinates of a discrete parameter's values

Every returned point is *snapped* (one-hot categorical blocks, discrete parameters on their
values), so the acquisition is always scored at a point the space can actually run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import scipy.optimize
from scipy.stats import qmc

from search.space import SearchSpace

# Discrete parameters with more values than this are treated as continuous until decode.
_MAX_LEVELS = 4096

AcqFn = Callable[[np.ndarray], np.ndarray]
AcqGradFn = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Box:
    """The unit box of a space, with vectorised snapping to runnable points.

    >>> space = SearchSpace.from_json({"k": {"type": "int", "low": 1, "high": 3},
    ...                                "c": {"type": "choice", "values": ["a", "b"]}})
    >>> box = Box.from_space(space)
    >>> space.decode(box.snap(np.array([[0.9, 0.2, 0.6]]))[0])
    {'k': 3, 'c': 'b'}
    """

    n_dims: int
    cat_blocks: tuple[slice, ...]
    free: np.ndarray
    levels: tuple[tuple[int, np.ndarray], ...]

    @classmethod
    def from_space(cls, space: SearchSpace) -> Box:
        cat_blocks: list[slice] = []
        levels: list[tuple[int, np.ndarray]] = []
        free = np.zeros(space.n_dims, dtype=bool)
        for name, dist in space.dists.items():
            column = space.columns[name]
            if dist.is_categorical:
                cat_blocks.append(column)
                continue
            free[column.start] = True
            size = dist.cardinality
            if dist.is_discrete and size is not None and size <= _MAX_LEVELS:
                units = sorted({dist.to_unit(v) for v in dist.grid_values()})
                levels.append((column.start, np.array(units)))
        return cls(space.n_dims, tuple(cat_blocks), free, tuple(levels))

    def snap(self, X: np.ndarray) -> np.ndarray:
        """Project rows onto runnable points: argmax one-hot, nearest discrete level, clip."""
        X = np.clip(np.array(X, dtype=float, ndmin=2), 0.0, 1.0)
        for block in self.cat_blocks:
            idx = np.argmax(X[:, block], axis=1)
            X[:, block] = 0.0
            X[np.arange(len(X)), block.start + idx] = 1.0
        for col, units in self.levels:
            pos = np.clip(np.searchsorted(units, X[:, col]), 1, max(len(units) - 1, 1))
            lower = units[pos - 1]
            upper = units[np.minimum(pos, len(units) - 1)]
            X[:, col] = np.where(X[:, col] - lower <= upper - X[:, col], lower, upper)
        return X

    def random(self, rng: np.random.Generator, m: int) -> np.ndarray:
        """``m`` snapped points drawn from the prior (uniform in the unit box)."""
        return self.snap(rng.random((m, self.n_dims)))

    def sobol(self, rng: np.random.Generator, m: int) -> np.ndarray:
        """``m`` snapped points of a scrambled Sobol sequence (first ``m`` of a power of two)."""
        size = 1 << max(int(m - 1).bit_length(), 1)
        engine = qmc.Sobol(d=self.n_dims, scramble=True, seed=rng)
        return self.snap(engine.random_base2(size.bit_length() - 1)[:m])

    def neighbours(
        self, X: np.ndarray, rng: np.random.Generator, n_per_column: int = 4, scale: float = 0.2
    ) -> tuple[np.ndarray, np.ndarray]:
        """SMAC-style one-parameter moves around each row of ``X``.

        Each numeric column gets ``n_per_column`` Gaussian moves (std ``scale`` in the unit
        box); each categorical gets every other choice. Returns the snapped neighbours and,
        for each, the index of the row it came from.
        """
        moves: list[np.ndarray] = []
        owners: list[np.ndarray] = []
        rows = np.arange(len(X))
        for col in np.flatnonzero(self.free):
            for _ in range(n_per_column):
                Y = X.copy()
                Y[:, col] = np.clip(Y[:, col] + rng.normal(0.0, scale, len(X)), 0.0, 1.0)
                moves.append(Y)
                owners.append(rows)
        for block in self.cat_blocks:
            for j in range(block.start, block.stop):
                Y = X.copy()
                Y[:, block] = 0.0
                Y[:, j] = 1.0
                keep = X[:, j] < 0.5  # only a real flip
                moves.append(Y[keep])
                owners.append(rows[keep])
        if not moves:
            return np.empty((0, self.n_dims)), np.empty(0, dtype=int)
        return self.snap(np.vstack(moves)), np.concatenate(owners)


def rank_unique(X: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``X`` sorted by decreasing value, exact duplicates dropped."""
    order = np.argsort(-values, kind="stable")
    X, values = X[order], values[order]
    _, first = np.unique(np.round(X, 12), axis=0, return_index=True)
    keep = np.sort(first)
    return X[keep], values[keep]


def maximize_with_gradients(
    acq: AcqFn,
    acq_grad: AcqGradFn,
    box: Box,
    rng: np.random.Generator,
    *,
    starts: np.ndarray,
    n_candidates: int = 1024,
    n_local: int = 8,
    maxiter: int = 200,
    max_rounds: int = 4,
    scales: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Sobol + random candidates, then a mixed local search from the best of them, from
    others drawn by their value (``_local_starts``) and from ``starts``, as Optuna's GP
    sampler does (``optuna/_gp/optim_mixed.py``).

    The local search alternates L-BFGS-B on the numeric columns (one run per starting
    point, in units of ``scales: (d,)`` when given: the surrogate's lengthscales) with
    a sweep that tries, one discrete parameter at a time, every choice of a categorical and
    the levels of a discrete numeric parameter (``_sweep_discrete``), for up to
    ``max_rounds`` rounds or until no discrete parameter moves.
    Returns all scored snapped points ranked by value (best first) and their values.

    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1}})
    >>> f = lambda X: -(X[:, 0] - 0.3) ** 2
    >>> g = lambda X: (f(X), -2 * (X - 0.3))
    >>> X, v = maximize_with_gradients(f, g, Box.from_space(space), np.random.default_rng(0),
    ...                                starts=np.empty((0, 1)))
    >>> round(float(X[0, 0]), 2)
    0.3
    """
    half = n_candidates // 2
    C = np.vstack([box.sobol(rng, half), box.random(rng, n_candidates - half), box.snap(starts)])
    values = acq(C)
    top = _local_starts(values, max(n_local - len(starts), 1), rng)
    X = np.vstack([C[top], box.snap(starts)])
    v = acq(X)
    scored, scored_values = [C], [values]
    moving = np.ones(len(X), dtype=bool)
    for _ in range(max_rounds):
        X_new = _climb(acq_grad, box, X[moving], maxiter, scales)
        v_new = acq(X_new)
        scored.append(X_new)
        scored_values.append(v_new)
        better = v_new > v[moving]
        rows = np.flatnonzero(moving)[better]
        X[rows], v[rows] = X_new[better], v_new[better]
        if not (box.cat_blocks or box.levels):
            break
        X, v, moving = _sweep_discrete(acq, box, X, v)
        scored.append(X.copy())
        scored_values.append(v.copy())
        if not moving.any():
            break
    return rank_unique(np.vstack(scored), np.concatenate(scored_values))


def _local_starts(values: np.ndarray, count: int, rng: np.random.Generator) -> np.ndarray:
    """Indices of ``count`` candidates to start local searches from: the best one, then
    others drawn without replacement with probability ``exp(value - best value)`` (for log
    EI, proportional to EI), so the starts spread over several promising basins rather than
    crowd the best one. Source: Optuna's ``optim_mixed.optimize_acqf_mixed``, a variant of
    BoTorch's Boltzmann (roulette) initialisation.

    >>> _local_starts(np.array([0.0, -50.0, 1.0]), 2, np.random.default_rng(0)).tolist()
    [2, 0]
    """
    best = int(np.argmax(values))
    with np.errstate(invalid="ignore", over="ignore"):
        probs = np.exp(values - values[best])
    probs = np.where(np.isfinite(probs), probs, 0.0)
    probs[best] = 0.0
    n_more = min(count - 1, int(np.count_nonzero(probs > 0.0)))
    if n_more <= 0:
        return np.array([best])
    more = rng.choice(len(values), size=n_more, replace=False, p=probs / probs.sum())
    return np.concatenate([[best], more])


def _climb(
    acq_grad: AcqGradFn, box: Box, X0: np.ndarray, maxiter: int, scales: np.ndarray | None
) -> np.ndarray:
    """L-BFGS-B on the numeric columns from each row of ``X0``, one run per row; snapped.

    One run per row, not one run on the summed acquisition: a joint run shares its line
    search and its stopping test, so a start on a steep slope stalls every other start
    (measured: a joint run left the incumbent's neighbourhood unexplored, where Optuna's
    separate runs found EI six times higher). Columns are scaled by ``scales`` (the
    surrogate's lengthscales), so the acquisition is about equally curved along each, as
    Optuna's ``optim_mixed._gradient_ascent_batched`` does.
    """
    free = box.free
    if not free.any() or not len(X0):
        return X0.copy()
    s = np.ones(int(free.sum())) if scales is None else np.asarray(scales, dtype=float)[free]
    bounds = [(0.0, float(1.0 / si)) for si in s]
    X = X0.copy()
    for i in range(len(X0)):
        row = X0[i : i + 1].copy()

        def objective(z: np.ndarray, row: np.ndarray = row) -> tuple[float, np.ndarray]:
            row[0, free] = z * s
            v, g = acq_grad(row)
            return -float(v[0]), -g[0, free] * s

        res = scipy.optimize.minimize(
            objective,
            X0[i, free] / s,
            jac=True,
            method="L-BFGS-B",
            bounds=bounds,
            options={"maxiter": maxiter, "gtol": 1e-2},
        )
        X[i, free] = np.clip(res.x * s, 0.0, 1.0)
    return box.snap(X)


# A discrete numeric parameter with at most this many levels has all of them tried in a
# sweep; a larger one its nearest levels and an even spread (Optuna: exhaustive up to 16
# levels, a line search beyond).
_ALL_LEVELS = 32
_NEAR_LEVELS = 8


def _sweep_discrete(
    acq: AcqFn, box: Box, X: np.ndarray, values: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One coordinate pass over the discrete parameters: for each row of ``X``, each
    categorical takes its best choice and each discrete numeric its best level (of those
    tried), given the row's other coordinates. Returns the new rows, their values and
    which rows changed."""
    X, values = X.copy(), values.copy()
    changed = np.zeros(len(X), dtype=bool)
    for block in box.cat_blocks:
        k = block.stop - block.start
        Y = np.repeat(X, k, axis=0)
        Y[:, block] = np.tile(np.eye(k), (len(X), 1))
        _take_best(Y, acq(Y).reshape(len(X), k), X, values, changed)
    for col, units in box.levels:
        if len(units) <= _ALL_LEVELS:
            tried = np.tile(units, (len(X), 1))
        else:
            n_spread = _ALL_LEVELS - 2 * _NEAR_LEVELS
            spread = units[np.linspace(0, len(units) - 1, n_spread).astype(int)]
            rows = []
            for x in X[:, col]:
                at = int(np.searchsorted(units, x))
                near = units[max(at - _NEAR_LEVELS, 0) : at + _NEAR_LEVELS]
                both = np.concatenate([near, spread])
                rows.append(np.pad(both, (0, _ALL_LEVELS - len(both)), mode="edge"))
            tried = np.array(rows)
        Y = np.repeat(X, tried.shape[1], axis=0)
        Y[:, col] = tried.ravel()
        _take_best(Y, acq(Y).reshape(len(X), tried.shape[1]), X, values, changed)
    return X, values, changed


def _take_best(
    Y: np.ndarray, scores: np.ndarray, X: np.ndarray, values: np.ndarray, changed: np.ndarray
) -> None:
    """In place: row i of ``X`` becomes its best alternative (rows ``Y`` grouped by ``X``
    row, ``scores: (len(X), k)``) when that is strictly better than ``values[i]``."""
    best = np.argmax(scores, axis=1)
    top = scores[np.arange(len(X)), best]
    better = top > values + 1e-12
    idx = np.flatnonzero(better)
    X[idx] = Y[idx * scores.shape[1] + best[idx]]
    values[idx] = top[idx]
    changed |= better


def maximize_local_search(
    acq: AcqFn,
    box: Box,
    rng: np.random.Generator,
    *,
    starts: np.ndarray,
    n_candidates: int = 1000,
    n_local: int = 10,
    max_steps: int = 20,
    n_per_column: int = 4,
    scale: float = 0.2,
) -> tuple[np.ndarray, np.ndarray]:
    """Random candidates, then best-improvement hill climbing by one-parameter moves.

    Climbs start from ``starts`` (the best observed configurations) and from the best
    random candidates, as SMAC's local-and-random search does; no gradients are needed,
    so it suits piecewise-constant surrogates such as random forests.
    Returns all scored snapped points ranked by value (best first) and their values.

    >>> space = SearchSpace.from_json({"c": {"type": "choice", "values": [0, 1, 2]},
    ...                                "x": {"type": "uniform", "low": 0, "high": 1}})
    >>> f = lambda X: X[:, 2] - (X[:, 3] - 0.5) ** 2
    >>> X, v = maximize_local_search(f, Box.from_space(space), np.random.default_rng(0),
    ...                              starts=np.empty((0, 4)))
    >>> space.decode(X[0])["c"], round(space.decode(X[0])["x"], 1)
    (2, 0.5)
    """
    C = box.random(rng, n_candidates)
    values = acq(C)
    n_random_starts = max(n_local - len(starts), n_local // 2)
    current = np.vstack([box.snap(starts), C[np.argsort(-values)[:n_random_starts]]])
    current_values = acq(current)
    visited = [C, current]
    visited_values = [values, current_values]
    for _ in range(max_steps):
        N, owner = box.neighbours(current, rng, n_per_column=n_per_column, scale=scale)
        if not len(N):
            break
        nv = acq(N)
        visited.append(N)
        visited_values.append(nv)
        best_nv = np.full(len(current), -np.inf)
        best_idx = np.zeros(len(current), dtype=int)
        order = np.argsort(nv)  # increasing, so the last write per owner is its best move
        best_nv[owner[order]] = nv[order]
        best_idx[owner[order]] = order
        improved = best_nv > current_values + 1e-12
        if not improved.any():
            break
        current[improved] = N[best_idx[improved]]
        current_values[improved] = best_nv[improved]
    return rank_unique(np.vstack(visited), np.concatenate(visited_values))


def pick_unseen(
    space: SearchSpace,
    ranked: np.ndarray,
    taken: set,
    X_busy: np.ndarray | None = None,
    radius: float = 0.0,
) -> tuple[np.ndarray, dict] | None:
    """The best-ranked row of ``ranked`` whose params are not in ``taken``, or ``None``.

    Rows at least ``radius`` away from every row of ``X_busy`` (pending or already chosen
    points) come first, so a batch spreads out even under a surrogate that a fantasised
    observation barely changes. Returns ``(x, params)`` with ``x`` re-encoded from
    ``params``, so a model is told exactly the point that will run.

    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1}})
    >>> x, p = pick_unseen(space, np.array([[0.5], [0.52], [0.9]]), set(), np.array([[0.5]]), 0.1)
    >>> p
    {'x': 0.9}
    """
    order = np.arange(len(ranked))
    if radius > 0 and X_busy is not None and len(X_busy):
        gaps = np.sqrt(((ranked[:, None, :] - X_busy[None, :, :]) ** 2).sum(-1)).min(1)
        order = np.concatenate([order[gaps >= radius], order[gaps < radius]])
    for i in order:
        params = space.decode(ranked[i])
        if space.key(params) not in taken:
            return space.encode(params), params
    return None
