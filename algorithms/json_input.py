"""What every JSON input of the API must be beyond valid JSON: the request bodies
(``StrictJSONParser``, the default parser of every API view) and the JSON text that
multipart bodies carry in a field (``loads``).

- No nesting deeper than ``MAX_DEPTH`` levels: the decoder recurses, and a body of
  50,000 ``[`` would otherwise end in a ``RecursionError``.
- No lone surrogate anywhere, in a key or a value: ``"\\ud800"`` is valid JSON but no
  character, so no UTF-8 encodes it. Stored, such text would break every later answer
  and page that shows it (and a trial's command line or environment when it starts).

Both are refused with a 400 naming where the fault is (``environment.A``, ``[2].name``).
It lives here, in the room every app may import, as the archive reader does.
"""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

MAX_DEPTH = 32


class JsonInputError(ValueError):
    """A JSON value the API refuses; the message says where and why."""


def check(data: Any) -> None:
    """Refuse ``data`` (a decoded JSON value) when it nests deeper than ``MAX_DEPTH`` or
    holds a lone surrogate in a key or string. Iterative: no recursion to exhaust. Where a
    value sits is kept as a link to its parent's, and written out only for a fault.

    Raises ``JsonInputError``.
    """
    stack: list[tuple[Any, int, _Where]] = [(data, 1, None)]
    while stack:
        node, level, where = stack.pop()
        if isinstance(node, str):
            _check_text(node, where)
            continue
        children: list[tuple[Any, _Where]]
        if isinstance(node, dict):
            for key in node:
                _check_text(str(key), where, is_key=True)
            children = [(value, (where, str(key))) for key, value in node.items()]
        elif isinstance(node, list):
            children = [(value, (where, i)) for i, value in enumerate(node)]
        else:
            continue
        if level > MAX_DEPTH:
            raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels")
        stack.extend((value, level + 1, at) for value, at in children)


# Where a value sits: None for the whole body, else (where its parent sits, its key or index).
_Where = tuple[Any, str | int] | None


def _path(where: _Where) -> str:
    """``environment.A``, ``rows[1].name``: the keys and indexes down to a value."""
    parts: list[str | int] = []
    while where is not None:
        where, step = where
        parts.append(step)
    path = ""
    for step in reversed(parts):
        path += f"[{step}]" if isinstance(step, int) else (f".{step}" if path else step)
    return path


def loads(text: str | bytes) -> Any:
    """``json.loads`` of ``text``, then ``check``. Raises ``JsonInputError`` for either
    fault (and ``ValueError`` for text that is not JSON, as ``json.loads`` does)."""
    try:
        data = json.loads(text)
    except RecursionError:
        raise JsonInputError(f"nested deeper than {MAX_DEPTH} levels") from None
    check(data)
    return data


def _check_text(text: str, where: _Where, *, is_key: bool = False) -> None:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(text[error.start])
        path = _path(where)
        if is_key:
            place = f"a key of {path}: " if path else "a key: "
        else:
            place = f"{path}: " if path else ""
        raise JsonInputError(
            f"{place}surrogate characters are not allowed (U+{code:04X}: half of a UTF-16 "
            "pair, not a character)"
        ) from None


class StrictJSONParser(JSONParser):
    """DRF's JSON parser with ``check`` applied: a 400 ``JSON parse error - ...`` for a
    body nested too deep (DRF's own lets the decoder's ``RecursionError`` through as a
    500) or holding a lone surrogate."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
            check(data)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_DEPTH} levels.") from None
        except JsonInputError as error:
            raise ParseError(f"JSON parse error - {error}.") from None
        return data
