"""HyperDrive's parameter expressions, with HyperDrive's meaning, as the console reads them.

Each function returns a small immutable object whose ``to_json()`` is exactly the search
space JSON the console accepts for one hyperparameter, and ``from_json`` reads that JSON
back (from a job file, or from a job the console stored):

=====================================  =================================================
``choice(16, 32, 64)``                 one of the values (a list or ``range`` works too)
``randint(upper)``                     an integer in 0 .. upper - 1
``uniform(low, high)``                 uniform on [low, high]
``quniform(low, high, q)``             round(uniform(low, high) / q) * q
``loguniform(low, high)``              exp(uniform(low, high)): low and high are exponents
``qloguniform(low, high, q)``          round(exp(uniform(low, high)) / q) * q
``normal(mu, sigma)``                  normal with mean mu and standard deviation sigma
``qnormal(mu, sigma, q)``              round(normal(mu, sigma) / q) * q
``lognormal(mu, sigma)``               exp(normal(mu, sigma))
``qlognormal(mu, sigma, q)``           round(exp(normal(mu, sigma)) / q) * q
``float_range(low, high, log, step)``  the console's own range form (``low + k * step``)
``int_range(low, high, log, step)``    the same for integers
=====================================  =================================================

Arguments are checked at once and a bad one is echoed in the message
(``loguniform: low must be < high, got low=-1, high=-5``).

The console stores ``randint(n)`` as the integer range ``0 .. n - 1`` and a ``bool`` range
as ``choice(False, True)``; ``from_json`` reads those back as ``randint`` and ``choice``.

The functions live here, with ``CALLS``, the names a job file's text may call; the kinds
they make live in ``distribution_kinds``, the readers (JSON and text) in
``distribution_reading``. ``sweepconsole`` itself re-exports the functions.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sweepconsole.distribution_kinds import (
    Choice,
    Distribution,
    FloatRange,
    IntRange,
    LogNormal,
    LogUniform,
    Normal,
    RandInt,
    Uniform,
)

__all__ = [
    "CALLS",
    "choice",
    "float_range",
    "int_range",
    "lognormal",
    "loguniform",
    "normal",
    "qlognormal",
    "qloguniform",
    "qnormal",
    "quniform",
    "randint",
    "uniform",
]


def choice(*options: Any) -> Choice:
    """One of the given values: ``choice(16, 32, 64)``, ``choice([16, 32])``, ``choice(range(3))``.

    >>> choice("adam", "sgd").to_json()
    {'type': 'choice', 'values': ['adam', 'sgd']}
    """
    if len(options) == 1 and isinstance(options[0], (list, tuple, range)):
        return Choice(tuple(options[0]))
    return Choice(tuple(options))


def randint(upper: int) -> RandInt:
    """An integer in 0 .. upper - 1.

    >>> randint(5).to_json()
    {'type': 'randint', 'upper': 5}
    """
    return RandInt(upper)


def uniform(min_value: float, max_value: float) -> Uniform:
    """Uniform on [min_value, max_value].

    >>> uniform(0, 1).to_json()
    {'type': 'uniform', 'low': 0, 'high': 1}
    """
    return Uniform(min_value, max_value)


def quniform(min_value: float, max_value: float, q: float) -> Uniform:
    """round(uniform(min_value, max_value) / q) * q."""
    return Uniform(min_value, max_value, q=q)


def loguniform(min_value: float, max_value: float) -> LogUniform:
    """exp(uniform(min_value, max_value)): the bounds are exponents (HyperDrive's meaning).

    >>> import math
    >>> loguniform(math.log(1e-4), math.log(1e-1)).type
    'loguniform'
    """
    return LogUniform(min_value, max_value)


def qloguniform(min_value: float, max_value: float, q: float) -> LogUniform:
    """round(exp(uniform(min_value, max_value)) / q) * q."""
    return LogUniform(min_value, max_value, q=q)


def normal(mu: float, sigma: float) -> Normal:
    """Normal with mean ``mu`` and standard deviation ``sigma``."""
    return Normal(mu, sigma)


def qnormal(mu: float, sigma: float, q: float) -> Normal:
    """round(normal(mu, sigma) / q) * q."""
    return Normal(mu, sigma, q=q)


def lognormal(mu: float, sigma: float) -> LogNormal:
    """exp(normal(mu, sigma))."""
    return LogNormal(mu, sigma)


def qlognormal(mu: float, sigma: float, q: float) -> LogNormal:
    """round(exp(normal(mu, sigma)) / q) * q."""
    return LogNormal(mu, sigma, q=q)


def float_range(
    low: float, high: float, log: bool = False, step: float | None = None
) -> FloatRange:
    """The console's float range: ``float_range(1e-4, 0.1, log=True)``.

    >>> float_range(1e-4, 0.1, log=True).to_json()
    {'type': 'float', 'low': 0.0001, 'high': 0.1, 'log': True, 'step': None}
    """
    return FloatRange(low, high, log, step)


def int_range(low: int, high: int, log: bool = False, step: int = 1) -> IntRange:
    """The console's integer range: ``int_range(16, 128, step=16)``."""
    return IntRange(low, high, log, step)


CALLS: dict[str, Callable[..., Distribution]] = {
    "choice": choice,
    "randint": randint,
    "uniform": uniform,
    "quniform": quniform,
    "loguniform": loguniform,
    "qloguniform": qloguniform,
    "normal": normal,
    "qnormal": qnormal,
    "lognormal": lognormal,
    "qlognormal": qlognormal,
    "float_range": float_range,
    "int_range": int_range,
}
