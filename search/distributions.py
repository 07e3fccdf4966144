"""One small, self-validating class per kind of hyperparameter.

Every distribution maps its values to a unit coordinate ``u`` in [0, 1] and back:

* numeric kinds use the prior's CDF (uniform -> linear, log kinds -> linear in log,
  normal kinds -> Phi), so ``from_unit(rng.random())`` is a draw from the prior and a
  sampler working in the unit box never branches on types;
* a categorical uses the centre of its index bucket, ``(index + 0.5) / k``, so that
  ``from_unit(u) == choices[min(int(u * k), k - 1)]`` inverts it exactly.

Two families of specs are accepted (see ``from_spec``):

* HyperDrive: ``choice``, ``uniform``, ``loguniform`` (= exp(uniform(low, high))),
  ``normal``, ``lognormal`` (= exp(normal(mu, sigma))), their ``q`` forms
  (= round(x / q) * q) and ``randint`` (0 .. upper - 1), with HyperDrive's meaning;
* ModelArts ranges: ``float`` and ``int`` with ``low``, ``high``, ``log``, ``step``
  (values ``low + k * step``, as in Optuna) and ``str``/``bool``/``categorical`` lists.

When ``q`` is a whole number the quantised values are returned as ``int`` so that a
training script parsing ``--batch=32`` never receives ``32.0``.
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from itertools import repeat
from statistics import NormalDist
from typing import Any, ClassVar

import numpy as np

from search.errors import SpaceError

Scalar = str | int | float | bool | None

# Unbounded priors map u = 0 or 1 to +-inf; clipping keeps decoded values finite
# (Phi^-1(1e-12) is about -7 sigma).
_U_EPS = 1e-12
# Relative tolerance when checking that a float lies on a quantisation grid.
_GRID_TOL = 1e-9
_STD_NORMAL = NormalDist()


def _is_number(value: Any) -> bool:
    if type(value) in (int, float):  # the common case, without numpy's abstract checks
        return True
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(
        value, (bool, np.bool_)
    )


def _finite_number(param: str, field_name: str, value: Any) -> float:
    if not _is_number(value) or not math.isfinite(float(value)):
        raise SpaceError(
            f"{param}: {field_name} must be a finite number, got {field_name}={value!r}"
        )
    return float(value)


def _decimals(*numbers: float) -> int:
    """Decimal places needed to print the given numbers exactly (caps float noise)."""
    places = 0
    for number in numbers:
        exponent = Decimal(repr(float(number))).as_tuple().exponent
        if isinstance(exponent, int):
            places = max(places, -exponent)
    return min(places, 15)


def _clip_unit(u: float) -> float:
    return min(max(float(u), 0.0), 1.0)


def _clip_unit_array(u: np.ndarray) -> np.ndarray:
    # Written as comparisons so that every element matches _clip_unit bit for bit.
    u = np.where(u < 0.0, 0.0, u)
    return np.where(u > 1.0, 1.0, u)


_PLAIN_NUMBERS = frozenset({int, float})


def _float_column(values: Sequence[Any]) -> np.ndarray | None:
    """``values`` as a float array when all are plain ``int``/``float``, else ``None``."""
    if not set(map(type, values)) <= _PLAIN_NUMBERS:
        return None
    return np.array(values, dtype=float)


def _log_array(x: np.ndarray) -> np.ndarray:
    """``math.log`` of each (positive) element: the very values the scalar paths compute."""
    return np.fromiter(map(math.log, x.tolist()), dtype=float, count=len(x))


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

    def contains_many(self, values: Sequence[Any]) -> np.ndarray:
        """``contains`` of each value, as a bool array (kinds override it with array code).

        >>> UniformDistribution(0.0, 1.0).contains_many([0.5, 2.0, "x"]).tolist()
        [True, False, False]
        """
        return np.fromiter(map(self.contains, values), dtype=bool, count=len(values))

    def to_unit_many(self, values: Sequence[Any]) -> np.ndarray:
        """``to_unit`` of each value, as a float array; raises as ``to_unit`` does.

        >>> UniformDistribution(0.0, 4.0).to_unit_many([1.0, 2]).tolist()
        [0.25, 0.5]
        """
        return np.fromiter(map(self.to_unit, values), dtype=float, count=len(values))

    def contains_and_unit(self, values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        """``contains_many(values)`` and, where it holds, ``to_unit`` (elsewhere any float),
        converting the values once.

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

        >>> UniformDistribution(0.0, 1.0).sample(np.random.default_rng(0)) < 1.0
        True
        """
        return self.from_unit(float(rng.random()))

    def grid_values(self, resolution: int | None = None) -> list[Any]:
        """Values of a grid along this dimension, in increasing unit order.

        Finite kinds give all their values when ``resolution`` is ``None`` or large
        enough, and ``resolution`` evenly spread ones otherwise; continuous or unbounded
        kinds need a ``resolution``.

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


