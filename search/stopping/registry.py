"""The policy registry: names and aliases to classes, and the description the console reads."""

from __future__ import annotations

from typing import Any, TypeVar

from search.errors import SamplerParamError
from search.stopping.base import Policy

_REGISTRY: dict[str, type[Policy]] = {}
_ALIASES: dict[str, str] = {}

P = TypeVar("P", bound=type[Policy])


def register(cls: P) -> P:
    """Class decorator: make a policy available to :func:`make_policy` by name and aliases."""
    for key in (cls.name, *cls.aliases):
        owner = _REGISTRY.get(_ALIASES.get(key, key))
        # Registering the same class again (a module reload) is harmless.
        if owner is not None and owner.__qualname__ != cls.__qualname__:
            raise ValueError(f"policy name {key!r} is already taken by {owner.name!r}")
    _REGISTRY[cls.name] = cls
    for alias in cls.aliases:
        _ALIASES[alias] = cls.name
    return cls


def policy_class(name: str) -> type[Policy]:
    """The class registered under ``name`` or one of its aliases (case-insensitive).

    >>> from search.stopping import policy_class
    >>> policy_class("Median").name
    'median_stopping'
    """
    if not isinstance(name, str):
        raise SamplerParamError(f"policy name must be a string, got {name!r}")
    key = name.strip().lower()
    key = _ALIASES.get(key, key)
    if key not in _REGISTRY:
        known = ", ".join(sorted(_REGISTRY))
        raise SamplerParamError(f"unknown early-termination policy {name!r}; known: {known}")
    return _REGISTRY[key]


def make_policy(name: str, **params: Any) -> Policy:
    """Build a policy by name, validating its parameters.

    >>> from search.stopping import make_policy
    >>> policy = make_policy("median_stopping", evaluation_interval=1, delay_evaluation=5)
    >>> policy.should_stop([0.1] * 5, [[0.9] * 5, [0.8] * 5])
    True
    """
    return policy_class(name)(**params)


def list_policies() -> list[dict[str, Any]]:
    """Every registered policy with its parameters, for building forms.

    >>> from search.stopping import list_policies
    >>> [entry["name"] for entry in list_policies()][:2]
    ['asha', 'bandit']
    """
    return [
        {
            "name": cls.name,
            "aliases": list(cls.aliases),
            "description": cls.description,
            "params": [spec.to_json() for spec in cls.all_params()],
        }
        for _, cls in sorted(_REGISTRY.items())
    ]
