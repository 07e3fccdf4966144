"""ModelArts ranges: ``float`` and ``int`` with ``low``, ``high``, ``log`` and ``step``.

Values of a stepped range are ``low + k * step`` for k = 0 .. k_max (as in Optuna).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
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

_MAX_EXACT_INT = 2**53


@dataclass(frozen=True)
class FloatDistribution(NumericDistribution):
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
        low = finite_number("float", "low", self.low)
        high = finite_number("float", "high", self.high)
        object.__setattr__(self, "low", low)
        object.__setattr__(self, "high", high)
        if not isinstance(self.log, bool):
            raise SpaceError(f"float: log must be true or false, got log={self.log!r}")
        if self.step is not None:
            step = finite_number("float", "step", self.step)
            if step <= 0:
                raise SpaceError(f"float: step must be > 0, got step={self.step!r}")
            object.__setattr__(self, "step", step)
            object.__setattr__(self, "_places", decimals(low, step))
        if not low < high:
            raise SpaceError(f"float: low must be < high, got low={self.low!r}, high={self.high!r}")
        if self.log and low <= 0:
            raise SpaceError(f"float: low must be > 0 when log is true, got low={self.low!r}")
        span = finite_derived("float", "high - low", lambda: high - low)
        lattice = self.step
        if lattice is not None:
            count = finite_derived("float", "(high - low) / step", lambda: span / lattice)
            if count > MAX_LATTICE:
                raise SpaceError(
                    f"float: step is too small for the range, got (high - low) / step={count:.3g}"
                    f" (at most {MAX_LATTICE})"
                )

    @property
    def is_discrete(self) -> bool:  # type: ignore[override]
        return self.step is not None

    @property
    def lattice_step(self) -> float | None:
        return self.step

    @property
    def _k_max(self) -> int:
        assert self.step is not None
        return int(math.floor((self.high - self.low) / self.step * (1 + GRID_TOL) + GRID_TOL))

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
        x = _as_finite_float(value)
        if x is None:
            return False
        span = self.high - self.low
        if not self.low - GRID_TOL * span <= x <= self.high + GRID_TOL * span:
            return False
        if self.step is None:
            return True
        k = (x - self.low) / self.step
        return abs(k - round(k)) <= GRID_TOL * max(1.0, abs(k))

    def _contains_finite(self, x: np.ndarray) -> np.ndarray:
        span = self.high - self.low
        inside = (self.low - GRID_TOL * span <= x) & (x <= self.high + GRID_TOL * span)
        if self.step is None:
            return inside
        return inside & on_step_lattice((x - self.low) / self.step)

    def _cdf_array(self, x: np.ndarray) -> np.ndarray:
        if self.log:
            log_low = math.log(self.low)
            return log_cdf_array(x, log_low, math.log(self.high) - log_low)
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
class IntDistribution(NumericDistribution):
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
            number = _as_finite_float(value)
            if number is None or not number.is_integer():
                raise SpaceError(
                    f"int: {field_name} must be an integer, got {field_name}={value!r}"
                )
            object.__setattr__(self, field_name, int(value))
        for field_name in ("low", "high"):
            value = getattr(self, field_name)
            if abs(value) > _MAX_EXACT_INT:
                # Beyond 2**53 a float (JSON, numpy) no longer holds every integer exactly.
                raise SpaceError(
                    f"int: {field_name} must be within +-2**53, got {field_name}={value!r}"
                )
        if not isinstance(self.log, bool):
            raise SpaceError(f"int: log must be true or false, got log={self.log!r}")
        if self.step < 1:
            raise SpaceError(f"int: step must be >= 1, got step={self.step!r}")
        if not self.low <= self.high:
            raise SpaceError(f"int: low must be <= high, got low={self.low!r}, high={self.high!r}")
        if self.log and self.low < 1:
            raise SpaceError(f"int: low must be >= 1 when log is true, got low={self.low!r}")
        finite_derived("int", "high - low", lambda: float(self.high - self.low))
        if self.log and self.step != 1:
            # A log scale has no even lattice: "every step-th integer" would not be log-spaced.
            raise SpaceError(f"int: step must be 1 when log is true, got step={self.step!r}")

    @property
    def _k_max(self) -> int:
        return (self.high - self.low) // self.step

    @property
    def lattice_step(self) -> int:
        return self.step

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
        x = _as_finite_float(value)
        if x is None:
            return False
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
            return log_cdf_array(x, log_lo, math.log(hi) - log_lo)
        return (x - lo) / (hi - lo)

    def to_json(self) -> dict[str, Any]:
        return {
            "type": "int",
            "low": self.low,
            "high": self.high,
            "log": self.log,
            "step": self.step,
        }
