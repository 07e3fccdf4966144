"""The script checks itself: run the boot file with ``--help``, and read its options.

Run on a worker while the package is validated (never in the web process), in a throwaway
folder, with the algorithm's engine, a timeout and a bare environment (the console's own
variables, its secret key and database address among them, are not passed on):

* an import error or a syntax error (a package such as ``click`` missing from the engine)
  fails the package with the error's last lines, instead of a trial failing later;
* any other answer is fine: a script that takes no ``--help`` simply offers no table.

The boot file runs under a small shim (``_SHIM``) that, when argparse prints the help,
also writes the parser's own options as JSON (``algorithms.help_actions`` reads them):
every option's type, default and choices, with or without help text. It also asks
argparse and click to print every option's default (and argparse an ``int``/``float``
type), so the printed help is the better fallback (``algorithms.help_text``) for click and
for a parser the shim could not capture. :func:`read_options` picks the reader.

Nothing here touches the ORM or Django.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from algorithms.help_actions import options_from_actions
from algorithms.help_text import parse_help
from algorithms.script_options import ScriptOptions

HELP_TIMEOUT_S = 30.0
MAX_HELP_CHARS = 64 * 1024
MAX_CAPTURE_BYTES = 1024 * 1024
# What an engine missing a package, or a script that does not compile, prints last.
_FATAL = re.compile(
    r"^(?:ModuleNotFoundError|ImportError|SyntaxError|IndentationError|TabError)\b.*$",
    re.MULTILINE,
)
# Runs ``python -c _SHIM capture_file boot_file --help`` as ``python boot_file --help``
# would (the script as ``__main__``, its folder first on the path). When an argparse parser
# prints its help, its actions are written to ``capture_file`` (the first parser to do so
# wins); argparse and click are also made to show each option's default, and argparse
# its int/float type as ``[type: int]``, an option without help text included. A shim that
# cannot patch (an old library, neither installed) leaves the help as the script has it.
# Written for any Python 3 an engine runs.
_SHIM = r"""
import os, runpy, sys
_capture = sys.argv.pop(1)
try:
    import argparse, json

    def _scalar(value):
        if value is None or isinstance(value, (bool, int, str)):
            return value
        if isinstance(value, float):
            return value if value == value and abs(value) != float("inf") else repr(value)
        return str(value)

    _KINDS = (("_HelpAction", "help"), ("_VersionAction", "version"),
              ("_StoreTrueAction", "store_true"), ("_StoreFalseAction", "store_false"),
              ("BooleanOptionalAction", "boolean_optional"),
              ("_StoreConstAction", "store_const"), ("_AppendConstAction", "append_const"),
              ("_CountAction", "count"), ("_SubParsersAction", "subcommands"),
              ("_AppendAction", "append"))

    def _kind(action):
        for name, kind in _KINDS:
            cls = getattr(argparse, name, None)
            if cls is not None and isinstance(action, cls):
                return kind
        return "store_const" if action.nargs == 0 else "store"

    def _choices(action):
        choices = action.choices
        if choices is None or isinstance(choices, dict):
            return None
        if isinstance(choices, range) and len(choices) > 1000:
            return {"range": [choices.start, choices[-1], choices.step]} if choices else None
        values = list(choices)
        return [_scalar(v) for v in values] if len(values) <= 1000 else None

    def _help(parser, action):
        text = action.help
        if not isinstance(text, str) or text == argparse.SUPPRESS:
            return ""
        try:
            params = dict(vars(action), prog=parser.prog)
            for key in list(params):
                if params[key] is argparse.SUPPRESS:
                    del params[key]
                elif hasattr(params[key], "__name__"):
                    params[key] = params[key].__name__
            if params.get("choices") is not None:
                params["choices"] = ", ".join([str(c) for c in params["choices"]])
            return text % params
        except Exception:
            return text

    def _describe(parser, action):
        kind = action.type
        return {
            "flags": list(action.option_strings), "dest": str(action.dest), "kind": _kind(action),
            "type": None if kind is None else getattr(kind, "__name__", type(kind).__name__),
            "default": None if action.default is argparse.SUPPRESS
            else [_scalar(v) for v in action.default]
            if isinstance(action.default, (list, tuple)) else _scalar(action.default),
            "choices": _choices(action), "required": bool(action.required),
            "help": _help(parser, action), "suppressed": action.help == argparse.SUPPRESS,
            "nargs": action.nargs if action.nargs is None or isinstance(action.nargs, int)
            else str(action.nargs),
        }

    _print_help = argparse.ArgumentParser.print_help
    def print_help(self, file=None):
        try:
            if not os.path.exists(_capture):
                text = json.dumps({"parser": "argparse",
                                   "options": [_describe(self, a) for a in self._actions]})
                with open(_capture, "w") as out:
                    out.write(text)
        except Exception:
            pass
        return _print_help(self, file)
    argparse.ArgumentParser.print_help = print_help

    _with_defaults = argparse.ArgumentDefaultsHelpFormatter._get_help_string
    def _get_help_string(self, action):
        text = _with_defaults(self, action) or ""
        kind = getattr(action.type, "__name__", "")
        if action.option_strings and kind in ("int", "float"):
            text += " [type: " + kind + "]"
        return text
    argparse.HelpFormatter._get_help_string = _get_help_string
    argparse.ArgumentDefaultsHelpFormatter._get_help_string = _get_help_string

    # argparse expands a help string only for an option that has one: without this, an
    # option with no help text showed neither its default nor its type.
    import copy
    _format_action = argparse.HelpFormatter._format_action
    def _format_action_shown(self, action):
        if action.option_strings and action.help is None \
                and action.default is not argparse.SUPPRESS:
            action = copy.copy(action)
            action.help = "(default: %(default)s)"
        return _format_action(self, action)
    argparse.HelpFormatter._format_action = _format_action_shown
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


def read_options(help_text: str, captured: Any) -> ScriptOptions:
    """The options of a checked script: from its captured argparse parser when there is
    one, else from the help it printed.

    >>> read_options("", {}).hyperparameters
    []
    """
    return options_from_actions(captured) or parse_help(help_text)


@dataclass(frozen=True)
class HelpResult:
    """What ``python boot_file --help`` printed, and why the package is refused ("" if not).

    ``captured`` is the argparse parser's options as the shim wrote them (``{}`` when the
    script has no argparse parser, or the shim could not capture it).
    """

    output: str
    refused: str = ""
    timed_out: bool = False
    captured: dict[str, Any] = field(default_factory=dict)


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
        capture = Path(home) / ".sweep-help-options.json"
        try:
            done = subprocess.run(
                [python, "-c", _SHIM, str(capture), boot_file, "--help"],
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
        captured = _read_capture(capture) if done.returncode == 0 else {}
    out, err = _text(done.stdout), _text(done.stderr)
    fatal = _FATAL.findall(err) if done.returncode != 0 else []
    if fatal:
        return HelpResult(
            (out + err)[:MAX_HELP_CHARS],
            refused=f"Running {boot_file} --help failed: {fatal[-1].strip()[:500]}",
        )
    if done.returncode != 0:
        return HelpResult("")
    return HelpResult(out[:MAX_HELP_CHARS], captured=captured)


def _read_capture(path: Path) -> dict[str, Any]:
    """The shim's JSON, or ``{}`` when it wrote none or something unreadable."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_CAPTURE_BYTES + 1)
    except OSError:
        return {}
    if len(data) > MAX_CAPTURE_BYTES:
        return {}
    try:
        found = json.loads(data)
    except ValueError:
        return {}
    return found if isinstance(found, dict) and options_from_actions(found) else {}


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data