# --------------------------------------------------------------------------- categorical


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
            if isinstance(value, float) and not math.isfinite(value):
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
        return self.values[min(int(_clip_unit(u) * k), k - 1)]

    def sample(self, rng: np.random.Generator) -> Scalar:
        return self.values[int(rng.integers(len(self.values)))]

    def grid_values(self, resolution: int | None = None) -> list[Any]:
        # Categories cannot be thinned meaningfully: a grid always takes them all.
        return list(self.values)

    def _all_values(self) -> list[Any]:
        return list(self.values)

    def to_json(self) -> dict[str, Any]:
        return {"type": "choice", "values": list(self.values)}


def value_key(value: Any) -> tuple[str, Any]:
    """A hashable key equal for values a JSON round trip cannot tell apart.

    ``1`` and ``1.0`` share a key (a database may hand back either); ``True`` does not.

    >>> value_key(1) == value_key(1.0), value_key(True) == value_key(1)
    (True, False)
    """
    if isinstance(value, (bool, np.bool_)):
        return ("bool", bool(value))
    if _is_number(value):
        number = float(value)
        return ("num", number)
    if value is None:
        return ("null", None)
    if isinstance(value, str):
        return ("str", value)
    raise TypeError(f"unhashable choice {value!r}")


_BOOL_KEYS = {False: ("bool", False), True: ("bool", True)}
# Types whose values are their own canonical form (no two of them compare equal).
_SELF_CANONICAL = frozenset({float, str, type(None)})


def canonical_value(value: Any) -> Any:
    """A hashable stand-in for ``value``, equal exactly when ``value_key`` would be equal.

    Numbers become ``float`` (``1`` and ``1.0`` alike), booleans a tagged pair (``True``
    never equals ``1``), strings and ``None`` stay as they are, and anything else that
    ``value_key`` refuses becomes a tagged ``repr``. It is cheaper than ``value_key``:
    plain floats and strings are returned untouched.

    >>> canonical_value(1) == canonical_value(1.0), canonical_value(True) == canonical_value(1)
    (True, False)
    """
    kind = type(value)
    if kind in _SELF_CANONICAL:
        return value
    if kind is int:
        return float(value)
    if kind is bool:
        return _BOOL_KEYS[value]
    try:
        tag, key = value_key(value)
    except TypeError:
        return ("repr", repr(value))
    return _BOOL_KEYS[key] if tag == "bool" else key


def canonical_column(values: Sequence[Any]) -> Sequence[Any]:
    """``canonical_value`` of each value; ``values`` itself when all are already canonical.

    >>> canonical_column([1, 2.5])
    [1.0, 2.5]
    """
    kinds = set(map(type, values))
    if kinds <= _SELF_CANONICAL:
        return values
    if kinds <= _PLAIN_NUMBERS:
        return list(map(float, values))
    if kinds == {bool}:
        return list(map(_BOOL_KEYS.__getitem__, values))
    return list(map(canonical_value, values))


# --------------------------------------------------------------------------- numeric base


