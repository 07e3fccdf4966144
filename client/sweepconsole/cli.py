"""The ``sweep`` command line: log in, register algorithms and datasets, submit job files,
watch jobs, harvest the best trial. Every read command takes ``--json`` for scripts.

The command groups live by subject (``cli_algorithms``, ``cli_datasets``, ``cli_jobs``,
``cli_trials``), what they print for people in ``cli_output``; this module is the top
group, the login commands and the entry point.
"""

from __future__ import annotations

import socket
import sys
from typing import Any

import click

from sweepconsole import config
from sweepconsole.cli_algorithms import algorithms
from sweepconsole.cli_common import err
from sweepconsole.cli_datasets import datasets
from sweepconsole.cli_jobs import jobs
from sweepconsole.cli_trials import trials
from sweepconsole.console import Console
from sweepconsole.errors import ConsoleError, SpecError
from sweepconsole.jobfile import JobFileError

__all__ = ["cli", "main"]


class _SweepGroup(click.Group):
    """The top group: a refused request or a bad job file ends the command with its
    message on stderr and exit code 1, never a traceback."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except JobFileError as exc:
            for line in str(exc).splitlines():
                err.print(line, markup=False)
            err.print("Nothing was submitted.", markup=False)
        except (ConsoleError, SpecError) as exc:
            err.print(f"Error: {exc}", markup=False)
        raise click.exceptions.Exit(1)


@click.group(cls=_SweepGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--url", envvar="SWEEP_URL", help="The console's URL (default: your login's).")
@click.option("--token", envvar="SWEEP_TOKEN", help="An API token (default: your login's).")
@click.version_option(package_name="sweepconsole")
@click.pass_context
def cli(ctx: click.Context, url: str | None, token: str | None) -> None:
    """Sweep Console from a terminal: hyperparameter searches without a browser."""
    ctx.ensure_object(dict)
    # ``Console`` is read here, at invocation, so replacing ``sweepconsole.cli.Console``
    # (a console answering from memory, in tests) reaches every command.
    ctx.obj.update(url=url, token=token, connect=Console)


@cli.command()
@click.argument("url")
@click.option("-u", "--username", help="Your user name (asked if not given).")
@click.option(
    "--password-stdin", is_flag=True, help="Read the password from standard input (scripts)."
)
def login(url: str, username: str | None, password_stdin: bool) -> None:
    """Log in to the console at URL and keep a token for the next commands."""
    url = config.normalise_url(url)
    username = username or click.prompt("User name")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True)
    answer = Console.create_token(
        url, str(username), password, name=f"sweep on {socket.gethostname()}"[:64]
    )
    saved = {"url": url, "username": username, "token": answer["token"]}
    if answer.get("id") is not None:
        saved["token_id"] = answer["id"]
    path = config.write_config(saved)
    click.echo(f"Logged in to {url} as {username}; token saved in {path} (mode 0600).")


@cli.command()
def logout() -> None:
    """Revoke the saved token on the console and forget it."""
    saved = config.read_config()
    token, token_id = saved.pop("token", None), saved.pop("token_id", None)
    if token is None:
        click.echo("Not logged in.")
        return
    config.write_config(saved)
    url = saved.get("url")
    if token_id is not None and url:
        try:
            with Console(str(url), str(token)) as console:
                console.session.request("DELETE", f"/api/v1/auth/tokens/{int(token_id)}/")
        except ConsoleError as exc:
            err.print(f"The token was forgotten here but not revoked: {exc}", markup=False)
    click.echo(f"Logged out of {url}.")


cli.add_command(algorithms)
cli.add_command(datasets)
cli.add_command(jobs)
cli.add_command(trials)


def main(argv: list[str] | None = None) -> None:
    """The ``sweep`` executable: ``argv`` defaults to the process's arguments."""
    cli.main(args=argv, prog_name="sweep")
