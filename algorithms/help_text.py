"""Reading a script's options from the help it printed (argparse's and click's formats).

The fallback reader: argparse's own options are read from the parser itself
(``algorithms.help_actions``) whenever the run could capture them; this reads what was
printed, for click (which prints every type and, under the run's shim, every default)
and for a parser that could not be captured. Boolean toggles (click's ``--x/--no-x``,
argparse's ``BooleanOptionalAction``) become flags: a toggle that is on by default is read
as its off switch (``no-x``, default false).

Plain argparse prints nothing but the metavar for an option without help text
(``--epochs EPOCHS``). An option whose help states no type gets one guessed, in this
order, from the default shown, a value shown in the metavar's place or in the usage line
(``--lr 0.01``), a metavar that names a type (``N``, ``FLOAT``), numeric choices, and then
the option's name (``type_from_name``); ``ScriptOptions.guessed`` records from what, so
the table says which rows to check.

Nothing here touches the ORM or Django.
"""

from __future__ import annotations

import re
from typing import Any

from algorithms.script_options import (
    ScriptOptions,
    as_bool,
    common_type,
    flag_row,
    new_row,
    off_switch,
    type_from_name,
    typed,
)

_ENTRY = re.compile(r"^ {1,8}(-{1,2}[A-Za-z0-9][^ ]*(?:,? ?[^ ]+)*?)(?: {2,}(.*))?$")
_CLICK_TYPES = {
    "INTEGER": "int", "INT": "int", "FLOAT": "float", "TEXT": "str", "BOOLEAN": "bool",
    "PATH": "str", "FILENAME": "str", "FILE": "str", "DIRECTORY": "str",
}
_DEFAULT = re.compile(r"[\[(]default:\s*(.*?)[\])]\s*$|[\[(]default:\s*([^\])]*)[\])]")
_TYPE = re.compile(r"\s*\[type: (int|float)\]")  # added by the run's shim
# Metavars that hint at a type (argparse's docs write ``N`` for a count), docopt's ``<n>``
# too; click's type words (``INTEGER``, ``FLOAT``) above state it.
_METAVAR_TYPES = {
    "N": "int", "NUM": "int", "COUNT": "int", "REAL": "float", "NUMBER": "float", "BOOL": "bool",
}


def parse_help(text: str) -> ScriptOptions:
    """Hyperparameter rows from argparse's or click's ``--help`` output.

    >>> options = parse_help('''usage: t.py [-h] [--lr LR] --epochs EPOCHS
    ...
    ... options:
    ...   -h, --help       show this help message and exit
    ...   --lr LR          learning rate (default: 0.01)
    ...   --epochs EPOCHS  passes over the data
    ... ''')
    >>> [(r["name"], r["type"], r["default"], r["required"]) for r in options.hyperparameters]
    [('lr', 'float', 0.01, False), ('epochs', 'int', None, True)]
    >>> options.guessed["epochs"]
    "from the option's name"
    """
    options = ScriptOptions(source="help text")
    usage = _usage(text)
    for head, description in _entries(text):
        found = _row(head, description, usage)
        if found is not None:
            row, known, guess = found
            options.add(row, known, guess=guess)
    return options


def _usage(text: str) -> str:
    """The usage paragraph (argparse: ``usage:``, click: ``Usage:``)."""
    match = re.search(r"^usage:(.*?)(?:\n\s*\n|\Z)", text, re.IGNORECASE | re.MULTILINE | re.DOTALL)
    return match.group(1) if match else ""


def _entries(text: str) -> list[tuple[str, str]]:
    """(option head, description) per option, joining wrapped description lines."""
    entries: list[tuple[str, str]] = []
    for line in text.splitlines():
        match = _ENTRY.match(line)
        if match:
            entries.append((match.group(1).strip(), (match.group(2) or "").strip()))
        elif entries and line.startswith("   ") and line.strip():
            head, description = entries[-1]
            entries[-1] = (head, f"{description} {line.strip()}".strip())
    return entries


