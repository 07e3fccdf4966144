"""Reading the raw values of an algorithm spec, typed by the API or typed as form strings.

One parser per type: each takes whatever a request carried (a JSON value or a form string)
and returns the typed value or raises :class:`BadValue`, whose message completes a sentence
that starts with the field's name (``"learning_rate: min " + str(exc)``). No other
exception escapes a parser (``OverflowError`` of a 400-digit number, ``ValueError`` of
``int("²")``, a NUL byte the database refuses), so a caller that catches ``BadValue``
turns every bad input into a field error and never into a 500.
"""

from __future__ import annotations

import math
from typing import Any

# The strings a checkbox, a form or a JSON client may send for a flag; everything else is
# refused rather than read as false ("maybe" is not a no).
TRUE_STRINGS = frozenset({"true", "1", "on", "yes"})
FALSE_STRINGS = frozenset({"false", "0", "off", "no", ""})
# Largest id a database column holds (a signed 64-bit integer): larger ones cannot exist
# and would make SQLite raise OverflowError.
MAX_ID = 2**63 - 1
# Largest magnitude of a typed number; beyond it float() overflows to inf.
MAX_NUMBER = 1e308
# Seeds are unsigned 32-bit integers, as numpy's generators and most tools take them;
# larger ones would be silently changed by a float column or a JSON reader.
MAX_SEED = 2**32 - 1


def sentence(text: str) -> str:
    """A message as a sentence: stripped, ending in one full stop. Its first word keeps
    its case: it is often a name (``gamma``, ``asha``) that must read as typed.

    >>> sentence(" asha: min_resource must be >= 1 "), sentence("Done.")
    ('asha: min_resource must be >= 1.', 'Done.')
    """
    text = text.strip()
    return text + ("" if not text or text.endswith(".") else ".")


def unknown_fields(given: Any, known: Any) -> str:
    """The message for the keys of ``given`` (a mapping) not in ``known`` ("" when none):
    a misspelt field is refused by name, never dropped with its default used.

    >>> unknown_fields({"max_trial": 9, "nope": 1}, ("max_trials", "seed"))
    'Unknown field(s): max_trial, nope (known: max_trials, seed).'
    """
    keys = given.keys() if hasattr(given, "keys") else ()
    unknown = sorted(str(key) for key in keys if key not in known)
    if not unknown:
        return ""
    return f"Unknown field(s): {', '.join(unknown)[:200]} (known: {', '.join(known)})."


def plural(n: int, noun: str) -> str:
    """``n`` and its noun, plural unless one: ``plural(1, "trial")`` is ``"1 trial"``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


class BadValue(ValueError):
    """A value from a request that cannot be read as its field's type."""


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def parse_text(value: Any, *, strip: bool = True) -> str:
    """A string as stored: None reads as ""; NUL bytes and lone surrogates are refused.

    >>> parse_text("  adam "), parse_text(None)
    ('adam', '')
    >>> parse_text(5)
    Traceback (most recent call last):
    ...
    algorithms.spec_values.BadValue: must be a string, got 5
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        raise BadValue(f"must be a string, got {_show(value)}")
    if "\x00" in value:
        raise BadValue("must not contain a NUL character")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate from a JSON "\ud800" escape
        raise BadValue("must be valid Unicode text") from None
    return value.strip() if strip else value


def parse_bool(value: Any) -> bool:
    """A flag: a JSON bool, or one of ``TRUE_STRINGS`` / ``FALSE_STRINGS`` in any case.

    >>> parse_bool("on"), parse_bool(False), parse_bool(None)
    (True, False, False)
    >>> parse_bool("maybe")
    Traceback (most recent call last):
    ...
    algorithms.spec_values.BadValue: must be true or false, got 'maybe'
    """
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in TRUE_STRINGS | FALSE_STRINGS:
        return value.strip().lower() in TRUE_STRINGS
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    raise BadValue(f"must be true or false, got {_show(value)}")


def parse_number(value: Any, *, whole: bool = False) -> int | float:
    """A finite number (an int when ``whole``), from a JSON number or a form string.

    >>> parse_number("0.5"), parse_number("8", whole=True), parse_number(8.0, whole=True)
    (0.5, 8, 8)
    >>> parse_number(10**400)
    Traceback (most recent call last):
    ...
    algorithms.spec_values.BadValue: is too large: use a number between -1e308 and 1e308
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadValue(f"must be a number, got {_show(value)}")
    try:
        number = float(value.strip() if isinstance(value, str) else value)
    except OverflowError:  # an int too large for a float, e.g. 10**400 in a JSON body
        raise BadValue("is too large: use a number between -1e308 and 1e308") from None
    except ValueError:
        raise BadValue(f"must be a number, got {_show(value)}") from None
    if math.isnan(number):
        raise BadValue(f"must be a finite number, got {_show(value)}")
    if math.isinf(number):
        if isinstance(value, str) and "inf" not in value.lower():
            raise BadValue("is too large: use a number between -1e308 and 1e308")
        raise BadValue(f"must be a finite number, got {_show(value)}")
    if not whole:
        return number
    if not number.is_integer():
        raise BadValue(f"must be a whole number, got {_show(value)}")
    # An int typed as such keeps its exact value: float() would round 2**53 + 1.
    exact = value if isinstance(value, int) else int(number)
    if isinstance(value, str) and value.strip().lstrip("+-").isdigit() and value.isascii():
        exact = int(value.strip())
    return exact


def parse_seed(value: Any) -> int:
    """A random seed: a whole number from 0 to 2**32 - 1.

    >>> parse_seed("7")
    7
    >>> parse_seed(2**53 + 1)
    Traceback (most recent call last):
    ...
    algorithms.spec_values.BadValue: must be between 0 and 4294967295, got 9007199254740993
    """
    seed = int(parse_number(value, whole=True))
    if not 0 <= seed <= MAX_SEED:
        raise BadValue(f"must be between 0 and {MAX_SEED}, got {_show(seed)}")
    return seed


def parse_id(value: Any) -> int | None:
    """A database id written as digits (ASCII only: ``"²".isdigit()`` is true), else None.

    >>> parse_id("12"), parse_id("²"), parse_id(True), parse_id("9" * 30)
    (12, None, None, None)
    """
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        number = int(value.strip())
    else:
        return None
    return number if 0 < number <= MAX_ID else None


def is_blank(value: Any) -> bool:
    """True for None and for a string of whitespace: the input was left empty."""
    return value is None or (isinstance(value, str) and not value.strip())
