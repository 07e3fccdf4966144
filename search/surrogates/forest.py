"""Random-forest surrogate (SMAC's model): mean and spread of the trees' predictions.

Arrays and shapes:
    X:      (n, d)        training inputs in the unit box
    y:      (n,)          training targets (losses, lower is better)
    Xq:     (m, d)        query points
    per_tree: (n_trees, m)  each tree's prediction
    mean, var: (m,)       across-tree mean and variance, in the units of ``y``
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from sklearn.tree import DecisionTreeRegressor

_MIN_VAR = 1e-10


class RandomForest:
    """A forest whose trees disagree where data are scarce: their variance is the uncertainty.

    ``kind="random"`` is a bootstrapped random forest as in SMAC (max_features 5/6,
    min_samples_split 3, min_samples_leaf 3); ``kind="extra"`` grows extremely randomised
    trees on all rows, whose random split points give smoother means.

    Example:
        >>> import numpy as np
        >>> X = np.random.default_rng(0).random((40, 2))
        >>> rf = RandomForest(seed=0).fit(X, X[:, 0])
        >>> mean, var = rf.predict(np.array([[0.9, 0.5], [0.1, 0.5]]))
        >>> bool(mean[0] > mean[1])
        True
    """

    def __init__(self, *, n_trees: int = 10, kind: str = "random", seed: int = 0) -> None:
        if kind not in ("random", "extra"):
            raise ValueError(f"kind must be 'random' or 'extra', got {kind!r}")
        self.n_trees = n_trees
        self.kind = kind
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> RandomForest:
        """Grow the trees (each on a bootstrap sample for ``kind="random"``)."""
        # Trees are grown one by one with input checks off: sklearn's ensemble wrapper costs
        # several milliseconds per tree in bookkeeping, more than growing a tree on a few
        # hundred rows; the arrays below are already in the layout the tree builder wants.
        # sklearn is imported here, not at module level: its import costs most of a second
        # and every process that imports ``search`` (each web worker) would pay it.
        from sklearn.tree import DecisionTreeRegressor, ExtraTreeRegressor

        X32 = np.ascontiguousarray(X, dtype=np.float32)
        y64 = np.ascontiguousarray(y, dtype=np.float64)
        rng = np.random.default_rng(self.seed)
        n = len(y64)
        self._trees: list[DecisionTreeRegressor] = []
        for _ in range(self.n_trees):
            seed = int(rng.integers(2**31))
            if self.kind == "random":
                tree: DecisionTreeRegressor = DecisionTreeRegressor(
                    max_features=5 / 6, min_samples_split=3, min_samples_leaf=3, random_state=seed
                )
                rows = rng.integers(0, n, n)
                tree.fit(X32[rows], y64[rows], check_input=False)
            else:
                tree = ExtraTreeRegressor(
                    max_features=5 / 6, min_samples_split=3, min_samples_leaf=1, random_state=seed
                )
                tree.fit(X32, y64, check_input=False)
            self._trees.append(tree)
        return self

    def predict(self, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Across-tree mean and variance at ``Xq``."""
        # The trees' own predict skips sklearn's per-call input validation, which
        # dominates the cost when a local search scores many small batches.
        Xq32 = np.ascontiguousarray(Xq, dtype=np.float32)
        per_tree = np.stack([tree.tree_.predict(Xq32)[:, 0] for tree in self._trees])
        return per_tree.mean(0), np.maximum(per_tree.var(0), _MIN_VAR)
