"""Distributions: one small, self-validating class per kind of hyperparameter.

Modules, by responsibility:

* ``base``: the ``Distribution`` base (unit coordinate, membership, grid, canonical key)
  and the numeric building blocks;
* ``categorical``, ``ranges`` (ModelArts ``float``/``int``), ``hyperdrive`` (HyperDrive's
  uniform, loguniform, normal, lognormal and their ``q`` forms): the kinds;
* ``spec``: JSON spec -> distribution;
* ``keys``: canonical values, for "was this tried?".

>>> from search.distributions import from_spec
>>> from_spec("drop", {"type": "float", "low": 0, "high": 0.5, "step": 0.1}).grid_values()
[0.0, 0.1, 0.2, 0.3, 0.4, 0.5]
"""

from search.distributions.base import Distribution, NumericDistribution
from search.distributions.categorical import CategoricalDistribution
from search.distributions.hyperdrive import (
    TAIL,
    LogNormalDistribution,
    LogUniformDistribution,
    NormalDistribution,
    UniformDistribution,
)
from search.distributions.keys import Scalar, canonical_column, canonical_value, value_key
from search.distributions.ranges import FloatDistribution, IntDistribution
from search.distributions.spec import from_spec

__all__ = [
    "TAIL",
    "CategoricalDistribution",
    "Distribution",
    "FloatDistribution",
    "IntDistribution",
    "LogNormalDistribution",
    "LogUniformDistribution",
    "NormalDistribution",
    "NumericDistribution",
    "Scalar",
    "UniformDistribution",
    "canonical_column",
    "canonical_value",
    "from_spec",
    "value_key",
]