@dataclass(frozen=True)
class _Numeric(Distribution):
    """A continuous prior given by its CDF, followed by an optional rounding to a lattice."""

    @abstractmethod
    def _cdf(self, x: float) -> float: ...

    @abstractmethod
    def _ppf(self, u: float) -> float: ...

    @abstractmethod
    def _round(self, x: float) -> int | float: ...

    def from_unit(self, u: float) -> int | float:
        u = _clip_unit(u)
        if not self.is_bounded:
            u = min(max(u, _U_EPS), 1.0 - _U_EPS)
        return self._round(self._ppf(u))

    def to_unit(self, value: Any) -> float:
        if not _is_number(value) or not math.isfinite(float(value)):
            raise SpaceError(f"{self.name}: expected a finite number, got {value!r}")
        return _clip_unit(self._cdf(float(value)))

    # Array forms of _cdf and of contains for finite x; every kind gives the same numbers
    # as its scalar method (same operations in the same order, math.log for logs).
    def _cdf_array(self, x: np.ndarray) -> np.ndarray:
        return np.fromiter(map(self._cdf, x.tolist()), dtype=float, count=len(x))

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        return np.fromiter(map(self.contains, x.tolist()), dtype=bool, count=len(x))

    def contains_many(self, values: Sequence[Any]) -> np.ndarray:
        x = _float_column(values)
        if x is None:
            return super().contains_many(values)
        finite = np.isfinite(x)
        if not finite.all():
            return super().contains_many(values)
        return self._contains_finite(x)

    def to_unit_many(self, values: Sequence[Any]) -> np.ndarray:
        x = _float_column(values)
        if x is None or not np.isfinite(x).all():
            return super().to_unit_many(values)  # raises the scalar path's error
        return _clip_unit_array(self._cdf_array(x))

    def contains_and_unit(self, values: Sequence[Any]) -> tuple[np.ndarray, np.ndarray]:
        x = _float_column(values)
        if x is None or not np.isfinite(x).all():
            return super().contains_and_unit(values)
        # Points outside the support still have a finite CDF; only overflow can warn.
        with np.errstate(over="ignore", invalid="ignore"):
            return self._contains_finite(x), _clip_unit_array(self._cdf_array(x))


def _on_step_lattice(k: np.ndarray) -> np.ndarray:
    """Array form of ``abs(k - round(k)) <= _GRID_TOL * max(1.0, abs(k))``."""
    return np.abs(k - np.round(k)) <= _GRID_TOL * np.maximum(1.0, np.abs(k))


def _log_cdf_array(x: np.ndarray, log_low: float, log_span: float) -> np.ndarray:
    """``(log(x) - log_low) / log_span``, and 0 where ``x <= 0``."""
    positive = x > 0
    out = np.zeros(len(x))
    out[positive] = (_log_array(x[positive]) - log_low) / log_span
    return out


# --------------------------------------------------------------------------- ModelArts ranges


@dataclass(frozen=True)
class FloatDistribution(_Numeric):
    """ModelArts float range: uniform (or log-uniform) on [low, high], optionally on
    the lattice ``low + k * step``.

    >>> FloatDistribution(0.0, 1.0, step=0.25).grid_values()
    [0.0, 0.25, 0.5, 0.75, 1.0]
    """

    low: float
    high: float
    log: bool = False
    step: float | None = None
    name: ClassVar[str] = "float"
    _places: int = field(default=0, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        low = _finite_number("float", "low", self.low)
        high = _finite_number("float", "high", self.high)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        if not isinstance(self.log, bool):
            raise SpaceError(f"float: log must be true or false, got log={self.log!r}")
        if self.step is not None:
            step = _finite_number("float", "step", self.step)
            if step <= 0:
                raise SpaceError(f"float: step must be > 0, got step={self.step!r}")
            object.__setattr__(self, "step", step)
            object.__setattr__(self, "_places", _decimals(low, step))
        if not low < high:
            raise SpaceError(f"float: low must be < high, got low={self.low!r}, high={self.high!r}")
        if self.log and low <= 0:
            raise SpaceError(f"float: low must be > 0 when log is true, got low={self.low!r}")

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.step is not None

    @property
    def _k_max(self) -> int:
        assert self.step is not None
        return int(math.floor((self.high - self.low) / self.step * (1 + _GRID_TOL) + _GRID_TOL))

    @property
    def cardinality(self) -> int | None:
        return None if self.step is None else self._k_max + 1

    def _cdf(self, x: float) -> float:
        if self.log:
            if x <= 0:
                return 0.0
            return (math.log(x) - math.log(self.low)) / (math.log(self.high) - math.log(self.low))
        return (x - self.low) / (self.high - self.low)

    def _ppf(self, u: float) -> float:
        if self.log:
            return math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low)))
        return self.low + u * (self.high - self.low)

    def _round(self, x: float) -> float:
        if self.step is None:
            return min(max(x, self.low), self.high)
        k = min(max(round((x - self.low) / self.step), 0), self._k_max)
        return round(self.low + k * self.step, self._places)

    def _all_values(self) -> list[Any]:
        assert self.step is not None
        return [round(self.low + k * self.step, self._places) for k in range(self._k_max + 1)]

    def contains(self, value: Any) -> bool:
        if not _is_number(value) or not math.isfinite(float(value)):
            return False
        x = float(value)
        span = self.high - self.low
        if not self.low - _GRID_TOL * span <= x <= self.high + _GRID_TOL * span:
            return False
        if self.step is None:
            return True
        k = (x - self.low) / self.step
        return abs(k - round(k)) <= _GRID_TOL * max(1.0, abs(k))

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        span = self.high - self.low
        inside = (self.low - _GRID_TOL * span <= x) & (x <= self.high + _GRID_TOL * span)
        if self.step is None:
            return inside
        return inside & _on_step_lattice((x - self.low) / self.step)

    def _cdf_array(self, x: np.ndarray) -> np.ndarray:
        if self.log:
            log_low = math.log(self.low)
            return _log_cdf_array(x, log_low, math.log(self.high) - log_low)
        return (x - self.low) / (self.high - self.low)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "float",
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "step": self.step,
        }


