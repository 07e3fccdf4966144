"""Samplers: importing this package registers every algorithm with the registry."""

from search.samplers import (  # noqa: F401  (imported to register)
    anneal,
    bayesian,
    grid,
    random,
    smac,
    tpe,
)
from search.samplers.base import ParamSpec, Sampler
from search.samplers.registry import (
    SAMPLERS,
    get_sampler_class,
    list_samplers,
    make_sampler,
    register,
)

__all__ = [
    "SAMPLERS",
    "ParamSpec",
    "Sampler",
    "get_sampler_class",
    "list_samplers",
    "make_sampler",
    "register",
]