def _row(
    head: str, description: str, usage: str
) -> tuple[dict[str, Any], set[str], str] | None:
    """The row of one help entry, the columns it states and what its type was guessed from
    ("" when stated); None for --help/--version."""
    long_names = re.findall(r"--([A-Za-z0-9][\w.-]*)", head)
    if not long_names or long_names[0] in ("help", "version"):
        return None
    name = long_names[0]
    after = re.sub(r"^.*?--" + re.escape(name), "", head, count=1).strip().lstrip("=")
    is_toggle = len(long_names) > 1 and (f"--no-{name}" in head or after.startswith("/"))
    metavar = "" if is_toggle else after
    shown_type = _TYPE.search(description)
    description = _TYPE.sub("", description)
    default, description = _split_default(description)
    required = "[required]" in description or _required_in_usage(name, usage)
    row = new_row(name, description.replace("[required]", ""), required=required)
    known = {"required"} | ({"default"} if default is not None else set())
    if not metavar:  # store_true/false, click flags and --x/--no-x toggles: bare flags
        flag_row(row)
        known |= {"type", "default"}
        if is_toggle and _toggle_on(default, long_names):
            return off_switch(row, on=name, off=long_names[1]), known, ""
        return row, known, ""
    choices = _choices(metavar)
    stated = _stated_type(metavar, shown_type)
    guess = ""
    if choices:
        row["type"] = stated or common_type(choices)
        row["choices"] = [typed(c, row["type"]) for c in choices]
        known.add("choices")
        if row["type"] != "str" and not stated:
            guess = "from its choices"
    elif stated:
        row["type"] = stated
    else:
        row["type"], guess = _guess_type(name, metavar, default, usage)
    if stated:
        known.add("type")
    if default is not None and default not in ("", "None"):
        row["default"] = typed(default, row["type"]) if row["type"] != "bool" else as_bool(default)
    return row, known, guess


def _stated_type(metavar: str, shown_type: re.Match[str] | None) -> str:
    """The type the help states: click's type word, or the shim's ``[type: int]``."""
    word = _CLICK_TYPES.get(metavar.split()[0].upper(), "") if metavar.split() else ""
    return word or (shown_type.group(1) if shown_type else "")


def _guess_type(name: str, metavar: str, default: str | None, usage: str) -> tuple[str, str]:
    """(type, what it was guessed from) for an option whose help states no type: the
    default shown, a value shown in its place, a metavar that names a type (``N``,
    ``FLOAT``), then the option's name; text when nothing says more."""
    if default is not None and default not in ("", "None"):
        return _type_of_text(default), f"from the default {default} --help shows"
    shown = _literal(metavar) or _usage_value(name, usage)
    if shown:
        return _type_of_text(shown), f"from the value {shown} --help shows for it"
    word = _METAVAR_TYPES.get(metavar.strip("<>").upper(), "")
    if word:
        return word, f"from its metavar {metavar}"
    by_name = type_from_name(name)
    if by_name:
        return by_name, "from the option's name"
    return "str", "with nothing in --help to go on"


def _type_of_text(value: str) -> str:
    """bool for a default written ``True``/``False``, else int, float or str."""
    return "bool" if value.lower() in ("true", "false") else common_type([value])


def _literal(text: str) -> str:
    """``text`` when it is a number or ``true``/``false``, else ""."""
    text = text.strip()
    return text if text and (_type_of_text(text) != "str") else ""


def _usage_value(name: str, usage: str) -> str:
    """A value the usage line writes for the option (``[--lr=0.01]``, ``[--lr 0.01]``)."""
    match = re.search(r"--" + re.escape(name) + r"(?:=| +)([^\s\]|]+)", usage)
    return _literal(match.group(1)) if match else ""


def _toggle_on(shown: str | None, names: list[str]) -> bool:
    """Whether a toggle is on by default: ``(default: True)`` (argparse), or the side click
    shows (``[default: shuffle]`` on, ``[default: no-shuffle]`` off); not shown is off."""
    if shown is None:
        return False
    if shown.lower() in (n.lower() for n in names):
        return shown.lower() == names[0].lower()
    return as_bool(shown)


def _split_default(description: str) -> tuple[str | None, str]:
    match = _DEFAULT.search(description)
    if not match:
        return None, description
    value = (match.group(1) if match.group(1) is not None else match.group(2)).strip()
    return value.strip("'\""), (description[: match.start()] + description[match.end() :]).strip()


def _choices(metavar: str) -> list[str]:
    match = re.fullmatch(r"\{(.+)\}|\[(.+\|.+)\]", metavar.strip())
    if not match:
        return []
    body = match.group(1) or match.group(2)
    return [c.strip() for c in re.split(r"[,|]", body) if c.strip()]


def _required_in_usage(name: str, usage: str) -> bool:
    """An option written in the usage line outside brackets is required (argparse)."""
    at = re.search(r"--" + re.escape(name) + r"(?![\w.-])", usage)
    if at is None:
        return False
    prefix = usage[: at.start()]
    return prefix.count("[") == prefix.count("]")