@dataclass(frozen=True)
class IntDistribution(_Numeric):
    """ModelArts int range: the integers ``low, low + step, ..., <= high``, each equally
    likely (log: equally likely per unit of log).

    >>> IntDistribution(0, 10, step=5).grid_values()
    [0, 5, 10]
    """

    low: int
    high: int
    log: bool = False
    step: int = 1
    name: ClassVar[str] = "int"
    is_discrete: ClassVar[bool] = True

    def __post_init__(self) -> None:
        for field_name in ("low", "high", "step"):
            value = getattr(self, field_name)
            if not _is_number(value) or not float(value).is_integer():
                raise SpaceError(
                    f"int: {field_name} must be an integer, got {field_name}={value!r}"
                )
            object.__setattr__(self, field_name, int(value))
        if not isinstance(self.log, bool):
            raise SpaceError(f"int: log must be true or false, got log={self.log!r}")
        if self.step < 1:
            raise SpaceError(f"int: step must be >= 1, got step={self.step!r}")
        if not self.low <= self.high:
            raise SpaceError(f"int: low must be <= high, got low={self.low!r}, high={self.high!r}")
        if self.log and self.low < 1:
            raise SpaceError(f"int: low must be >= 1 when log is true, got low={self.low!r}")
        if self.log and self.step != 1:
            # A log scale has no even lattice: "every step-th integer" would not be log-spaced.
            raise SpaceError(f"int: step must be 1 when log is true, got step={self.step!r}")

    @property
    def _k_max(self) -> int:
        return (self.high - self.low) // self.step

    @property
    def cardinality(self) -> int:
        return self._k_max + 1

    # Each lattice point owns the bucket [v - step/2, v + step/2]; the prior is uniform
    # (or log-uniform) over the union, so every integer is equally likely.
    def _edges(self) -> tuple[float, float]:
        half = self.step / 2
        return self.low - half, self.low + self._k_max * self.step + half

    def _cdf(self, x: float) -> float:
        lo, hi = self._edges()
        if self.log:
            if x <= 0:
                return 0.0
            return (math.log(x) - math.log(lo)) / (math.log(hi) - math.log(lo))
        return (x - lo) / (hi - lo)

    def _ppf(self, u: float) -> float:
        lo, hi = self._edges()
        if self.log:
            return math.exp(math.log(lo) + u * (math.log(hi) - math.log(lo)))
        return lo + u * (hi - lo)

    def _round(self, x: float) -> int:
        k = min(max(math.floor((x - self.low) / self.step + 0.5), 0), self._k_max)
        return self.low + k * self.step

    def _all_values(self) -> list[Any]:
        return list(range(self.low, self.high + 1, self.step))

    def contains(self, value: Any) -> bool:
        if not _is_number(value) or not math.isfinite(float(value)):
            return False
        x = float(value)
        if not (x.is_integer() and self.low <= x <= self.high):
            return False
        return (int(x) - self.low) % self.step == 0

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        # Integral floats: x - low and its remainder are exact, as int arithmetic is.
        whole = (x == np.floor(x)) & (self.low <= x) & (x <= self.high)
        return whole & (np.remainder(x - self.low, self.step) == 0)

    def _cdf_array(self, x: np.ndarray) -> np.ndarray:
        lo, hi = self._edges()
        if self.log:
            log_lo = math.log(lo)
            return _log_cdf_array(x, log_lo, math.log(hi) - log_lo)
        return (x - lo) / (hi - lo)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "int",
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "step": self.step,
        }


