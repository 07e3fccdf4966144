"""What every ``sweep`` command shares: the connection of the invocation, the ``--json``
option, JSON printing and JSON arguments, and the two terminals (stdout for results,
stderr for progress and errors)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console as RichConsole
from rich.console import ConsoleDimensions

from sweepconsole.console import Console

__all__ = [
    "ResultConsole",
    "console_of",
    "err",
    "json_option",
    "load_json_arg",
    "out",
    "print_json",
]

F = TypeVar("F", bound=Callable[..., Any])

# Piped or redirected, stdout has no width to fit: a table is printed whole, no cell cut
# ("carol-sg…") or wrapped, for grep, cut and files. Far wider than any table.
PIPED_WIDTH = 100_000


class ResultConsole(RichConsole):
    """The console of stdout: a terminal's width at a terminal; wide enough for any table
    when not a terminal (``COLUMNS`` is a terminal's width, so it is not used then)."""

    @property
    def size(self) -> ConsoleDimensions:
        size = super().size
        if self.is_terminal or self._width is not None:
            return size
        return ConsoleDimensions(PIPED_WIDTH, size.height)

    @size.setter
    def size(self, new_size: tuple[int, int]) -> None:
        self._width, self._height = new_size


out = ResultConsole(highlight=False, soft_wrap=True)
err = RichConsole(stderr=True, highlight=False, soft_wrap=True)


def console_of(ctx: click.Context) -> Console:
    """The invocation's ``Console``, made on first use from the top group's ``--url`` and
    ``--token`` by the ``connect`` callable it stored, and closed when the command ends."""
    obj = ctx.find_object(dict)
    assert obj is not None
    if "console" not in obj:
        obj["console"] = obj["connect"](obj.get("url"), obj.get("token"))
        ctx.call_on_close(obj["console"].close)
    console: Console = obj["console"]
    return console


def json_option(fn: F) -> F:
    """The ``--json`` flag of every read command (``as_json``)."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(fn)


def print_json(data: Any) -> None:
    """``data`` as indented JSON on stdout (values JSON lacks, such as paths, as text)."""
    click.echo(json.dumps(data, indent=2, default=str))


def load_json_arg(name: str, value: str | None) -> Any:
    """A JSON option given inline or as @file; ``click.BadParameter`` naming the option."""
    if value is None:
        return None
    try:
        text = Path(value[1:]).read_text(encoding="utf-8") if value.startswith("@") else value
    except OSError as exc:
        raise click.BadParameter(
            f"cannot read {value[1:]}: {exc.strerror}", param_hint=name
        ) from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise click.BadParameter(f"not valid JSON ({exc})", param_hint=name) from None
