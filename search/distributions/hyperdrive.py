"""HyperDrive kinds: ``uniform``, ``loguniform``, ``normal``, ``lognormal`` and their ``q``
forms (``round(x / q) * q``), with HyperDrive's meaning.

``loguniform(low, high)`` is ``exp(uniform(low, high))``: ``low`` and ``high`` are
exponents. The unit coordinate of the unbounded (normal) kinds spans their
``TAIL .. 1 - TAIL`` quantiles (0.1 % to 99.9 %, about +-3.09 sigma): every sampler works
in the unit box, so none proposes a point outside the prior's credible range, and a prior
draw is the prior truncated there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from statistics import NormalDist
from typing import Any, ClassVar

import numpy as np

from search.distributions.base import (
    GRID_TOL,
    MAX_LATTICE,
    NumericDistribution,
    _as_finite_float,
    decimals,
    finite_derived,
    finite_number,
    log_cdf_array,
    on_step_lattice,
)
from search.errors import SpaceError

_STD_NORMAL = NormalDist()
#: Prior mass left out on each side of an unbounded prior's unit coordinate.
TAIL = 1e-3
#: The standard-normal quantile of ``1 - TAIL`` (about 3.09).
Z_TAIL = _STD_NORMAL.inv_cdf(1.0 - TAIL)


def _to_tail_cdf(u: float) -> float:
    """Unit coordinate -> prior CDF level inside the credible range."""
    return TAIL + (1.0 - 2.0 * TAIL) * u


def _from_tail_cdf(level: float) -> float:
    """Prior CDF level -> unit coordinate (outside the credible range: beyond [0, 1])."""
    return (level - TAIL) / (1.0 - 2.0 * TAIL)


@dataclass(frozen=True)
class _Quantised(NumericDistribution):
    """HyperDrive rounding: ``round(x / q) * q`` (an ``int`` when q is a whole number)."""

    # Keyword-only, so the concrete classes' required fields (low, high / mu, sigma) may
    # follow it in the generated __init__.
    q: float | None = field(default=None, kw_only=True)

    def _check_q(self) -> None:
        if self.q is None:
            return
        q = finite_number(self.name, "q", self.q)
        if q <= 0:
            raise SpaceError(f"{self.name}: q must be > 0, got q={self.q!r}")
        object.__setattr__(self, "q", int(q) if q.is_integer() else q)

    #: How the smallest and largest values are derived from the spec, for error messages.
    _bound_names: ClassVar[tuple[str, str]] = ("low", "high")
    _bound_hint: ClassVar[str] = ""

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.q is not None

    @property
    def lattice_step(self) -> float | None:
        return self.q

    def _check_derived(self) -> None:
        """Refuse a spec whose value range or lattice cannot be computed in floats."""
        low_name, high_name = self._bound_names
        lo = finite_derived(self.name, low_name, lambda: self._ppf(0.0), self._bound_hint)
        hi = finite_derived(self.name, high_name, lambda: self._ppf(1.0), self._bound_hint)
        q = self.q
        if q is None:
            if self._bound_names[0].startswith("exp(") and lo <= 0.0:
                raise SpaceError(
                    f"{self.name}: {self._bound_names[0]} underflows to 0 ({self._bound_hint})"
                )
            return
        count = finite_derived(self.name, "largest |value| / q", lambda: max(-lo, hi) / q)
        if count > MAX_LATTICE:
            raise SpaceError(
                f"{self.name}: q is too small for the range, got largest |value| / q={count:.3g}"
                f" (at most {MAX_LATTICE})"
            )

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
        return decimals(self.q) if self.q is not None else 0

    def _on_lattice(self, x: float) -> bool:
        if self.q is None:
            return True
        k = x / self.q
        if not math.isfinite(k):
            return False
        return abs(k - round(k)) <= GRID_TOL * max(1.0, abs(k))

    def _on_lattice_array(self, x: np.ndarray) -> np.ndarray:
        if self.q is None:
            return np.ones(len(x), dtype=bool)
        with np.errstate(over="ignore"):
            k = x / self.q
        return np.isfinite(k) & on_step_lattice(np.where(np.isfinite(k), k, 0.0))

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
        object.__setattr__(self, "low", finite_number(self.name, "low", self.low))
        object.__setattr__(self, "high", finite_number(self.name, "high", self.high))
        if not self.low < self.high:
            raise SpaceError(
                f"{self.name}: low must be < high, got low={self.low!r}, high={self.high!r}"
            )
        self._check_q()
        finite_derived(self.name, "high - low", lambda: self.high - self.low)
        self._check_derived()

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
        x = _as_finite_float(value)
        if x is None:
            return False
        lo, hi = self._value_bounds
        tol = GRID_TOL * max(1.0, abs(hi - lo))
        return lo - tol <= x <= hi + tol and self._on_lattice(x)

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        lo, hi = self._value_bounds
        tol = GRID_TOL * max(1.0, abs(hi - lo))
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
    _bound_names: ClassVar[tuple[str, str]] = ("exp(low)", "exp(high)")
    _bound_hint: ClassVar[str] = (
        "loguniform bounds are exponents: values lie in [exp(low), exp(high)]; "
        'for bounds in natural units use {"type": "float", "log": true}'
    )

    def _cdf(self, x: float) -> float:
        if x <= 0:
            return 0.0
        return (math.log(x) - self.low) / (self.high - self.low)

    def _cdf_array(self, x: np.ndarray) -> np.ndarray:
        return log_cdf_array(x, self.low, self.high - self.low)

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
        object.__setattr__(self, "mu", finite_number(self.name, "mu", self.mu))
        object.__setattr__(self, "sigma", finite_number(self.name, "sigma", self.sigma))
        if self.sigma <= 0:
            raise SpaceError(f"{self.name}: sigma must be > 0, got sigma={self.sigma!r}")
        self._check_q()
        self._check_derived()


@dataclass(frozen=True)
class NormalDistribution(_Gaussian):
    """HyperDrive ``normal(mu, sigma)`` and ``qnormal(mu, sigma, q)``.

    >>> NormalDistribution(0.0, 1.0).from_unit(0.5)
    0.0
    """

    name: ClassVar[str] = "normal"
    _bound_names: ClassVar[tuple[str, str]] = (
        f"mu - {Z_TAIL:.2f} sigma",
        f"mu + {Z_TAIL:.2f} sigma",
    )

    def _cdf(self, x: float) -> float:
        return _from_tail_cdf(_STD_NORMAL.cdf((x - self.mu) / self.sigma))

    def _ppf(self, u: float) -> float:
        return self.mu + self.sigma * _STD_NORMAL.inv_cdf(_to_tail_cdf(u))

    def contains(self, value: Any) -> bool:
        x = _as_finite_float(value)
        return x is not None and self._on_lattice(x)

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
    _bound_names: ClassVar[tuple[str, str]] = (
        f"exp(mu - {Z_TAIL:.2f} sigma)",
        f"exp(mu + {Z_TAIL:.2f} sigma)",
    )
    _bound_hint: ClassVar[str] = "lognormal is exp(normal(mu, sigma))"

    def _cdf(self, x: float) -> float:
        if x <= 0:
            return 0.0
        return _from_tail_cdf(_STD_NORMAL.cdf((math.log(x) - self.mu) / self.sigma))

    def _ppf(self, u: float) -> float:
        return math.exp(self.mu + self.sigma * _STD_NORMAL.inv_cdf(_to_tail_cdf(u)))

    def contains(self, value: Any) -> bool:
        x = _as_finite_float(value)
        if x is None:
            return False
        # round(x / q) * q may reach 0 for tiny draws; without q the support is x > 0.
        return (x >= 0 if self.q is not None else x > 0) and self._on_lattice(x)

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        positive = x >= 0 if self.q is not None else x > 0
        return positive & self._on_lattice_array(x)

    def to_json(self) -> dict[str, Any]:
        return self._q_json("lognormal", mu=self.mu, sigma=self.sigma)
