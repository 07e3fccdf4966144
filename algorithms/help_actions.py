"""Reading a script's options from what argparse itself declared.

While ``--help`` runs, the run's shim (``algorithms.script_help``) writes the parser's
actions as JSON: for each, its option strings, kind (``store``, ``store_true``,
``boolean_optional``...), type name, default, choices, ``required``, help and ``nargs``.
Unlike the printed help, that carries every option's type, default and choices whether or
not it has help text (argparse prints a default only beside help text).

The capture comes from the user's script, so every field is read defensively: anything
malformed makes :func:`options_from_actions` answer None, and the caller falls back to the
printed help.

Nothing here touches the ORM or Django.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from algorithms.script_options import (
    LeftOut,
    ScriptOptions,
    flag_row,
    new_row,
    off_switch,
    typed,
)

# Flag kinds: passing the option alone does something; a trial passes a true bool so.
_FLAG_KINDS = frozenset({"store_true", "store_false", "store_const", "append_const", "count"})
# Conversion functions scripts use for yes/no values (``--average=true``).
_BOOL_TYPES = frozenset({"bool", "str2bool", "str_to_bool", "strtobool", "boolean", "parse_bool"})
_MAX_CHOICES = 1000


def options_from_actions(captured: Any) -> ScriptOptions | None:
    """The rows of a captured argparse parser; None when ``captured`` is not one.

    >>> options = options_from_actions({"parser": "argparse", "options": [
    ...     {"flags": ["--epochs"], "kind": "store", "type": "int", "default": 30},
    ...     {"flags": ["--average"], "kind": "store", "type": "str_to_bool", "default": False},
    ...     {"flags": ["--seed"], "kind": "store", "type": "int", "default": 0,
    ...      "help": "==SUPPRESS==", "suppressed": True}]})
    >>> [(r["name"], r["type"], r["default"]) for r in options.hyperparameters]
    [('epochs', 'int', 30), ('average', 'bool', False)]
    >>> options.left_out[0].option, options.left_out[0].reason
    ('--seed', 'hidden from --help (help=SUPPRESS)')
    """
    if not isinstance(captured, Mapping) or captured.get("parser") != "argparse":
        return None
    actions = captured.get("options")
    if not isinstance(actions, list) or not all(isinstance(a, Mapping) for a in actions):
        return None
    options = ScriptOptions(source="argparse")
    for action in actions:
        _read_action(options, action)
    return options


def _read_action(options: ScriptOptions, action: Mapping[str, Any]) -> None:
    kind = _text(action.get("kind")) or "store"
    if kind in ("help", "version"):
        return
    flags = [f for f in action.get("flags") or [] if isinstance(f, str)]
    longs = [f[2:] for f in flags if f.startswith("--") and len(f) > 2]
    shown = flags[0] if flags else _text(action.get("dest")) or "?"
    reason = _left_out_reason(kind, flags, longs, action)
    if reason:
        options.left_out.append(LeftOut(shown[:80], reason))
        return
    name = longs[0]
    row = new_row(name, _text(action.get("help")), required=action.get("required") is True)
    default = action.get("default")
    if kind in _FLAG_KINDS:
        options.add(flag_row(row), {"type", "default", "required"})
        return
    if kind == "boolean_optional":
        off = next((n for n in longs[1:] if n == f"no-{name}"), "")
        flag_row(row)
        row = off_switch(row, on=name, off=off) if default is True and off else row
        options.add(row, {"type", "default", "required"})
        return
    known = {"default", "required"}
    hp_type, stated = _row_type(action, default)
    row["type"] = hp_type
    guess = ""
    if stated:
        known.add("type")
    elif hp_type != "str":
        guess = f"from its default {default} (argparse passes it as text: no type=)"
    _add_choices(row, action.get("choices"), known)
    row["default"] = _default(default, row["type"])
    nargs = action.get("nargs")
    if kind == "append" or nargs in ("+", "*") or (isinstance(nargs, int) and nargs > 1):
        row["default"] = row["default"] if not isinstance(default, (list, tuple)) else None
        row["description"] = f"{row['description']} (takes a list; a trial passes one value)"
    options.add(row, known, guess=guess)


def _left_out_reason(
    kind: str, flags: list[str], longs: list[str], action: Mapping[str, Any]
) -> str:
    """Why an action is not a row ("" when it is one)."""
    if kind == "subcommands":
        return "a subcommand: a trial runs the script with options only"
    if action.get("suppressed") is True:
        return "hidden from --help (help=SUPPRESS)"
    if not flags:
        return "a positional argument: a trial passes options only (--name=value)"
    if not longs:
        return "a short option only: a trial passes long options (--name=value)"
    return ""


def _row_type(action: Mapping[str, Any], default: Any) -> tuple[str, bool]:
    """The row's type, and whether the script states it (``type=int``) or it is a guess."""
    name = _text(action.get("type"))
    if name in ("int", "float"):
        return name, True
    if name.lower() in _BOOL_TYPES or (name and isinstance(default, bool)):
        return "bool", True  # a conversion function that takes a value: --average=true
    choices = action.get("choices")
    if isinstance(choices, list) and choices:
        found = _type_of_values(choices)
        if found:
            return found, True
    if isinstance(choices, Mapping):  # a range too long to list: whole numbers
        return "int", True
    # argparse passes strings (type=None, str, Path...): a default's type is only a guess.
    guessed = _type_of_values([default]) if default is not None else ""
    return guessed if guessed in ("int", "float") else "str", False


def _type_of_values(values: list[Any]) -> str:
    """int, float, bool or str when every value is one (ints count as floats)."""
    if all(isinstance(v, bool) for v in values):
        return "bool"
    if any(isinstance(v, bool) for v in values):
        return ""
    if all(isinstance(v, int) for v in values):
        return "int"
    if all(isinstance(v, (int, float)) for v in values):
        return "float"
    if all(isinstance(v, str) for v in values):
        return "str"
    return ""


def _add_choices(row: dict[str, Any], choices: Any, known: set[str]) -> None:
    """An enumeration, or a long ``range(...)`` of choices as a min/max range."""
    if isinstance(choices, Mapping):
        bounds = choices.get("range")
        if (
            isinstance(bounds, list)
            and len(bounds) == 3
            and all(isinstance(b, int) and not isinstance(b, bool) for b in bounds)
            and bounds[2] == 1
        ):
            row["min"], row["max"] = bounds[0], bounds[1]
            known.add("range")
        return
    if not isinstance(choices, list) or not choices or len(choices) > _MAX_CHOICES:
        return
    if row["type"] == "bool":
        return  # a bool row takes no enumeration: true and false are its values
    row["choices"] = [typed(c, row["type"]) if isinstance(c, str) else c for c in choices]
    known.add("choices")


def _default(value: Any, hp_type: str) -> Any:
    """The script's default as the row's type (argparse converts a string default with
    ``type``); None when there is none or it is not a single value."""
    if value is None or isinstance(value, (list, tuple, dict)):
        return None
    if hp_type == "bool":
        return value if isinstance(value, bool) else typed(str(value), "bool")
    if isinstance(value, str):
        return typed(value, hp_type)
    if hp_type == "str" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
