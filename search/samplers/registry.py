"""Sampler names, aliases and construction.

Sampler modules register their class on import (``search/samplers/__init__.py``
imports them all), so ``make_sampler`` and ``list_samplers`` see every algorithm.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from search.errors import SamplerParamError
from search.samplers.base import SEED, Sampler
from search.space import SearchSpace

_CLASSES: dict[str, type[Sampler]] = {}  # canonical name -> class, in registration order
_LOOKUP: dict[str, str] = {}  # lower-cased name or alias -> canonical name

S = TypeVar("S", bound=type[Sampler])


def register(cls: S) -> S:
    """Class decorator making a sampler reachable by its name and aliases.

    Registering another class under a taken name is a programming error (``ValueError``);
    registering the same class again (a module reload) is allowed.
    """
    for key in (cls.name, *cls.aliases):
        owner = _LOOKUP.get(key.lower())
        if owner is not None and _CLASSES[owner].__qualname__ != cls.__qualname__:
            raise ValueError(f"sampler name {key!r} is already taken by {owner!r}")
    _CLASSES[cls.name] = cls
    for key in (cls.name, *cls.aliases):
        _LOOKUP[key.lower()] = cls.name
    return cls


def get_sampler_class(name: str) -> type[Sampler]:
    """The class registered under ``name`` or one of its aliases (any case).

    >>> get_sampler_class("RANDOM").name
    'random'
    """
    canonical = _LOOKUP.get(name.strip().lower()) if isinstance(name, str) else None
    if canonical is None:
        known = ", ".join(sorted(_LOOKUP))
        raise SamplerParamError(f"unknown search algorithm {name!r} (known: {known})")
    return _CLASSES[canonical]


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
    return [
        {
            "name": cls.name,
            "aliases": list(cls.aliases),
            "description": cls.description,
            "params": [spec.to_json() for spec in (SEED, *cls.params)],
        }
        for cls in _CLASSES.values()
    ]
