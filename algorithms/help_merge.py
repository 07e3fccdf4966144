"""Filling an algorithm's hyperparameter table from its script's ``--help``, by merging.

The table the user has (saved, or as typed on the page) is the starting point. Every row
keeps its values unless the script contradicts them:

* a type: only a type the script states (``type=int``, a flag, typed choices) replaces
  the row's, and only when the row's cannot pass (an int row suits a float option; a
  string option takes any value a trial passes, so it never overrides a number);
* an enumeration: the script's replaces the row's unless the row's is a subset of it
  (a narrowed search); a range is removed when the script takes only an enumeration;
* after a type change, what the new type cannot hold: a range of a str or bool row,
  fractions in an int row's range or enumeration;
* a default the row cannot hold any more is replaced by the script's; an empty default
  and an empty description are filled from the help; a required option is marked so.

Options the table lacks are added at its end; an added row whose type the help does not
state but a reader guessed (``ScriptOptions.guessed``) says so in its description, for the
user to check before saving. Rows the help does not list are kept and named. The report
says what was added, updated (and how), kept, and which options of the script are not
rows and why. Rows here are the page's: every value a string.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from algorithms.script_options import MAX_DESCRIPTION, LeftOut, ScriptOptions
from algorithms.spec_display import display_row, display_value
from algorithms.spec_values import FALSE_STRINGS, TRUE_STRINGS, BadValue, parse_number

_NUMERIC = ("float", "int")


@dataclass
class MergeReport:
    """What filling the table from ``--help`` did, row by row."""

    added: list[str] = field(default_factory=list)
    updated: list[tuple[str, list[str]]] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    not_in_help: list[str] = field(default_factory=list)
    left_out: list[LeftOut] = field(default_factory=list)
    settings: list[str] = field(default_factory=list)
    source: str = ""
    guessed: list[str] = field(default_factory=list)  # added rows whose type was guessed

    def status(self) -> dict[str, str]:
        """Row name -> ``added`` or ``updated``, for marking the rows on the page."""
        marks = {name: "added" for name in self.added}
        marks.update({name: "updated" for name, _ in self.updated})
        return marks


def merge_from_help(raw: dict[str, Any], options: ScriptOptions) -> MergeReport:
    """Merge the help's rows and settings into the page's ``raw`` values, in place.

    >>> raw = {"hyperparameters": [{"name": "epochs", "type": "int", "default": "30",
    ...        "min": "5", "max": "100", "choices": "", "required": False,
    ...        "description": ""}], "bool_style": "true_false", "accepts_data_urls": False}
    >>> from algorithms.help_actions import options_from_actions
    >>> report = merge_from_help(raw, options_from_actions({"parser": "argparse", "options": [
    ...     {"flags": ["--epochs"], "type": "int", "default": 30, "help": "passes"},
    ...     {"flags": ["--seed"], "type": "int", "default": 0}]}))
    >>> report.added, report.updated, raw["hyperparameters"][0]["max"]
    (['seed'], [('epochs', ['description from --help'])], '100')
    """
    rows: list[dict[str, Any]] = raw["hyperparameters"]
    by_name = {str(row["name"]).strip(): row for row in rows}
    report = MergeReport(left_out=list(options.left_out), source=options.source)
    for found in options.hyperparameters:
        name = found["name"]
        row = by_name.get(name)
        if row is None:
            added = display_row(found)
            note = options.guess_note(name)
            if note:
                added["description"] = _noted(added["description"], note)
                report.guessed.append(name)
            rows.append(added)
            report.added.append(name)
            continue
        changes = _merge_row(row, found, options.known.get(name, frozenset()))
        if changes:
            report.updated.append((name, changes))
        else:
            report.unchanged.append(name)
    listed = set(options.names())
    report.not_in_help = [
        str(row["name"]).strip()
        for row in rows
        if str(row["name"]).strip() and str(row["name"]).strip() not in listed
    ]
    report.settings = _merge_settings(raw, options)
    return report


def missing_from_table(rows: list[dict[str, Any]], options: ScriptOptions) -> list[str]:
    """The help's options that have no row in the table, in the help's order."""
    names = {str(row["name"]).strip() for row in rows}
    return [name for name in options.names() if name not in names]


def left_out_by_reason(left_out: list[LeftOut]) -> list[dict[str, Any]]:
    """Options that are not rows, grouped by why: ``[{"reason", "options"}]``."""
    groups: dict[str, list[str]] = {}
    for item in left_out:
        groups.setdefault(item.reason, []).append(item.option)
    return [{"reason": reason, "options": opts} for reason, opts in groups.items()]


# --- one row ---------------------------------------------------------------------------------


def _merge_row(row: dict[str, Any], found: dict[str, Any], known: frozenset[str]) -> list[str]:
    """Merge one help row into the page's row; the changes made, in words."""
    changes: list[str] = []
    retyped = "type" in known and _type_contradicted(row, found)
    if retyped:
        changes.append(f"type {row['type']} → {found['type']} (the script's)")
        row["type"] = found["type"]
    theirs = [display_value(c) for c in found["choices"]]
    if "choices" in known and theirs:
        mine = _items(row["choices"])
        if not mine or not set(mine) <= set(theirs):
            changes.append(
                f"enumeration {', '.join(mine) or 'empty'} → the script's {', '.join(theirs)}"
            )
            row["choices"] = ", ".join(theirs)
        if _text(row["min"]) or _text(row["max"]):
            changes.append("range removed: the script takes only its enumeration")
            row["min"] = row["max"] = ""
    if "range" in known and not _text(row["min"]) and not _text(row["max"]):
        row["min"], row["max"] = display_value(found["min"]), display_value(found["max"])
        changes.append(f"range [{row['min']}, {row['max']}] from --help")
    if retyped:
        changes += _drop_what_the_new_type_cannot_hold(row)
    changes += _merge_default(row, found, known)
    if found["required"] and not row["required"]:
        row["required"] = True
        changes.append("required (the script requires it)")
    if not _text(row["description"]) and found["description"]:
        row["description"] = found["description"]
        changes.append("description from --help")
    return changes