# --------------------------------------------------------------------------- HyperDrive kinds


@dataclass(frozen=True)
class _Quantised(_Numeric):
    """HyperDrive rounding: ``round(x / q) * q`` (an ``int`` when q is a whole number)."""

    # Keyword-only, so the concrete classes' required fields (low, high / mu, sigma) may
    # follow it in the generated __init__.
    q: float | None = field(default=None, kw_only=True)

    def _check_q(self) -> None:
        if self.q is None:
            return
        q = _finite_number(self.name, "q", self.q)
        if q <= 0:
            raise SpaceError(f"{self.name}: q must be > 0, got q={self.q!r}")
        object.__setattr__(self, "q", int(q) if q.is_integer() else q)

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.q is not None

    def _round(self, x: float) -> int | float:
        if self.q is None:
            return x
        return self._lattice_value(round(x / self.q))

    def _lattice_value(self, k: int) -> int | float:
        assert self.q is not None
        if isinstance(self.q, int):
            return int(k * self.q)
        return round(k * self.q, self._q_places)

    # cached_property writes the instance __dict__ directly, so it works on frozen
    # dataclasses; both values sit on hot paths (contains, from_unit) of every history.
    @cached_property
    def _q_places(self) -> int:
        return _decimals(self.q) if self.q is not None else 0

    def _on_lattice(self, x: float) -> bool:
        if self.q is None:
            return True
        k = x / self.q
        return abs(k - round(k)) <= _GRID_TOL * max(1.0, abs(k))

    def _on_lattice_array(self, x: np.ndarray) -> np.ndarray:
        if self.q is None:
            return np.ones(len(x), dtype=bool)
        return _on_step_lattice(x / self.q)

    def _q_json(self, kind: str, **fields: Any) -> dict[str, Any]:
        spec: dict[str, Any] = {"type": kind if self.q is None else "q" + kind, **fields}
        if self.q is not None:
            spec["q"] = self.q
        return spec


@dataclass(frozen=True)
class _BoundedQuantised(_Quantised):
    low: float
    high: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "low", _finite_number(self.name, "low", self.low))
        object.__setattr__(self, "high", _finite_number(self.name, "high", self.high))
        if not self.low < self.high:
            raise SpaceError(
                f"{self.name}: low must be < high, got low={self.low!r}, high={self.high!r}"
            )
        self._check_q()

    @cached_property
    def _value_bounds(self) -> tuple[float, float]:
        """Smallest and largest value of the support, after rounding."""
        return self._round(self._ppf(0.0)), self._round(self._ppf(1.0))

    def _k_range(self) -> range:
        assert self.q is not None
        lo, hi = self._value_bounds
        return range(round(lo / self.q), round(hi / self.q) + 1)

    @property
    def cardinality(self) -> int | None:
        return None if self.q is None else len(self._k_range())

    def _all_values(self) -> list[Any]:
        return [self._lattice_value(k) for k in self._k_range()]

    def contains(self, value: Any) -> bool:
        if not _is_number(value) or not math.isfinite(float(value)):
            return False
        lo, hi = self._value_bounds
        tol = _GRID_TOL * max(1.0, abs(hi - lo))
        return lo - tol <= float(value) <= hi + tol and self._on_lattice(float(value))

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        lo, hi = self._value_bounds
        tol = _GRID_TOL * max(1.0, abs(hi - lo))
        return (lo - tol <= x) & (x <= hi + tol) & self._on_lattice_array(x)


@dataclass(frozen=True)
class UniformDistribution(_BoundedQuantised):
    """HyperDrive ``uniform(low, high)`` and ``quniform(low, high, q)``.

    >>> UniformDistribution(0, 10, q=5).grid_values()
    [0, 5, 10]
    """

    name: ClassVar[str] = "uniform"

    def _cdf(self, x: float) -> float:
        return (x - self.low) / (self.high - self.low)

    def _cdf_array(self, x: np.ndarray) -> np.ndarray:
        return (x - self.low) / (self.high - self.low)

    def _ppf(self, u: float) -> float:
        return self.low + u * (self.high - self.low)

    def _round(self, x: float) -> int | float:
        return min(max(x, self.low), self.high) if self.q is None else super()._round(x)

    def to_json(self) -> dict[str, Any]:
        return self._q_json("uniform", low=self.low, high=self.high)


