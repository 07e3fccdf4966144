"""Reading YAML with the line of every key, refusing what YAML lets slip silently.

PyYAML keeps the last of two equal keys and only says "cannot start any token" for a tab
indent; a job file deserves better, so this reader walks the node tree itself:

* a duplicate key is an error naming both lines (in ``Located.duplicates``, so it is
  reported with the file's other errors: the first of the two is the one read);
* a tab in the indentation is an error naming its line (YAML indents with spaces);
* ``lines[("search_space", "lr")]`` is the line (1-based) where that key is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["Located", "YamlError", "load_located"]

Path = tuple[str | int, ...]


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line


@dataclass
class Located:
    """A YAML document's ``value``, the line of each key, and its duplicate keys as
    ``YamlError``s (the first of two equal keys is the one in ``value``)."""

    value: Any
    lines: dict[Path, int]
    duplicates: list[YamlError] = field(default_factory=list)

    def line_of(self, path: Path) -> int | None:
        """The line of ``path``, or of its nearest written ancestor."""
        for end in range(len(path), 0, -1):
            line = self.lines.get(tuple(path[:end]))
            if line is not None:
                return line
        return None


TAB_MESSAGE = "a tab in the indentation: YAML indents with spaces only"


def load_located(text: str) -> Located:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        lines: dict[Path, int] = {}
        duplicates: list[YamlError] = []
        value = _build(loader, node, (), lines, duplicates) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark else None
        tab = _tab_indented_line(text, line)
        if tab is not None:
            raise YamlError(TAB_MESSAGE, tab) from None
        problem = " ".join(p for p in (exc.context, exc.problem) if p)
        raise YamlError(f"not valid YAML: {problem}", line) from None
    except yaml.YAMLError as exc:
        raise YamlError(f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return Located(value, lines, duplicates)


def _tab_indented_line(text: str, near: int | None) -> int | None:
    """The first tab-indented line up to the one YAML stumbled on (a tab there is why)."""
    for number, raw in enumerate(text.splitlines(), start=1):
        if near is not None and number > near:
            break
        indent = raw[: len(raw) - len(raw.lstrip(" \t"))]
        if "\t" in indent and raw.strip():
            return number
    return None


def _build(
    loader: yaml.SafeLoader,
    node: yaml.Node,
    path: Path,
    lines: dict[Path, int],
    duplicates: list[YamlError],
) -> Any:
    if isinstance(node, yaml.MappingNode):
        loader.flatten_mapping(node)  # resolves YAML merge keys (<<)
        out: dict[Any, Any] = {}
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = loader.construct_object(key_node, deep=True)
            line = key_node.start_mark.line + 1
            try:
                hash(key)
            except TypeError:
                raise YamlError("a mapping key must be a plain value", line) from None
            if key in seen:
                message = f"duplicate key {key!r} (first on line {seen[key]}): keep only one"
                duplicates.append(YamlError(message, line))
                continue
            seen[key] = line
            child = (*path, key)
            lines[child] = line
            out[key] = _build(loader, value_node, child, lines, duplicates)
        return out
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item in enumerate(node.value):
            child = (*path, index)
            lines[child] = item.start_mark.line + 1
            items.append(_build(loader, item, child, lines, duplicates))
        return items
    return loader.construct_object(node, deep=True)
