"""The validator's nested messages placed beside the create page's inputs."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any


class ErrorTree:
    """The validator's nested messages; each input takes the ones at its path, once.

    >>> tree = ErrorTree({"name": ["Required."], "search_space": {"lr": {"low": ["Bad."]}}})
    >>> tree.take("search_space", "lr", "low"), tree.take("name"), tree.rest()
    (['Bad.'], ['Required.'], [])
    """

    def __init__(self, errors: Mapping[str, Any]) -> None:
        self._items: list[tuple[tuple[str, ...], str]] = list(_flatten(errors, ()))
        self._taken: set[int] = set()

    def take(self, *path: Any) -> list[str]:
        prefix = tuple(str(p) for p in path)
        found = []
        for i, (where, message) in enumerate(self._items):
            if i not in self._taken and where[: len(prefix)] == prefix:
                self._taken.add(i)
                found.append(message)
        return found

    def rest(self) -> list[str]:
        """Messages no input took, each prefixed with where it points (``__all__`` bare)."""
        out = []
        for i, (where, message) in enumerate(self._items):
            if i in self._taken:
                continue
            place = [w for w in where if w not in ("__all__", "non_field_errors")]
            out.append(f"{' › '.join(place)}: {message}" if place else message)
        self._taken.update(range(len(self._items)))
        return out


def _flatten(node: Any, path: tuple[str, ...]) -> Iterable[tuple[tuple[str, ...], str]]:
    if isinstance(node, Mapping):
        for key, value in node.items():
            yield from _flatten(value, (*path, str(key)))
    elif isinstance(node, (list, tuple)):
        for item in node:
            if isinstance(item, (Mapping, list, tuple)):
                yield from _flatten(item, path)
            else:
                yield path, str(item)
    elif node is not None:
        yield path, str(node)


def merge_errors(first: Mapping[str, Any], second: Mapping[str, Any]) -> dict[str, Any]:
    """Two error trees as one: nested objects merged key by key, message lists joined
    (``first``'s messages before ``second``'s).

    >>> merge_errors({"omit": {"lr": ["A."]}, "name": ["B."]}, {"omit": {"x": ["C."]}})
    {'omit': {'lr': ['A.'], 'x': ['C.']}, 'name': ['B.']}
    """
    merged: dict[str, Any] = dict(first)
    for key, value in second.items():
        mine = merged.get(key)
        if isinstance(mine, Mapping) and isinstance(value, Mapping):
            merged[key] = merge_errors(mine, value)
        elif isinstance(mine, list) and isinstance(value, list):
            merged[key] = [*mine, *value]
        elif mine is None:
            merged[key] = value
        else:  # a list beside an object: both kept, the object's messages under __all__
            merged[key] = merge_errors(
                mine if isinstance(mine, Mapping) else {"__all__": list(mine)},
                value if isinstance(value, Mapping) else {"__all__": list(value)},
            )
    return merged
