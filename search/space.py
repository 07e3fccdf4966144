"""A search space: named distributions, and one encoder to a numeric unit box.

Arrays (every model-based sampler sees only these):

    x: (n_dims,)          one encoded point in [0, 1]
    X: (n, n_dims)        encoded points, one row each
    u: (n_params,)        per-parameter unit coordinates (categoricals: bucket centres)

Numeric parameters take one column holding their prior-CDF coordinate; a categorical
with k choices takes k one-hot columns (``decode`` takes the argmax), so a surrogate
never sees a fake order between categories.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from search.distributions import Distribution, from_spec
from search.distributions.keys import ParamsKey, params_key
from search.errors import SpaceError

# A grid bigger than this is never materialised as a list (the grid sampler indexes it).
MAX_GRID_LIST = 1_000_000


class SearchSpace:
    """An ordered mapping of parameter names to distributions.

    >>> space = SearchSpace.from_json({
    ...     "lr": {"type": "float", "low": 1e-5, "high": 1e-1, "log": True},
    ...     "batch": {"type": "choice", "values": [16, 32, 64]},
    ... })
    >>> space.n_dims, space.columns["batch"]
    (4, slice(1, 4, None))
    >>> space.decode(space.encode({"lr": 1e-3, "batch": 32}))["batch"]
    32
    """

    def __init__(self, dists: Mapping[str, Distribution]) -> None:
        if not dists:
            raise SpaceError("a search space needs at least one parameter, got {}")
        for name, dist in dists.items():
            if not isinstance(name, str) or not name:
                raise SpaceError(f"parameter names must be non-empty strings, got {name!r}")
            if not isinstance(dist, Distribution):
                raise SpaceError(f"{name}: expected a Distribution, got {dist!r}")
        self.dists: dict[str, Distribution] = dict(dists)
        self.names: list[str] = list(self.dists)
        #: The names as a set (a params dict fits when its keys equal it) and sorted
        #: (the order of a ``params_key``).
        self.name_set: frozenset[str] = frozenset(self.names)
        self.sorted_names: tuple[str, ...] = tuple(sorted(self.names))
        self.columns: dict[str, slice] = {}
        start = 0
        for name, dist in self.dists.items():
            width = len(dist.choices or ()) if dist.is_categorical else 1
            self.columns[name] = slice(start, start + width)
            start += width
        self._n_dims = start

    # ------------------------------------------------------------------ JSON

    @classmethod
    def from_json(cls, spec: SearchSpace | Mapping[str, Any]) -> SearchSpace:
        """Build a space from ``{name: {"type": ..., ...}}`` (HyperDrive or ModelArts forms).

        >>> SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1}}).names
        ['x']
        """
        if isinstance(spec, SearchSpace):
            return spec
        if not isinstance(spec, Mapping):
            raise SpaceError(f"a search space spec must be an object, got {spec!r}")
        return cls({name: from_spec(name, param_spec) for name, param_spec in spec.items()})

    def to_json(self) -> dict[str, dict[str, Any]]:
        """The spec, one entry per parameter; ``from_json(to_json())`` gives an equal space.

        >>> SearchSpace.from_json({"k": {"type": "randint", "upper": 3}}).to_json()
        {'k': {'type': 'int', 'low': 0, 'high': 2, 'log': False, 'step': 1}}
        """
        return {name: dist.to_json() for name, dist in self.dists.items()}

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SearchSpace):
            return NotImplemented
        return list(self.dists.items()) == list(other.dists.items())

    def __hash__(self) -> int:
        return hash(tuple(self.dists.items()))

    def __repr__(self) -> str:
        return f"SearchSpace({self.dists!r})"

    def __len__(self) -> int:
        return len(self.names)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __getitem__(self, name: str) -> Distribution:
        return self.dists[name]

    # ------------------------------------------------------------------ membership

    def key(self, params: Mapping[str, Any]) -> ParamsKey:
        """The canonical key of a point: the one test of "was it tried?" in the library.

        Each value is snapped to its lattice or choice value first, so a history written by
        another tool (``0.30000000000000004`` for 0.3, ``1.0`` for 1) still matches.
        Params naming other parameters get the plain ``params_key``.

        >>> space = SearchSpace.from_json({"d": {"type": "float", "low": 0, "high": 0.5,
        ...                                      "step": 0.1}})
        >>> space.key({"d": 3 * 0.1}) == space.key({"d": 0.3})
        True
        """
        if not isinstance(params, Mapping) or params.keys() != self.name_set:
            return params_key(params)
        dists = self.dists
        return self.sorted_names, tuple(
            [dists[name].canonical(params[name]) for name in self.sorted_names]
        )

    def key_columns(self, columns: Mapping[str, Sequence[Any]]) -> list[Sequence[Any]]:
        """``canonical`` of every value of ``{name: values}``, one sequence per name in
        ``sorted_names`` order: the column form of ``key``."""
        return [self.dists[name].canonical_many(columns[name]) for name in self.sorted_names]

    def contains(self, params: Mapping[str, Any]) -> bool:
        """Whether ``params`` names exactly this space's parameters, each with a valid value.

        >>> SearchSpace.from_json({"k": {"type": "randint", "upper": 3}}).contains({"k": 3})
        False
        """
        if not isinstance(params, Mapping) or params.keys() != self.name_set:
            return False
        return all(dist.contains(params[name]) for name, dist in self.dists.items())

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """One draw from the prior of every parameter.

        >>> space = SearchSpace.from_json({"x": {"type": "normal", "mu": 0, "sigma": 1}})
        >>> space.contains(space.sample(np.random.default_rng(0)))
        True
        """
        return {name: dist.sample(rng) for name, dist in self.dists.items()}

    @property
    def cardinality(self) -> int | None:
        """Number of distinct points, or ``None`` when some parameter has infinitely many.

        >>> SearchSpace.from_json({"k": {"type": "randint", "upper": 3},
        ...                        "b": {"type": "bool"}}).cardinality
        6
        """
        sizes = [dist.cardinality for dist in self.dists.values()]
        if any(size is None for size in sizes):
            return None
        return math.prod(size for size in sizes if size is not None)

    # ------------------------------------------------------------------ grid

    def grid_axes(self, resolution: int | None = None) -> list[list[Any]]:
        """The values along each parameter, in ``names`` order (raises ``SpaceError`` when a
        continuous parameter has no resolution)."""
        return [dist.grid_values(resolution) for dist in self.dists.values()]

    def grid_size(self, resolution: int | None = None) -> int:
        """Number of grid points: the product of the axes' lengths.

        >>> SearchSpace.from_json({"a": {"type": "choice", "values": [1, 2]},
        ...                        "b": {"type": "int", "low": 0, "high": 2}}).grid_size()
        6
        """
        return math.prod(len(axis) for axis in self.grid_axes(resolution))

    def grid(self, resolution: int | None = None) -> list[dict[str, Any]]:
        """All grid points in a stable order (the last parameter varies fastest).

        >>> SearchSpace.from_json({"a": {"type": "choice", "values": ["x", "y"]}}).grid()
        [{'a': 'x'}, {'a': 'y'}]
        """
        axes = self.grid_axes(resolution)
        size = math.prod(len(axis) for axis in axes)
        if size > MAX_GRID_LIST:
            raise SpaceError(
                f"the grid has {size} points, more than {MAX_GRID_LIST}: "
                "lower the resolution or narrow the ranges"
            )
        return [dict(zip(self.names, point, strict=True)) for point in itertools.product(*axes)]

    # ------------------------------------------------------------------ unit box

    @property
    def n_dims(self) -> int:
        """Width of an encoded point (categoricals count one column per choice)."""
        return self._n_dims

    def encode(self, params: Mapping[str, Any]) -> np.ndarray:
        """Encode one point to ``x: (n_dims,)`` in [0, 1].

        >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 4}})
        >>> space.encode({"x": 1.0}).tolist()
        [0.25]
        """
        x = np.zeros(self._n_dims)
        for name, dist in self.dists.items():
            if name not in params:
                raise SpaceError(f"{name}: missing from params {dict(params)!r}")
            column = self.columns[name]
            if dist.is_categorical:
                x[column.start + dist.index(params[name])] = 1.0  # type: ignore[attr-defined]
            else:
                x[column.start] = dist.to_unit(params[name])
        return x

    def encode_many(self, params_list: Iterable[Mapping[str, Any]]) -> np.ndarray:
        """Encode points to ``X: (n, n_dims)``; an empty list gives shape ``(0, n_dims)``.

        >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 1}})
        >>> space.encode_many([]).shape
        (0, 1)
        """
        params_list = list(params_list)
        try:
            return self.encode_columns(
                {name: [params[name] for params in params_list] for name in self.names}
            )
        except (KeyError, TypeError, SpaceError):
            # Row by row, so that the error names the first bad point as it always has.
            rows = [self.encode(params) for params in params_list]
            return np.array(rows).reshape(len(rows), self._n_dims)

    def encode_columns(self, columns: Mapping[str, Sequence[Any]]) -> np.ndarray:
        """Encode ``{name: values}`` (one equally long sequence per parameter) to
        ``X: (n, n_dims)``, one array pass per parameter; raises ``SpaceError`` for a value
        outside its parameter (prefer ``encode_many`` for the error naming the point).

        >>> space = SearchSpace.from_json({"x": {"type": "uniform", "low": 0, "high": 4},
        ...                                "b": {"type": "bool"}})
        >>> space.encode_columns({"x": [1.0, 2.0], "b": [True, False]}).tolist()
        [[0.25, 0.0, 1.0], [0.5, 1.0, 0.0]]
        """
        n = len(columns[self.names[0]])
        X = np.zeros((n, self._n_dims))
        rows = np.arange(n)
        for name, dist in self.dists.items():
            values = columns[name]
            column = self.columns[name]
            if dist.is_categorical:
                positions = dist.indices(values)  # type: ignore[attr-defined]
                if (positions < 0).any():
                    dist.to_unit_many(values)  # raises the scalar path's error
                X[rows, column.start + positions] = 1.0
            else:
                X[:, column.start] = dist.to_unit_many(values)
        return X

    def encode_inside(self, columns: Mapping[str, Sequence[Any]]) -> tuple[np.ndarray, np.ndarray]:
        """Which rows of ``{name: values}`` lie in the space (``contains`` of each, as a bool
        array), and those rows encoded to ``X: (n_inside, n_dims)``: the column form that
        ``observe`` runs on whole histories, one array pass per parameter.

        >>> space = SearchSpace.from_json({"k": {"type": "randint", "upper": 3}})
        >>> inside, X = space.encode_inside({"k": [0, 3, 2.0]})
        >>> inside.tolist(), X.tolist()
        ([True, False, True], [[0.16666666666666666], [0.8333333333333334]])
        """
        n = len(columns[self.names[0]])
        inside = np.ones(n, dtype=bool)
        coordinates: list[np.ndarray] = []
        for name, dist in self.dists.items():
            if dist.is_categorical:
                positions = dist.indices(columns[name])  # type: ignore[attr-defined]
                inside &= positions >= 0
                coordinates.append(positions)
            else:
                fits, u = dist.contains_and_unit(columns[name])
                inside &= fits
                coordinates.append(u)
        rows = np.flatnonzero(inside)
        X = np.zeros((len(rows), self._n_dims))
        for (name, dist), coordinate in zip(self.dists.items(), coordinates, strict=True):
            start = self.columns[name].start
            if dist.is_categorical:
                X[np.arange(len(rows)), start + coordinate[rows]] = 1.0
            else:
                X[:, start] = coordinate[rows]
        return inside, X

    def decode(self, x: Sequence[float] | np.ndarray) -> dict[str, Any]:
        """Decode ``x: (n_dims,)`` (any reals: clipped to [0, 1]) to a point of the space.

        >>> space = SearchSpace.from_json({"b": {"type": "choice", "values": [1, 2, 3]}})
        >>> space.decode([0.1, 0.7, 0.2])
        {'b': 2}
        """
        x = np.asarray(x, dtype=float)
        if x.shape != (self._n_dims,):
            raise SpaceError(f"expected an array of shape ({self._n_dims},), got {x.shape}")
        params: dict[str, Any] = {}
        for name, dist in self.dists.items():
            block = x[self.columns[name]]
            if dist.is_categorical:
                params[name] = dist.choices[int(np.argmax(block))]  # type: ignore[index]
            else:
                params[name] = dist.from_unit(float(block[0]))
        return params

    def to_unit(self, params: Mapping[str, Any]) -> np.ndarray:
        """Per-parameter unit coordinates ``u: (n_params,)`` (one column per parameter,
        categoricals as bucket centres), for samplers that model each parameter alone.

        >>> SearchSpace.from_json({"b": {"type": "choice", "values": [1, 2]}}).to_unit({"b": 2})
        array([0.75])
        """
        return np.array([dist.to_unit(params[name]) for name, dist in self.dists.items()])

    def from_unit(self, u: Sequence[float] | np.ndarray) -> dict[str, Any]:
        """Inverse of ``to_unit``: ``u: (n_params,)`` -> a point of the space.

        >>> SearchSpace.from_json({"b": {"type": "choice", "values": [1, 2]}}).from_unit([0.2])
        {'b': 1}
        """
        u = np.asarray(u, dtype=float)
        if u.shape != (len(self.names),):
            raise SpaceError(f"expected an array of shape ({len(self.names)},), got {u.shape}")
        pairs = zip(self.dists.items(), u, strict=True)
        return {name: dist.from_unit(float(ui)) for (name, dist), ui in pairs}
