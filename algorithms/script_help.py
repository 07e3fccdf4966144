"""The script checks itself: run the boot file with ``--help``, and read its options.

Run on a worker while the package is validated (never in the web process), in a throwaway
folder, with the algorithm's engine, a timeout and a bare environment (the console's own
variables, its secret key and database address among them, are not passed on):

* an import error or a syntax error (a package such as ``click`` missing from the engine)
  fails the package with the error's last lines, instead of a trial failing later;
* any other answer is fine: a script that takes no ``--help`` simply offers no table.

:func:`parse_help` reads argparse's and click's help formats into hyperparameter rows
(name, type, default, choices, required, description) for the user to review. The boot
file runs under a small shim (``_SHIM``) that asks argparse and click to print every
option's default (and argparse an ``int``/``float`` type), so the table is right for
scripts whose help does not show them. Boolean toggles (click's ``--x/--no-x``,
argparse's ``BooleanOptionalAction``) become flags: a toggle that is on by default is read
as its off switch (``no-x``, default false), because a trial passes a bool as a bare flag
when true and nothing when false (``bool_style`` "flag").

Nothing here touches the ORM or Django.
"""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HELP_TIMEOUT_S = 30.0
MAX_HELP_CHARS = 64 * 1024
# What an engine missing a package, or a script that does not compile, prints last.
_FATAL = re.compile(
    r"^(?:ModuleNotFoundError|ImportError|SyntaxError|IndentationError|TabError)\b.*$",
    re.MULTILINE,
)
# Options the console passes itself; they are not hyperparameters.
DATA_OPTIONS = ("data_url", "train_url")
# Runs ``python -c _SHIM boot_file --help`` as ``python boot_file --help`` would (the
# script as ``__main__``, its folder first on the path) after making argparse and click
# show each option's default, and argparse its int/float type as ``[type: int]``. A shim
# that cannot patch (an old library, neither installed) leaves the help as the script has it.
_SHIM = """
import os, runpy, sys
try:
    import argparse
    _with_defaults = argparse.ArgumentDefaultsHelpFormatter._get_help_string
    def _get_help_string(self, action):
        text = _with_defaults(self, action) or ""
        kind = getattr(action.type, "__name__", "")
        if action.option_strings and kind in ("int", "float"):
            text += " [type: " + kind + "]"
        return text
    argparse.HelpFormatter._get_help_string = _get_help_string
    argparse.ArgumentDefaultsHelpFormatter._get_help_string = _get_help_string
except Exception:
    pass
try:
    import click
    _init = click.Context.__init__
    def _context_init(self, *args, **kwargs):
        _init(self, *args, **kwargs)
        if self.show_default is None:
            self.show_default = True
    click.Context.__init__ = _context_init
except Exception:
    pass
boot = sys.argv[1]
sys.argv = sys.argv[1:]
sys.path[0] = os.path.dirname(os.path.abspath(boot))
runpy.run_path(boot, run_name="__main__")
"""


@dataclass(frozen=True)
class HelpResult:
    """What ``python boot_file --help`` printed, and why the package is refused ("" if not)."""

    output: str
    refused: str = ""
    timed_out: bool = False


def run_help(
    python: str, folder: Path, boot_file: str, timeout: float = HELP_TIMEOUT_S
) -> HelpResult:
    """Run ``python boot_file --help`` in ``folder`` and judge its answer."""
    with tempfile.TemporaryDirectory(prefix="sweep-help-") as home:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": home,
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            "PYTHONUNBUFFERED": "1",
            "MPLBACKEND": "Agg",
            "COLUMNS": "100",  # argparse and click wrap help to the terminal's width
        }
        try:
            done = subprocess.run(
                [python, "-c", _SHIM, boot_file, "--help"],
                cwd=folder,
                env=env,
                stdin=subprocess.DEVNULL,
                capture_output=True,
                timeout=timeout,
                start_new_session=True,
            )
        except subprocess.TimeoutExpired as exc:
            text = _text(exc.stdout) + _text(exc.stderr)
            return HelpResult(text[:MAX_HELP_CHARS], timed_out=True)
        except OSError as exc:
            return HelpResult("", refused=f"The engine {python} could not be started ({exc}).")
    out, err = _text(done.stdout), _text(done.stderr)
    fatal = _FATAL.findall(err) if done.returncode != 0 else []
    if fatal:
        return HelpResult(
            (out + err)[:MAX_HELP_CHARS],
            refused=f"Running {boot_file} --help failed: {fatal[-1].strip()[:500]}",
        )
    return HelpResult(out[:MAX_HELP_CHARS] if done.returncode == 0 else "")


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


# --- reading the help ----------------------------------------------------------------------


