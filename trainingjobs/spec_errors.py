"""The error tree of a job spec: messages nested as the API answers them (see
``trainingjobs.specs``), and the error that carries it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


class JobSpecError(ValueError):
    """The job cannot be created; ``errors`` is the nested message tree described above."""

    def __init__(self, errors: dict[str, Any]) -> None:
        super().__init__(flatten_messages(errors))
        self.errors = errors


class SpecErrors:
    """Messages in the nested shape the API answers: dicts down to lists of messages."""

    def __init__(self) -> None:
        self.tree: dict[str, Any] = {}

    def add(self, *path: str, message: str) -> None:
        node = self.tree
        for part in path[:-1]:
            child = node.get(part)
            if isinstance(child, list):  # a whole-field message already there
                child = node[part] = {"__all__": child}
            node = node.setdefault(part, {}) if child is None else child
        leaf = node.get(path[-1])
        if isinstance(leaf, dict):
            leaf.setdefault("__all__", []).append(message)
        else:
            node.setdefault(path[-1], []).append(message)

    def __bool__(self) -> bool:
        return bool(self.tree)


def flatten_messages(tree: Mapping[str, Any], prefix: str = "") -> str:
    parts: list[str] = []
    for key, value in tree.items():
        place = f"{prefix}.{key}" if prefix else str(key)
        if isinstance(value, Mapping):
            parts.append(flatten_messages(value, place))
        else:
            parts.extend(f"{place}: {message}" for message in value)
    return "; ".join(p for p in parts if p)