def _type_contradicted(row: dict[str, Any], found: dict[str, Any]) -> bool:
    """Whether the row's type cannot pass what the script's type takes."""
    mine, theirs = row["type"], found["type"]
    if mine == theirs:
        return False
    if theirs == "float":
        return mine != "int"  # whole numbers are floats too: a narrower search is fine
    if theirs == "str":
        # A string option takes any text: only an enumeration can refuse the row's values.
        choices = [display_value(c) for c in found["choices"]]
        return bool(choices) and not all(_holds(c, mine) for c in choices)
    return True


def _drop_what_the_new_type_cannot_hold(row: dict[str, Any]) -> list[str]:
    """After a type change: a range or enumeration the new type cannot hold is removed (a
    row whose type stays keeps its values, for the form to judge)."""
    hp_type = row["type"]
    changes: list[str] = []
    bounds = [_text(row["min"]), _text(row["max"])]
    if any(bounds) and (
        hp_type not in _NUMERIC or not all(_holds(b, hp_type) for b in bounds if b)
    ):
        what = "an int takes whole numbers" if hp_type == "int" else f"a {hp_type} takes none"
        changes.append(f"range [{bounds[0]}, {bounds[1]}] removed: {what}")
        row["min"] = row["max"] = ""
    mine = _items(row["choices"])
    if mine and (hp_type == "bool" or not all(_holds(c, hp_type) for c in mine)):
        changes.append(f"enumeration {', '.join(mine)} removed: not {hp_type} values")
        row["choices"] = ""
    return changes


def _merge_default(row: dict[str, Any], found: dict[str, Any], known: frozenset[str]) -> list[str]:
    mine = _text(row["default"])
    theirs = display_value(found["default"]) if "default" in known else ""
    if mine and _default_fits(mine, row):
        return []
    if mine:
        row["default"] = theirs if theirs and _default_fits(theirs, row) else ""
        replaced = f"the script's {row['default']}" if row["default"] else "empty"
        return [f"default {mine} → {replaced} (it no longer fits the row)"]
    if theirs and _default_fits(theirs, row):
        row["default"] = theirs
        return [f"default {theirs} from --help"]
    return []


def _default_fits(value: str, row: dict[str, Any]) -> bool:
    hp_type = row["type"]
    if not _holds(value, hp_type):
        return False
    choices = _items(row["choices"])
    if choices and hp_type != "bool":
        if hp_type in _NUMERIC:
            return any(_number(value) == _number(c) for c in choices)
        return value in choices
    low, high = _number(_text(row["min"])), _number(_text(row["max"]))
    if hp_type in _NUMERIC and low is not None and high is not None:
        number = _number(value)
        return number is not None and low <= number <= high
    return True


# --- settings --------------------------------------------------------------------------------


def _merge_settings(raw: dict[str, Any], options: ScriptOptions) -> list[str]:
    changes: list[str] = []
    if options.has_flags and raw["bool_style"] != "flag":
        raw["bool_style"] = "flag"
        changes.append("Yes/no values: bare --flag (the script has flags that take no value)")
    elif (
        not options.has_flags
        and raw["bool_style"] == "flag"
        and any(r["type"] == "bool" for r in options.hyperparameters)
    ):
        raw["bool_style"] = "true_false"
        changes.append("Yes/no values: true/false (the script's yes/no options take a value)")
    if options.hyperparameters and bool(raw["accepts_data_urls"]) != options.accepts_data_urls:
        raw["accepts_data_urls"] = options.accepts_data_urls
        changes.append(
            "Data locations: on (the script takes --data_url and --train_url)"
            if options.accepts_data_urls
            else "Data locations: off (the script's --help lists no --data_url or --train_url)"
        )
    return changes


# --- small helpers ---------------------------------------------------------------------------


def _noted(description: str, note: str) -> str:
    """The help's description with the guess's note after it (the note alone if none).

    >>> _noted("", "type int guessed from the option's name: check it")
    "Type int guessed from the option's name: check it."
    >>> _noted("passes", "type int guessed from the option's name: check it")
    "passes (type int guessed from the option's name: check it)"
    """
    text = f"{description} ({note})" if description else f"{note[:1].upper()}{note[1:]}."
    return text[:MAX_DESCRIPTION]


def _text(value: Any) -> str:
    return str(value).strip() if value is not None else ""


def _items(text: Any) -> list[str]:
    return [item.strip() for item in _text(text).split(",") if item.strip()]


def _number(text: str, *, whole: bool = False) -> int | float | None:
    try:
        return parse_number(text, whole=whole) if text else None
    except BadValue:
        return None


def _holds(text: str, hp_type: str) -> bool:
    """Whether a value written as ``text`` is one of ``hp_type``'s."""
    if hp_type in _NUMERIC:
        return _number(text, whole=hp_type == "int") is not None
    if hp_type == "bool":
        return text.lower() in (TRUE_STRINGS | FALSE_STRINGS) - {""}
    return True