@dataclass
class ScriptOptions:
    """The hyperparameter rows a script's help describes, and how it takes them."""

    hyperparameters: list[dict[str, Any]] = field(default_factory=list)
    accepts_data_urls: bool = False
    has_flags: bool = False  # argparse store_true / click flags: bool_style "flag"

    def as_dict(self) -> dict[str, Any]:
        return {
            "hyperparameters": self.hyperparameters,
            "accepts_data_urls": self.accepts_data_urls,
            "bool_style": "flag" if self.has_flags else "true_false",
            "argument_style": "equals",
        }


_ENTRY = re.compile(r"^ {1,8}(-{1,2}[A-Za-z0-9][^ ]*(?:,? ?[^ ]+)*?)(?: {2,}(.*))?$")
_CLICK_TYPES = {
    "INTEGER": "int", "INT": "int", "FLOAT": "float", "TEXT": "str", "BOOLEAN": "bool",
    "PATH": "str", "FILENAME": "str", "FILE": "str", "DIRECTORY": "str",
}
_DEFAULT = re.compile(r"[\[(]default:\s*(.*?)[\])]\s*$|[\[(]default:\s*([^\])]*)[\])]")
_TYPE = re.compile(r"\s*\[type: (int|float)\]")  # added by _SHIM


def parse_help(text: str) -> ScriptOptions:
    """Hyperparameter rows from argparse's or click's ``--help`` output.

    >>> rows = parse_help('''usage: t.py [-h] [--lr LR] --epochs EPOCHS
    ...
    ... options:
    ...   -h, --help       show this help message and exit
    ...   --lr LR          learning rate (default: 0.01)
    ...   --epochs EPOCHS  passes over the data
    ... ''').hyperparameters
    >>> [(r["name"], r["type"], r["default"], r["required"]) for r in rows]
    [('lr', 'float', 0.01, False), ('epochs', 'str', None, True)]
    """
    options = ScriptOptions()
    usage = _usage(text)
    for head, description in _entries(text):
        row = _row(head, description, usage)
        if row is None:
            continue
        if row["name"] in DATA_OPTIONS:
            options.accepts_data_urls = True
            continue
        if row.pop("_flag"):
            options.has_flags = True
        if all(r["name"] != row["name"] for r in options.hyperparameters):
            options.hyperparameters.append(row)
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


def _row(head: str, description: str, usage: str) -> dict[str, Any] | None:
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
    description = description.replace("[required]", "").strip()
    row: dict[str, Any] = {
        "name": name, "type": "str", "default": None, "min": None, "max": None,
        "choices": [], "required": required, "description": description[:500], "_flag": False,
    }
    if not metavar:  # store_true/false, click flags and --x/--no-x toggles: bare flags
        # A flag row is true when the trial passes it; by default it is not passed (what
        # a shown default says is the script's value without it: store_false shows True).
        row["type"] = "bool"
        row["_flag"] = True
        row["default"] = False
        if is_toggle and _toggle_on(default, long_names):
            return _off_switch(row, on=name, off=long_names[1])
        return row
    choices = _choices(metavar)
    if choices:
        row["type"] = _common_type(choices)
        row["choices"] = [_typed(c, row["type"]) for c in choices]
    else:
        word = metavar.split()[0].upper()
        row["type"] = (
            _CLICK_TYPES.get(word)
            or (shown_type.group(1) if shown_type else "")
            or (_common_type([default]) if default else "str")
        )
        if row["type"] == "bool":
            row["_flag"] = False
    if default is not None and default not in ("", "None"):
        row["default"] = _typed(default, row["type"]) if row["type"] != "bool" else _bool(default)
    return row


def _toggle_on(shown: str | None, names: list[str]) -> bool:
    """Whether a toggle is on by default: ``(default: True)`` (argparse), or the side click
    shows (``[default: shuffle]`` on, ``[default: no-shuffle]`` off); not shown is off."""
    if shown is None:
        return False
    if shown.lower() in (n.lower() for n in names):
        return shown.lower() == names[0].lower()
    return _bool(shown)


def _off_switch(row: dict[str, Any], *, on: str, off: str) -> dict[str, Any]:
    """A toggle that is on by default, as the flag that turns it off.

    A trial passes a true bool as ``--name`` and a false one as nothing, so a row ``on``
    with default true could never turn the option off; ``off`` (default false) can.
    """
    said = row["description"]
    row["name"] = off
    row["default"] = False
    row["description"] = (
        f"{said} (true passes --{off}; the script's default is --{on})"
        if said
        else f"True passes --{off}; the script's default is --{on}."
    )[:500]
    return row


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


def _common_type(values: list[Any]) -> str:
    if all(re.fullmatch(r"[-+]?\d+", str(v)) for v in values):
        return "int"
    if all(re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", str(v), re.I) for v in values):
        return "float"
    return "str"


def _typed(value: str, hp_type: str) -> Any:
    try:
        return int(value) if hp_type == "int" else float(value) if hp_type == "float" else value
    except ValueError:
        return value


def _bool(value: str) -> bool:
    return value.strip().lower() in ("true", "1", "yes", "on")
