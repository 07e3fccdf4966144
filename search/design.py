"""The start design: one scrambled Sobol sequence per seed, shared by every sampler.

Samplers that start with space-filling points (``tpe``, ``bayesian``, ``smac`` and
``random`` with ``rule="sobol"``) all walk this sequence. Point ``i`` of a job's sequence
depends on the seed and ``i`` only, so a restarted worker continues where the job was.

Arrays:
    u: (count, n_params) in [0, 1)    per-parameter unit coordinates, decoded by the space

Source: scrambled Sobol sequences (Owen scrambling) as implemented by
``scipy.stats.qmc.Sobol``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.stats import qmc

from search.distributions.keys import ParamsKey
from search.space import SearchSpace

# Past this many points (thousands of failed trials before any result) plain prior
# draws take over: a Sobol prefix that long buys nothing.
MAX_SOBOL = 2**16
_SALT = 0x5EED


def sobol_units(n_params: int, seed: int, start: int, count: int) -> np.ndarray:
    """Points ``start .. start + count - 1`` of the seed's scrambled Sobol sequence.

    >>> u = sobol_units(2, seed=0, start=0, count=4)
    >>> u.shape, bool(np.all((0 <= u) & (u < 1)))
    ((4, 2), True)
    >>> bool(np.allclose(sobol_units(2, 0, 2, 2), u[2:]))
    True
    """
    if start + count > MAX_SOBOL:
        return np.random.default_rng([seed, start, count]).random((count, n_params))
    engine = qmc.Sobol(d=n_params, scramble=True, seed=np.random.default_rng([seed, _SALT]))
    if start:  # fast_forward(0) overflows in scipy
        engine.fast_forward(start)
    with warnings.catch_warnings():
        # Balance warnings for counts that are not powers of two concern integration.
        warnings.simplefilter("ignore", category=UserWarning)
        return engine.random(count)


def design_points(space: SearchSpace, seed: int, start: int, count: int) -> list[dict[str, Any]]:
    """Points ``start .. start + count - 1`` of the start design, decoded into the space.

    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1}})
    >>> design_points(space, 0, 3, 2) == design_points(space, 0, 0, 5)[3:]
    True
    """
    return [space.from_unit(row) for row in sobol_units(len(space.names), seed, start, count)]


def unseen_design(
    space: SearchSpace, seed: int, size: int, taken: set[ParamsKey]
) -> list[dict[str, Any]]:
    """The points of the first ``size`` design points that are not in ``taken``, each once.

    >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1}})
    >>> first = design_points(space, 0, 0, 1)[0]
    >>> len(unseen_design(space, 0, 4, {space.key(first)}))
    3
    """
    out: list[dict[str, Any]] = []
    keys = set(taken)
    for params in design_points(space, seed, 0, size):
        key = space.key(params)
        if key not in keys:
            keys.add(key)
            out.append(params)
    return out
