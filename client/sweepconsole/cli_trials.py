"""``sweep trials``: show a trial, print or follow its log, stop it, list or download its
outputs."""

from __future__ import annotations

import time
from pathlib import Path

import click

from sweepconsole.cli_common import console_of, err, json_option, print_json
from sweepconsole.cli_output import trial_lines
from sweepconsole.errors import ConsoleError
from sweepconsole.trials import TRIAL_FINISHED

__all__ = ["trials"]


@click.group()
def trials() -> None:
    """Trials: one run of the script with one set of values."""


@trials.command("show")
@click.argument("trial_id", type=int)
@json_option
@click.pass_context
def trials_show(ctx: click.Context, trial_id: int, as_json: bool) -> None:
    """Show a trial: status, values, command line, curve."""
    trial = console_of(ctx).get_trial(trial_id)
    if as_json:
        print_json(trial.data)
        return
    for line in trial_lines(trial):
        click.echo(line)


@trials.command("logs")
@click.argument("trial_id", type=int)
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines until it ends.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between polls.")
@click.pass_context
def trials_logs(ctx: click.Context, trial_id: int, follow: bool, interval: float) -> None:
    """Print the end of a trial's log (its last lines)."""
    trial = console_of(ctx).get_trial(trial_id)
    tail = str(trial.data.get("log_tail") or "").rstrip("\n")
    if tail:
        click.echo(tail)
    seen = int(trial.data.get("log_lines") or 0)
    while follow and trial.status not in TRIAL_FINISHED:
        time.sleep(interval)
        trial.refresh()
        lines = int(trial.data.get("log_lines") or 0)
        fresh = lines - seen
        if fresh > 0:
            tail_lines = str(trial.data.get("log_tail") or "").rstrip("\n").split("\n")
            click.echo("\n".join(tail_lines[-fresh:]))
        seen = max(seen, lines)
    if follow:
        if trial.status in ("failed", "lost"):
            # Exit code 1: a script following a trial learns it did not end well.
            reason = str(trial.data.get("status_reason") or "")
            raise ConsoleError(
                f"Trial {trial.id} ended {trial.status}" + (f": {reason}" if reason else ".")
            )
        err.print(f"trial {trial.id} {trial.status}", markup=False)


@trials.command("stop")
@click.argument("trial_id", type=int)
@click.pass_context
def trials_stop(ctx: click.Context, trial_id: int) -> None:
    """Stop a running trial early."""
    trial = console_of(ctx).get_trial(trial_id).stop()
    click.echo(f"Trial {trial.id}: stop requested ({trial.status}).")


@trials.command("outputs")
@click.argument("trial_id", type=int)
@click.option(
    "--download",
    "download_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Download every output file into this folder.",
)
@json_option
@click.pass_context
def trials_outputs(
    ctx: click.Context, trial_id: int, download_dir: Path | None, as_json: bool
) -> None:
    """List a trial's output files, or download them."""
    trial = console_of(ctx).get_trial(trial_id)
    if download_dir is not None:
        files = trial.download_outputs(download_dir)
        if as_json:
            print_json([str(p) for p in files])
        else:
            click.echo(f"{len(files)} file(s) written to {download_dir}")
        return
    items = trial.outputs()
    if as_json:
        print_json(items)
        return
    if not items:
        click.echo(f"Trial {trial.id} has no output files.")
    for item in items:
        click.echo(f"{item.get('size', ''):>12}  {item.get('path') or item.get('name')}")
