"""The Gaussian-process surrogate: posterior shape, hyperparameter fit, gradients."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest

from search.samplers.bayesian import kernel_layout
from search.space import SearchSpace
from search.surrogates import GaussianProcess, training_subset
from search.surrogates.gp import _neg_log_posterior, column_scales, matern52


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


# ---------------------------------------------------------------- parameter layout


def _mixed_space() -> SearchSpace:
    return SearchSpace.from_json(
        {
            "x": {"type": "uniform", "low": 0, "high": 1},
            "c3": {"type": "choice", "values": ["a", "b", "c"]},
            "c5": {"type": "choice", "values": [1, 2, 3, 4, 5]},
        }
    )


def test_two_choices_of_a_categorical_are_one_lengthscale_apart_whatever_their_number() -> None:
    space = _mixed_space()
    groups, weights = kernel_layout(space)
    theta = np.log([1.0, 2.0, 4.0, 1.0, 1e-3])  # lengthscales x: 1, c3: 2, c5: 4
    ls = column_scales(theta, groups, weights)
    base = {"x": 0.5, "c3": "a", "c5": 1}

    def k(other: dict) -> float:
        return float(matern52(space.encode(base)[None], space.encode(other)[None], ls, 1.0)[0, 0])

    def matern_at(r: float) -> float:
        return (1 + math.sqrt(5) * r + 5 / 3 * r * r) * math.exp(-math.sqrt(5) * r)

    assert k({**base, "c3": "c"}) == pytest.approx(matern_at(1 / 2.0))
    assert k({**base, "c5": 4}) == pytest.approx(matern_at(1 / 4.0))


def test_gp_fits_one_lengthscale_per_parameter_and_its_gradient_is_exact() -> None:
    space = _mixed_space()
    groups, weights = kernel_layout(space)
    rng = np.random.default_rng(2)
    params: list[dict[str, Any]] = [
        {"x": rng.random(), "c3": str(rng.choice(["a", "b", "c"])), "c5": int(rng.integers(1, 6))}
        for _ in range(25)
    ]
    X = space.encode_many(params)
    y = np.array([(p["x"] - 0.3) ** 2 + (p["c3"] == "b") for p in params])
    gp = GaussianProcess(seed=0, groups=groups, weights=weights).fit(X, y)
    assert gp.lengthscales.shape == (3,)
    assert gp.lengthscales[2] > gp.lengthscales[1]  # c5 is irrelevant, c3 is not
    theta = np.log([0.4, 1.5, 3.0, 1.2, 1e-3])
    value, grad = _neg_log_posterior(theta, X, gp.ys_train, groups, weights)
    eps = 1e-6
    for i in range(theta.size):
        shifted = theta.copy()
        shifted[i] += eps
        numeric = (_neg_log_posterior(shifted, X, gp.ys_train, groups, weights)[0] - value) / eps
        assert numeric == pytest.approx(grad[i], rel=1e-3, abs=1e-4)
