"""The distribution base classes: one hyperparameter's values, prior and unit coordinate.

Every distribution maps its values to a unit coordinate ``u`` in [0, 1] and back:

* numeric kinds use the prior's CDF (uniform -> linear, log kinds -> linear in log,
  normal kinds -> Phi), so ``from_unit(rng.random())`` is a draw from the prior and a
  sampler working in the unit box never branches on types;
* a categorical uses the centre of its index bucket, ``(index + 0.5) / k``, so that
  ``from_unit(u) == choices[min(int(u * k), k - 1)]`` inverts it exactly.

Arrays: ``values`` are sequences of JSON scalars; ``x: (n,)`` their float form; the
``*_many`` methods return ``(n,)`` arrays.

Every quantity a sampler derives from a spec (bounds, their exp, spans, lattice indices,
``mu +- k sigma``) is checked finite when the distribution is built, so no accepted spec
can make a sampler overflow later: the check raises ``SpaceError`` naming the quantity.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, ClassVar

import numpy as np

from search.distributions.keys import (
    _PLAIN_NUMBERS,
    Scalar,
    canonical_column,
    canonical_value,
    is_number,
)
from search.errors import SpaceError

# Relative tolerance when checking that a float lies on a quantisation grid.
GRID_TOL = 1e-9
# Largest number of lattice points a quantised or stepped kind may have: lattice indices
# must stay exact in a float (2**53) with room for the tolerance above.
MAX_LATTICE = 2**50


def finite_number(param: str, field_name: str, value: Any) -> float:
    """``value`` as a finite float, else ``SpaceError`` naming the field and the value.

    >>> finite_number("x", "low", 2)
    2.0
    """
    try:
        number = float(value) if is_number(value) else math.nan
    except OverflowError:  # an int beyond the float range
        number = math.nan
    if not math.isfinite(number):
        raise SpaceError(
            f"{param}: {field_name} must be a finite number, got {field_name}={value!r}"
        )
    return number


def finite_derived(param: str, what: str, compute: Callable[[], float], why: str = "") -> float:
    """Evaluate a quantity derived from a spec; ``SpaceError`` when it is not finite.

    >>> finite_derived("C", "exp(high)", lambda: math.exp(1000.0), "bounds are exponents")
    Traceback (most recent call last):
    ...
    search.errors.SpaceError: C: exp(high) overflows (bounds are exponents)
    """
    try:
        value = float(compute())
    except (OverflowError, ZeroDivisionError, ValueError):
        value = math.inf
    if not math.isfinite(value):
        reason = f" ({why})" if why else ""
        raise SpaceError(f"{param}: {what} overflows{reason}")
    return value


def decimals(*numbers: float) -> int:
    """Decimal places needed to print the given numbers exactly (caps float noise).

    >>> decimals(0.1, 0.25)
    2
    """
    places = 0
    for number in numbers:
        exponent = Decimal(repr(float(number))).as_tuple().exponent
        if isinstance(exponent, int):
            places = max(places, -exponent)
    return min(places, 15)


def clip_unit(u: float) -> float:
    return min(max(float(u), 0.0), 1.0)


def clip_unit_array(u: np.ndarray) -> np.ndarray:
    # Written as comparisons so that every element matches clip_unit bit for bit.
    u = np.where(u < 0.0, 0.0, u)
    return np.where(u > 1.0, 1.0, u)


def float_column(values: Sequence[Any]) -> np.ndarray | None:
    """``values`` as a float array when all are plain ``int``/``float``, else ``None``."""
    if not set(map(type, values)) <= _PLAIN_NUMBERS:
        return None
    try:
        return np.array(values, dtype=float)
    except OverflowError:  # an int beyond the float range: the scalar path refuses it
        return None


def log_array(x: np.ndarray) -> np.ndarray:
    """``math.log`` of each (positive) element: the very values the scalar paths compute."""
    return np.fromiter(map(math.log, x.tolist()), dtype=float, count=len(x))


def on_step_lattice(k: np.ndarray) -> np.ndarray:
    """Array form of ``abs(k - round(k)) <= GRID_TOL * max(1.0, abs(k))``."""
    return np.abs(k - np.round(k)) <= GRID_TOL * np.maximum(1.0, np.abs(k))


def log_cdf_array(x: np.ndarray, log_low: float, log_span: float) -> np.ndarray:
    """``(log(x) - log_low) / log_span``, and 0 where ``x <= 0``."""
    positive = x > 0
    out = np.zeros(len(x))
    out[positive] = (log_array(x[positive]) - log_low) / log_span
    return out


def _as_finite_float(value: Any) -> float | None:
    if not is_number(value):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


@dataclass(frozen=True)
class Distribution(ABC):
    """Base class: one hyperparameter's set of values and prior."""

    name: ClassVar[str]
    is_categorical: ClassVar[bool] = False
    #: ``True`` when ``from_unit`` maps to finitely many values (``cardinality`` is then an int
    #: for bounded kinds); samplers may use it to round or to enumerate.
    is_discrete: ClassVar[bool] = False
    #: ``False`` for normal kinds, whose support is the whole real line.
    is_bounded: ClassVar[bool] = True

    @property
    def choices(self) -> tuple[Scalar, ...] | None:
        return None

    @abstractmethod
    def contains(self, value: Any) -> bool:
        """Whether ``value`` is one this distribution can produce."""

    @abstractmethod
    def to_unit(self, value: Any) -> float:
        """Map a value to its unit coordinate in [0, 1] (values outside the support are clipped)."""

    @abstractmethod
    def from_unit(self, u: float) -> Any:
        """Map a unit coordinate (clipped to [0, 1]) to a value of the distribution."""

    @abstractmethod
    def to_json(self) -> dict[str, Any]:
        """The spec this distribution was built from, in its own family's form."""

    @property
    def cardinality(self) -> int | None:
        """Number of distinct values, or ``None`` when infinite."""
        return None

    @property
    def lattice_step(self) -> float | None:
        """Distance between neighbouring values of a numeric lattice (``step`` or ``q``), in
        the parameter's own units; ``None`` for continuous and categorical kinds.

        >>> from search.distributions import FloatDistribution
        >>> FloatDistribution(0.0, 1.0, step=0.25).lattice_step
        0.25
        """
        return None

    def canonical(self, value: Any) -> Any:
        """The hashable stand-in of ``value`` in "was it tried?" tests (see ``keys``).

        >>> from search.distributions import FloatDistribution
        >>> d = FloatDistribution(0.0, 0.5, step=0.1)
        >>> d.canonical(3 * 0.1) == d.canonical(0.3)
        True
        """
        return canonical_value(value)

    def canonical_many(self, values: Sequence[Any]) -> Sequence[Any]:
        """``canonical`` of each value (the input itself when nothing changes)."""
        return canonical_column(values)

    def contains_many(self, values: Sequence[Any]) -> np.ndarray:
        """``contains`` of each value, as a bool array (kinds override it with array code).

        >>> from search.distributions import FloatDistribution, IntDistribution, UniformDistribution
        >>> UniformDistribution(0.0, 1.0).contains_many([0.5, 2.0, "x"]).tolist()
        [True, False, False]
        """
        return np.fromiter(map(self.contains, values), dtype=bool, count=len(values))

    def to_unit_many(self, values: Sequence[Any]) -> np.ndarray:
        """``to_unit`` of each value, as a float array; raises as ``to_unit`` does.

        >>> from search.distributions import FloatDistribution, IntDistribution, UniformDistribution
        >>> UniformDistribution(0.0, 4.0).to_unit_many([1.0, 2]).tolist()
        [0.25, 0.5]
        """
        return np.fromiter(map(self.to_unit, values), dtype=float, count=len(values))

    def contains_and_unit(self, values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """``contains_many(values)`` and, where it holds, ``to_unit`` (elsewhere any float),
        converting the values once.

        >>> from search.distributions import FloatDistribution, IntDistribution, UniformDistribution
        >>> fits, u = UniformDistribution(0.0, 4.0).contains_and_unit([1.0, 9.0, "x"])
        >>> fits.tolist(), float(u[0])
        ([True, False, False], 0.25)
        """
        fits = self.contains_many(values)
        u = np.zeros(len(values))
        kept = np.flatnonzero(fits).tolist()
        u[kept] = self.to_unit_many([values[i] for i in kept])
        return fits, u

    def sample(self, rng: np.random.Generator) -> Any:
        """Draw one value from the prior.

        >>> from search.distributions import FloatDistribution, IntDistribution, UniformDistribution
        >>> UniformDistribution(0.0, 1.0).sample(np.random.default_rng(0)) < 1.0
        True
        """
        return self.from_unit(float(rng.random()))

    def grid_values(self, resolution: int | None = None) -> list[Any]:
        """Values of a grid along this dimension, in increasing unit order.

        Finite kinds give all their values when ``resolution`` is ``None`` or large
        enough, and ``resolution`` evenly spread ones otherwise; continuous or unbounded
        kinds need a ``resolution``.

        >>> from search.distributions import FloatDistribution, IntDistribution, UniformDistribution
        >>> IntDistribution(1, 4).grid_values()
        [1, 2, 3, 4]
        >>> FloatDistribution(0.0, 1.0).grid_values(3)
        [0.0, 0.5, 1.0]
        """
        if resolution is not None and (
            isinstance(resolution, bool) or not isinstance(resolution, int) or resolution < 1
        ):
            raise SpaceError(
                f"grid resolution must be an integer >= 1, got resolution={resolution!r}"
            )
        size = self.cardinality
        if size is not None and (resolution is None or size <= resolution):
            return self._all_values()
        if resolution is None:
            raise SpaceError(
                f"a {self.name} dimension has infinitely many values: "
                "give a grid resolution or use a choice"
            )
        if self.is_bounded and resolution > 1:
            units = [i / (resolution - 1) for i in range(resolution)]
        else:
            units = [(i + 0.5) / resolution for i in range(resolution)]
        values: list[Any] = []
        for u in units:
            value = self.from_unit(u)
            if value not in values:
                values.append(value)
        return values

    def _all_values(self) -> list[Any]:
        """Every value, in increasing order; only called when ``cardinality`` is finite."""
        raise NotImplementedError


@dataclass(frozen=True)
class NumericDistribution(Distribution):
    """A continuous prior given by its CDF, followed by an optional rounding to a lattice."""

    @abstractmethod
    def _cdf(self, x: float) -> float: ...

    @abstractmethod
    def _ppf(self, u: float) -> float: ...

    @abstractmethod
    def _round(self, x: float) -> int | float: ...

    def from_unit(self, u: float) -> int | float:
        return self._round(self._ppf(clip_unit(u)))

    def to_unit(self, value: Any) -> float:
        x = _as_finite_float(value)
        if x is None:
            raise SpaceError(f"{self.name}: expected a finite number, got {value!r}")
        return clip_unit(self._cdf(x))

    def canonical(self, value: Any) -> Any:
        """The lattice value ``value`` stands for when it lies on the lattice (so
        ``0.30000000000000004`` and ``0.3`` are one point of a 0.1 step), else the
        canonical form of the value itself."""
        if self.lattice_step is None or not self.contains(value):
            return canonical_value(value)
        return float(self._snap(float(value)))

    def canonical_many(self, values: Sequence[Any]) -> Sequence[Any]:
        if self.lattice_step is None:
            return canonical_column(values)
        return list(map(self.canonical, values))

    def _snap(self, x: float) -> int | float:
        """The lattice value nearest to ``x`` (only called for values on the lattice)."""
        return self._round(x)

    # Array forms of _cdf and of contains for finite x; every kind gives the same numbers
    # as its scalar method (same operations in the same order, math.log for logs).
    def _cdf_array(self, x: np.ndarray) -> np.ndarray:
        return np.fromiter(map(self._cdf, x.tolist()), dtype=float, count=len(x))

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        return np.fromiter(map(self.contains, x.tolist()), dtype=bool, count=len(x))

    def contains_many(self, values: Sequence[Any]) -> np.ndarray:
        x = float_column(values)
        if x is None:
            return super().contains_many(values)
        finite = np.isfinite(x)
        if not finite.all():
            return super().contains_many(values)
        return self._contains_finite(x)

    def to_unit_many(self, values: Sequence[Any]) -> np.ndarray:
        x = float_column(values)
        if x is None or not np.isfinite(x).all():
            return super().to_unit_many(values)  # raises the scalar path's error
        return clip_unit_array(self._cdf_array(x))

    def contains_and_unit(self, values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        x = float_column(values)
        if x is None or not np.isfinite(x).all():
            return super().contains_and_unit(values)
        # Points outside the support still have a finite CDF; only overflow can warn.
        with np.errstate(over="ignore", invalid="ignore"):
            return self._contains_finite(x), clip_unit_array(self._cdf_array(x))