@dataclass(frozen=True)
class LogUniformDistribution(_BoundedQuantised):
    """HyperDrive ``loguniform(low, high)`` = ``exp(uniform(low, high))``; ``low`` and
    ``high`` are exponents, so values lie in [exp(low), exp(high)].

    >>> d = LogUniformDistribution(math.log(1e-4), math.log(1e-1))
    >>> round(d.from_unit(0.5), 6)
    0.003162
    """

    name: ClassVar[str] = "loguniform"

    def _cdf(self, x: float) -> float:
        if x <= 0:
            return 0.0
        return (math.log(x) - self.low) / (self.high - self.low)

    def _cdf_array(self, x: np.ndarray) -> np.ndarray:
        return _log_cdf_array(x, self.low, self.high - self.low)

    def _ppf(self, u: float) -> float:
        return math.exp(self.low + u * (self.high - self.low))

    def _round(self, x: float) -> int | float:
        if self.q is None:
            return min(max(x, math.exp(self.low)), math.exp(self.high))
        return super()._round(x)

    def to_json(self) -> dict[str, Any]:
        return self._q_json("loguniform", low=self.low, high=self.high)


@dataclass(frozen=True)
class _Gaussian(_Quantised):
    mu: float
    sigma: float
    is_bounded: ClassVar[bool] = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "mu", _finite_number(self.name, "mu", self.mu))
        object.__setattr__(self, "sigma", _finite_number(self.name, "sigma", self.sigma))
        if self.sigma <= 0:
            raise SpaceError(f"{self.name}: sigma must be > 0, got sigma={self.sigma!r}")
        self._check_q()


@dataclass(frozen=True)
class NormalDistribution(_Gaussian):
    """HyperDrive ``normal(mu, sigma)`` and ``qnormal(mu, sigma, q)``.

    >>> NormalDistribution(0.0, 1.0).from_unit(0.5)
    0.0
    """

    name: ClassVar[str] = "normal"

    def _cdf(self, x: float) -> float:
        return _STD_NORMAL.cdf((x - self.mu) / self.sigma)

    def _ppf(self, u: float) -> float:
        return self.mu + self.sigma * _STD_NORMAL.inv_cdf(u)

    def contains(self, value: Any) -> bool:
        return _is_number(value) and math.isfinite(float(value)) and self._on_lattice(float(value))

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        return self._on_lattice_array(x)

    def to_json(self) -> dict[str, Any]:
        return self._q_json("normal", mu=self.mu, sigma=self.sigma)


@dataclass(frozen=True)
class LogNormalDistribution(_Gaussian):
    """HyperDrive ``lognormal(mu, sigma)`` = ``exp(normal(mu, sigma))`` and its q form.

    >>> LogNormalDistribution(0.0, 1.0).from_unit(0.5)
    1.0
    """

    name: ClassVar[str] = "lognormal"

    def _cdf(self, x: float) -> float:
        if x <= 0:
            return 0.0
        return _STD_NORMAL.cdf((math.log(x) - self.mu) / self.sigma)

    def _ppf(self, u: float) -> float:
        return math.exp(self.mu + self.sigma * _STD_NORMAL.inv_cdf(u))

    def contains(self, value: Any) -> bool:
        if not _is_number(value) or not math.isfinite(float(value)):
            return False
        x = float(value)
        # round(x / q) * q may reach 0 for tiny draws; without q the support is x > 0.
        return (x >= 0 if self.q is not None else x > 0) and self._on_lattice(x)

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        positive = x >= 0 if self.q is not None else x > 0
        return positive & self._on_lattice_array(x)

    def to_json(self) -> dict[str, Any]:
        return self._q_json("lognormal", mu=self.mu, sigma=self.sigma)


# --------------------------------------------------------------------------- spec parsing

