"""Random-forest surrogate (SMAC's model): mean and spread of the trees' predictions.

Arrays and shapes:
    X:      (n, d)        training inputs in the unit box
    y:      (n,)          training targets (losses, lower is better)
    Xq:     (m, d)        query points
    per_tree: (n_trees, m)  each tree's prediction
    mean, var: (m,)       across-tree mean and variance, in the units of ``y``
"""

from __future__ import annotations

import numpy as np
from sklearn.ensemble import ExtraTreesRegressor, RandomForestRegressor

_MIN_VAR = 1e-10


class RandomForest:
    """A forest whose trees disagree where data are scarce: their variance is the uncertainty.

    ``kind="random"`` is a bootstrapped random forest as in SMAC (max_features 5/6,
    min_samples_split 3, min_samples_leaf 3); ``kind="extra"`` uses extremely randomised
    trees, whose random split points give smoother means.

    Example:
        >>> import numpy as np
        >>> X = np.random.default_rng(0).random((40, 2))
        >>> rf = RandomForest(seed=0).fit(X, X[:, 0])
        >>> mean, var = rf.predict(np.array([[0.9, 0.5], [0.1, 0.5]]))
        >>> bool(mean[0] > mean[1])
        True
    """

    def __init__(self, *, n_trees: int = 24, kind: str = "random", seed: int = 0) -> None:
        if kind not in ("random", "extra"):
            raise ValueError(f"kind must be 'random' or 'extra', got {kind!r}")
        self.n_trees = n_trees
        self.kind = kind
        self.seed = seed

    def fit(self, X: np.ndarray, y: np.ndarray) -> RandomForest:
        common = dict(
            n_estimators=self.n_trees, max_features=5 / 6, min_samples_split=3,
            min_samples_leaf=3 if self.kind == "random" else 1, random_state=self.seed, n_jobs=1,
        )
        if self.kind == "random":
            self._forest: RandomForestRegressor | ExtraTreesRegressor = RandomForestRegressor(
                bootstrap=True, **common)
        else:
            self._forest = ExtraTreesRegressor(bootstrap=False, **common)
        self._forest.fit(np.asarray(X, dtype=float), np.asarray(y, dtype=float))
        return self

    def predict(self, Xq: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Across-tree mean and variance at ``Xq``."""
        Xq = np.asarray(Xq, dtype=float)
        per_tree = np.stack([tree.predict(Xq) for tree in self._forest.estimators_])
        return per_tree.mean(0), np.maximum(per_tree.var(0), _MIN_VAR)
