"""The Gaussian-process surrogate: posterior shape, hyperparameter fit, gradients."""

from __future__ import annotations

import numpy as np

from search.surrogates import GaussianProcess, training_subset
from search.surrogates.gp import matern52


def truth(x: np.ndarray) -> np.ndarray:
    return np.sin(6.0 * x) + 0.5 * x


def test_gp_posterior_mean_follows_a_known_function() -> None:
    X = np.linspace(0.0, 1.0, 12)[:, None]
    gp = GaussianProcess(seed=0).fit(X, truth(X[:, 0]))
    grid = np.linspace(0.02, 0.98, 40)[:, None]
    mean, _ = gp.predict(grid)
    assert np.max(np.abs(mean - truth(grid[:, 0]))) < 0.05


def test_gp_variance_is_small_at_data_and_grows_away_from_it() -> None:
    X = np.linspace(0.0, 0.4, 8)[:, None]
    gp = GaussianProcess(seed=0).fit(X, truth(X[:, 0]))
    _, var_at_data = gp.predict(X)
    _, var_far = gp.predict(np.array([[0.95]]))
    assert var_at_data.max() < 1e-3
    assert var_far[0] > 100 * var_at_data.max()


def test_marginal_likelihood_fit_recovers_the_lengthscale_roughly() -> None:
    rng = np.random.default_rng(3)
    X = rng.random((80, 1))
    true_lengthscale = 0.15
    K = matern52(X, X, np.array([true_lengthscale]), 1.0) + 1e-6 * np.eye(80)
    y = np.linalg.cholesky(K) @ rng.standard_normal(80)
    gp = GaussianProcess(seed=0).fit(X, y)
    assert true_lengthscale / 2 < gp.lengthscales[0] < true_lengthscale * 2


def test_ard_gives_an_irrelevant_dimension_a_longer_lengthscale() -> None:
    rng = np.random.default_rng(0)
    X = rng.random((40, 2))
    gp = GaussianProcess(seed=0).fit(X, np.sin(6.0 * X[:, 0]))
    assert gp.lengthscales[1] > 3 * gp.lengthscales[0]


def test_predict_with_grad_matches_finite_differences() -> None:
    rng = np.random.default_rng(1)
    X = rng.random((15, 3))
    gp = GaussianProcess(seed=0).fit(X, np.sin(4 * X[:, 0]) + X[:, 1] ** 2)
    Xq = rng.random((5, 3))
    mean, var, dmean, dvar = gp.predict_with_grad(Xq)
    eps = 1e-6
    for k in range(3):
        shifted = Xq.copy()
        shifted[:, k] += eps
        mean2, var2 = gp.predict(shifted)
        np.testing.assert_allclose((mean2 - mean) / eps, dmean[:, k], atol=1e-4)
        np.testing.assert_allclose((var2 - var) / eps, dvar[:, k], atol=1e-4)


def test_conditioning_on_a_believed_point_removes_its_uncertainty() -> None:
    X = np.array([[0.1], [0.5], [0.9]])
    gp = GaussianProcess(seed=0).fit(X, np.array([1.0, 0.0, 1.0]))
    point = np.array([[0.3]])
    mean, var = gp.predict(point)
    believer = gp.condition_on(point, mean)
    mean_after, var_after = believer.predict(point)
    assert var_after[0] < var[0] / 20
    assert abs(mean_after[0] - mean[0]) < 1e-3


def test_training_subset_keeps_the_best_rows_and_caps_the_size() -> None:
    y = np.arange(1000.0)[::-1]
    keep = training_subset(y, 100, np.random.default_rng(0))
    assert len(keep) == 100 and len(set(keep.tolist())) == 100
    assert set(range(965, 1000)) <= set(keep.tolist())  # the 35 lowest losses
