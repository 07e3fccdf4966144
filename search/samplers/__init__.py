"""Samplers: importing this package registers every algorithm with the registry."""

from search.samplers import grid, random  # noqa: F401  (imported to register)
from search.samplers.base import ParamSpec, Sampler
from search.samplers.registry import get_sampler_class, list_samplers, make_sampler, register

__all__ = [
    "ParamSpec",
    "Sampler",
    "get_sampler_class",
    "list_samplers",
    "make_sampler",
    "register",
]
