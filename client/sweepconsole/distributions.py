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

This module is the public face: the kinds live in ``distribution_kinds``, the functions
in ``distribution_calls``, the readers (JSON and text) in ``distribution_reading``.
"""

from __future__ import annotations

from sweepconsole.distribution_calls import (
    choice,
    float_range,
    int_range,
    lognormal,
    loguniform,
    normal,
    qlognormal,
    qloguniform,
    qnormal,
    quniform,
    randint,
    uniform,
)
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
from sweepconsole.distribution_reading import (
    from_json,
    parse_expression,
    space_from_json,
    space_to_json,
)

__all__ = [
    "Choice",
    "Distribution",
    "FloatRange",
    "IntRange",
    "LogNormal",
    "LogUniform",
    "Normal",
    "RandInt",
    "Uniform",
    "choice",
    "float_range",
    "from_json",
    "int_range",
    "loguniform",
    "lognormal",
    "normal",
    "parse_expression",
    "qloguniform",
    "qlognormal",
    "qnormal",
    "quniform",
    "randint",
    "space_from_json",
    "space_to_json",
    "uniform",
]