_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    # kind: (required fields, optional fields), "type" excluded
    "choice": ({"values"}, set()),
    "categorical": ({"values"}, set()),
    "str": ({"values"}, set()),
    "bool": (set(), {"values"}),
    "uniform": ({"low", "high"}, set()),
    "loguniform": ({"low", "high"}, set()),
    "quniform": ({"low", "high", "q"}, set()),
    "qloguniform": ({"low", "high", "q"}, set()),
    "normal": ({"mu", "sigma"}, set()),
    "lognormal": ({"mu", "sigma"}, set()),
    "qnormal": ({"mu", "sigma", "q"}, set()),
    "qlognormal": ({"mu", "sigma", "q"}, set()),
    "randint": ({"upper"}, set()),
    "float": ({"low", "high"}, {"log", "step"}),
    "int": ({"low", "high"}, {"log", "step"}),
}


def from_spec(param: str, spec: Mapping[str, Any]) -> Distribution:
    """Build the distribution a JSON spec describes; errors name ``param`` and the field.

    >>> from_spec("lr", {"type": "float", "low": 1e-5, "high": 1e-1, "log": True})
    FloatDistribution(low=1e-05, high=0.1, log=True, step=None)
    >>> from_spec("batch", {"type": "choice", "values": {"range": [16, 65, 16]}}).choices
    (16, 32, 48, 64)
    """
    if not isinstance(spec, Mapping):
        raise SpaceError(f"{param}: spec must be an object, got {spec!r}")
    kind = spec.get("type")
    if kind not in _FIELDS:
        raise SpaceError(f"{param}: type must be one of {sorted(_FIELDS)}, got type={kind!r}")
    required, optional = _FIELDS[kind]
    given = set(spec) - {"type"}
    missing = required - given
    if missing:
        raise SpaceError(f"{param}: {kind} needs {', '.join(sorted(missing))}, got {dict(spec)!r}")
    unknown = given - required - optional
    if unknown:
        raise SpaceError(
            f"{param}: unknown field(s) {', '.join(sorted(unknown))} for {kind}, got {dict(spec)!r}"
        )
    try:
        return _build(kind, spec)
    except SpaceError as exc:
        # Prefix with the parameter name so a form can point at the right row.
        raise SpaceError(f"{param}: {exc}") from None


def _build(kind: str, spec: Mapping[str, Any]) -> Distribution:
    q = spec.get("q")
    if kind in ("choice", "categorical", "str"):
        return CategoricalDistribution(_choice_values(spec["values"]))
    if kind == "bool":
        return CategoricalDistribution(_choice_values(spec.get("values", [False, True])))
    if kind in ("uniform", "quniform"):
        return UniformDistribution(spec["low"], spec["high"], q=q)
    if kind in ("loguniform", "qloguniform"):
        return LogUniformDistribution(spec["low"], spec["high"], q=q)
    if kind in ("normal", "qnormal"):
        return NormalDistribution(spec["mu"], spec["sigma"], q=q)
    if kind in ("lognormal", "qlognormal"):
        return LogNormalDistribution(spec["mu"], spec["sigma"], q=q)
    if kind == "randint":
        upper = spec["upper"]
        if not _is_number(upper) or not float(upper).is_integer() or upper < 1:
            raise SpaceError(f"randint: upper must be an integer >= 1, got upper={upper!r}")
        return IntDistribution(0, int(upper) - 1)
    # A table row may hold null for an unset log flag or step: null means the default.
    log = False if spec.get("log") is None else spec["log"]
    if kind == "float":
        return FloatDistribution(spec["low"], spec["high"], log=log, step=spec.get("step"))
    step = spec.get("step")
    return IntDistribution(spec["low"], spec["high"], log=log, step=1 if step is None else step)


def _choice_values(values: Any) -> tuple[Scalar, ...]:
    if isinstance(values, Mapping):
        bounds = values.get("range")
        if (
            set(values) != {"range"}
            or not isinstance(bounds, (list, tuple))
            or not (1 <= len(bounds) <= 3)
            or not all(_is_number(b) and float(b).is_integer() for b in bounds)
        ):
            raise SpaceError(
                f"values: range must be [start, stop, step] integers, got values={dict(values)!r}"
            )
        return tuple(range(*(int(b) for b in bounds)))
    if not isinstance(values, (list, tuple)):
        raise SpaceError(f"values must be a list, got values={values!r}")
    return tuple(values)
