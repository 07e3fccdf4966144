"""How the client writes a value for people (CLI tables, detail views, the watch bar and
the end summary); ``--json`` output is untouched.

One rule for every value, so a table and a detail view never disagree:

- ``None`` (no value, or NaN as the REST API stores it) is ``-``;
- a boolean is ``true`` or ``false``, as the REST API and job files spell it;
- an integer is written whole;
- a float has at most ``SIGNIFICANT_DIGITS`` significant digits, trailing zeros dropped,
  in exponent form only when very large or small (Python's ``g`` format): ``0.123457``,
  ``1e-05``, ``2.5e+07``; the infinities are ``inf`` and ``-inf`` (the REST API's strings
  ``"inf"``, ``"-inf"`` read the same), NaN is ``nan``;
- a list is its items, each by this rule, joined with ``, ``;
- anything else (text) is written as it is.

A size in bytes (``format_size``) is written as the console's pages write it: ``512 bytes``,
``1.5 KB``, ``12 MB``, ``2.1 GB`` (units of 1024).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

__all__ = ["SIGNIFICANT_DIGITS", "format_size", "format_time", "format_value"]

SIGNIFICANT_DIGITS = 6


def plural(n: Any, noun: str) -> str:
    """``n`` and its noun, plural unless one: ``plural(1, "trial")`` is ``"1 trial"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def format_value(value: Any) -> str:
    """``value`` as the CLI prints it (see the module docstring).

    >>> [format_value(v) for v in (None, True, False, 3, 0.1 + 0.2, 1234567.0, 1e-5)]
    ['-', 'true', 'false', '3', '0.3', '1.23457e+06', '1e-05']
    >>> format_value([16, 32.0, True, "relu"])
    '16, 32, true, relu'
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:.{SIGNIFICANT_DIGITS}g}"
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(item) for item in value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={format_value(item)}" for key, item in value.items())
    return str(value)


def format_size(size: Any) -> str:
    """A size in bytes for people, one decimal at most (``-`` for no value).

    >>> [format_size(n) for n in (None, 0, 1, 1023, 1536, 12 * 1024**2, 2.25 * 1024**3)]
    ['-', '0 bytes', '1 byte', '1023 bytes', '1.5 KB', '12 MB', '2.2 GB']
    """
    if size is None or isinstance(size, bool):
        return "-"
    size = float(size)
    for unit, scale in (("GB", 1024**3), ("MB", 1024**2), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f}".removesuffix(".0") + f" {unit}"
    return "1 byte" if size == 1 else f"{size:.0f} bytes"


def format_time(value: Any) -> str:
    """A time the API gives in ISO 8601 as the console's pages write one: to the second,
    a space between date and time; empty for none.

    >>> format_time("2026-12-01T02:00:56.123456Z"), format_time(None)
    ('2026-12-01 02:00:56', '')
    """
    return str(value or "")[:19].replace("T", " ")
