"""Sampler names, aliases and construction, on the library's one ``Registry``.

Sampler modules register their class on import (``search/samplers/__init__.py``
imports them all), so ``make_sampler`` and ``list_samplers`` see every algorithm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from search.registry import Registry
from search.samplers.base import Sampler
from search.space import SearchSpace

SAMPLERS: Registry[type[Sampler]] = Registry("search algorithm")
register = SAMPLERS.register


def get_sampler_class(name: str) -> type[Sampler]:
    """The class registered under ``name`` or one of its aliases (any case).

    >>> get_sampler_class("RANDOM").name
    'random'
    """
    return SAMPLERS.get(name)


def make_sampler(
    name: str,
    space: SearchSpace | Mapping[str, Any],
    goal: str = "maximize",
    seed: Any = 0,
    **params: Any,
) -> Sampler:
    """Build a sampler by name or alias; ``space`` may be a ``SearchSpace`` or its JSON spec.

    >>> sampler = make_sampler("random", {"x": {"type": "uniform", "low": 0, "high": 1}}, seed=3)
    >>> sampler.suggest([], n=1) == sampler.suggest([], n=1)
    True
    """
    return get_sampler_class(name)(space, goal=goal, seed=seed, **params)


def list_samplers() -> list[dict[str, Any]]:
    """Every registered sampler with its parameters (``seed`` first), for forms and the API.

    >>> "random" in [entry["name"] for entry in list_samplers()]
    True
    """
    return SAMPLERS.describe()
