"""Grid search: every combination of the parameters' grid values, each once.

The grid is indexed, never listed, so a grid of millions of points costs only the
points walked past. Points are taken in a fixed order (the last parameter varies
fastest, or a permutation fixed by the seed), skipping every point already tried.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from search.errors import SamplerParamError, SpaceExhausted
from search.history import Observations
from search.samplers.base import ParamSpec, Sampler
from search.samplers.registry import register

# rng.permutation(size) holds size int64s: cap the memory a shuffled grid may take.
MAX_SHUFFLED_GRID = 10_000_000


@register
class GridSampler(Sampler):
    """Walks the grid of the space; continuous parameters need ``resolution``.

    >>> from search.space import SearchSpace
    >>> space = SearchSpace.from_json({"a": {"type": "choice", "values": [1, 2, 3]}})
    >>> GridSampler(space).suggest([{"params": {"a": 1}, "value": 0.5, "status": "completed"}], n=5)
    [{'a': 2}, {'a': 3}]
    """

    name = "grid"
    description = "Grid search: every combination of the parameters' values, each tried once."
    params = (
        ParamSpec(
            "resolution",
            "int",
            None,
            "Points per continuous parameter (and at most this many per discrete one); "
            "empty to require finite parameters.",
            min=1,
            max=10_000,
        ),
        ParamSpec("shuffle", "bool", False, "Walk the grid in a seeded random order."),
    )
    # Prior draws are off the grid: a grid batch is short when the grid runs out.
    top_up_with_prior = False

    def _check_space(self) -> None:
        # Raises SpaceError now, at job creation, for a continuous parameter without resolution.
        self._axes = self.space.grid_axes(self.options["resolution"])
        self._size = math.prod(len(axis) for axis in self._axes)
        if self.options["shuffle"] and self._size > MAX_SHUFFLED_GRID:
            raise SamplerParamError(
                f"shuffle takes grids of at most {MAX_SHUFFLED_GRID} points, this one has "
                f"{self._size}: lower the resolution or turn shuffle off"
            )

    def _suggest(self, obs: Observations, n: int, rng: np.random.Generator) -> list[dict[str, Any]]:
        batch: list[dict[str, Any]] = []
        for point in self._walk():
            if self.space.key(point) not in obs.seen:
                batch.append(point)
                if len(batch) == n:
                    break
        if not batch:
            raise SpaceExhausted(f"all {self._size} grid points have been tried")
        return batch

    def _walk(self) -> Iterator[dict[str, Any]]:
        if self.options["shuffle"]:
            # Seeded by the seed alone: the order must not change as the history grows.
            indices: Any = np.random.default_rng([self.seed]).permutation(self._size)
        else:
            indices = range(self._size)
        for index in indices:
            yield self._point(int(index))

    def _point(self, index: int) -> dict[str, Any]:
        """Mixed-radix decoding of a grid index (the last parameter varies fastest)."""
        values: list[Any] = []
        for axis in reversed(self._axes):
            index, digit = divmod(index, len(axis))
            values.append(axis[digit])
        return dict(zip(self.space.names, reversed(values), strict=True))
