"""One registry for every role (samplers, policies): names and aliases to classes.

Names and aliases are matched case-insensitively, ignoring surrounding spaces.
"""

from __future__ import annotations

from typing import Any, Generic, TypeVar

from search.errors import SamplerParamError
from search.params import Configurable

C = TypeVar("C", bound=type[Configurable])


class Registry(Generic[C]):
    """Classes of one role by name and alias, in registration order.

    >>> from search.samplers import SAMPLERS
    >>> SAMPLERS.get(" TPE_search ").name
    'tpe'
    """

    def __init__(self, role: str) -> None:
        self.role = role
        self._classes: dict[str, C] = {}  # canonical name -> class
        self._lookup: dict[str, str] = {}  # lower-cased name or alias -> canonical name

    def register(self, cls: C) -> C:
        """Class decorator making ``cls`` reachable by its name and aliases.

        Registering another class under a taken name is a programming error
        (``ValueError``); registering the same class again (a module reload) is allowed.
        """
        for key in (cls.name, *cls.aliases):
            owner = self._lookup.get(key.lower())
            if owner is not None and self._classes[owner].__qualname__ != cls.__qualname__:
                raise ValueError(f"{self.role} name {key!r} is already taken by {owner!r}")
        self._classes[cls.name] = cls
        for key in (cls.name, *cls.aliases):
            self._lookup[key.lower()] = cls.name
        return cls

    def get(self, name: Any) -> C:
        """The class registered under ``name`` or an alias; ``SamplerParamError`` otherwise."""
        canonical = self._lookup.get(name.strip().lower()) if isinstance(name, str) else None
        if canonical is None:
            known = ", ".join(sorted(self._lookup))
            raise SamplerParamError(f"Unknown {self.role} {name!r} (known: {known})")
        return self._classes[canonical]

    def classes(self) -> list[C]:
        """Registered classes, in registration order."""
        return list(self._classes.values())

    def describe(self) -> list[dict[str, Any]]:
        """``describe()`` of every registered class, sorted by name."""
        return [cls.describe() for cls in sorted(self.classes(), key=lambda c: c.name)]
