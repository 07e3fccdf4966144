"""Categorical distributions: an unordered list of JSON scalars."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from itertools import repeat
from typing import Any, ClassVar

import numpy as np

from search.distributions.base import Distribution, clip_unit
from search.distributions.keys import Scalar, canonical_column, canonical_value, value_key
from search.errors import SpaceError


@dataclass(frozen=True)
class CategoricalDistribution(Distribution):
    """An unordered list of JSON scalars.

    >>> d = CategoricalDistribution((16, 32, 64))
    >>> d.from_unit(d.to_unit(32))
    32
    """

    values: tuple[Scalar, ...]
    name: ClassVar[str] = "choice"
    is_categorical: ClassVar[bool] = True
    is_discrete: ClassVar[bool] = True

    def __post_init__(self) -> None:
        values = tuple(self.values)
        object.__setattr__(self, "values", values)
        if not values:
            raise SpaceError("choice: values must not be empty, got values=[]")
        for value in values:
            if not isinstance(value, (str, int, float, bool)) and value is not None:
                raise SpaceError(
                    f"choice: values must be strings, numbers, booleans or null, got {value!r}"
                )
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                try:
                    finite = math.isfinite(float(value))
                except OverflowError:  # an int beyond the float range
                    finite = False
                if not finite:
                    raise SpaceError(f"choice: values must be finite, got {value!r}")
        keys = [value_key(v) for v in values]
        if len(set(keys)) != len(keys):
            raise SpaceError(f"choice: values must be distinct, got values={list(values)!r}")

    @property
    def choices(self) -> tuple[Scalar, ...]:
        return self.values

    @property
    def cardinality(self) -> int:
        return len(self.values)

    # cached_property writes the instance __dict__ directly, so it works on a frozen dataclass.
    @cached_property
    def _positions(self) -> dict[Any, int]:
        """Canonical value -> position in ``values`` (values are distinct by key)."""
        return {canonical_value(choice): i for i, choice in enumerate(self.values)}

    def index(self, value: Any) -> int:
        """Position of ``value`` in ``choices``; ``True`` never matches ``1``."""
        position = self._positions.get(canonical_value(value))
        if position is None:
            value_key(value)  # an unhashable value raises TypeError, as it always has
            raise SpaceError(f"choice: {value!r} is not one of {list(self.values)!r}")
        return position

    def indices(self, values: Sequence[Any]) -> np.ndarray:
        """Position of each value in ``choices``, ``-1`` for values that are not choices.

        >>> CategoricalDistribution(("a", "b")).indices(["b", "z", "a"]).tolist()
        [1, -1, 0]
        """
        positions = map(self._positions.get, canonical_column(values), repeat(-1))
        return np.fromiter(positions, dtype=np.intp, count=len(values))

    def contains(self, value: Any) -> bool:
        return canonical_value(value) in self._positions

    def contains_many(self, values: Sequence[Any]) -> np.ndarray:
        return self.indices(values) >= 0

    def to_unit(self, value: Any) -> float:
        return (self.index(value) + 0.5) / len(self.values)

    def to_unit_many(self, values: Sequence[Any]) -> np.ndarray:
        positions = self.indices(values)
        if (positions < 0).any():
            return super().to_unit_many(values)  # raises the scalar path's error
        return (positions + 0.5) / len(self.values)

    def from_unit(self, u: float) -> Scalar:
        k = len(self.values)
        return self.values[min(int(clip_unit(u) * k), k - 1)]

    def sample(self, rng: np.random.Generator) -> Scalar:
        return self.values[int(rng.integers(len(self.values)))]

    def grid_values(self, resolution: int | None = None) -> list[Any]:
        # Categories cannot be thinned meaningfully: a grid always takes them all.
        return list(self.values)

    def _all_values(self) -> list[Any]:
        return list(self.values)

    def to_json(self) -> dict[str, Any]:
        return {"type": "choice", "values": list(self.values)}
