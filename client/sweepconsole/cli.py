"""The ``sweep`` command line: log in, register algorithms, submit job files, watch jobs,
harvest the best trial. Every read command takes ``--json`` for scripts."""

from __future__ import annotations

import json
import socket
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

import click
from rich.console import Console as RichConsole
from rich.table import Table
from rich.text import Text

from sweepconsole import config
from sweepconsole.console import Console
from sweepconsole.errors import ConsoleError, SpecError
from sweepconsole.jobfile import JobFileError, dump_document, job_to_document, load_job_file
from sweepconsole.progress import format_value, summary, watch
from sweepconsole.resources import TRIAL_FINISHED, Algorithm, Job, Trial

F = TypeVar("F", bound=Callable[..., Any])

out = RichConsole(highlight=False, soft_wrap=True)
err = RichConsole(stderr=True, highlight=False, soft_wrap=True)


def _add_row(table: Table, *cells: str) -> None:
    # As plain text: a value such as "[eE]" must not be read as rich markup.
    table.add_row(*(Text(cell) for cell in cells))


def _print_json(data: Any) -> None:
    click.echo(json.dumps(data, indent=2, default=str))


def _console(ctx: click.Context) -> Console:
    obj = ctx.find_object(dict)
    assert obj is not None
    if "console" not in obj:
        obj["console"] = Console(obj.get("url"), obj.get("token"))
        ctx.call_on_close(obj["console"].close)
    return obj["console"]  # type: ignore[no-any-return]


def _shows_owners(console: Console, items: Iterable[Algorithm | Job]) -> bool:
    """Whether a list needs an owner column: staff see every user's objects, whose names
    may repeat."""
    return len({item.owner for item in items}) > 1 or console.caller().is_staff


def json_option(fn: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help="Print JSON for scripts.")(fn)


def _load_json_arg(name: str, value: str | None) -> Any:
    """A JSON option given inline or as @file."""
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
    ctx.obj.update(url=url, token=token)


# --------------------------------------------------------------------------- login


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


# --------------------------------------------------------------------------- algorithms


@cli.group()
def algorithms() -> None:
    """Algorithms: a training script with its hyperparameter table and metric."""


@algorithms.command("list")
@click.option("--search", help="Part of the name or description.")
@json_option
@click.pass_context
def algorithms_list(ctx: click.Context, search: str | None, as_json: bool) -> None:
    """List your algorithms."""
    items = _console(ctx).algorithms(search=search)
    if as_json:
        _print_json([a.data for a in items])
        return
    owners = _shows_owners(_console(ctx), items)
    table = Table(
        "id",
        "name",
        *(["owner"] if owners else []),
        "status",
        "metric",
        "search algorithms",
        "created",
    )
    for a in items:
        metric = a.data.get("metric") or {}
        _add_row(
            table,
            str(a.id),
            a.name,
            *([a.owner] if owners else []),
            a.status,
            f"{metric.get('name', '')} ({metric.get('goal', '')})" if metric.get("name") else "",
            ", ".join(s.get("name", "") for s in a.data.get("search_algorithms") or []),
            str(a.data.get("created_at", ""))[:19],
        )
    out.print(table)


@algorithms.command("show")
@click.argument("ref")
@json_option
@click.pass_context
def algorithms_show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show an algorithm (by id or name) and its hyperparameters."""
    algorithm = _console(ctx).get_algorithm(ref)
    if as_json:
        _print_json(algorithm.data)
        return
    data = algorithm.data
    out.print(f"{algorithm.name} (id {algorithm.id}) {algorithm.status}", markup=False)
    if algorithm.owner:
        out.print(f"  owner: {algorithm.owner}", markup=False)
    if data.get("status_reason"):
        out.print(f"  reason: {data['status_reason']}", markup=False)
    out.print(f"  boot file: {data.get('boot_file')}", markup=False)
    metric = data.get("metric") or {}
    if metric.get("name"):
        out.print(
            f"  metric: {metric['name']} ({metric.get('goal')}), regex {metric.get('regex')}",
            markup=False,
        )
    table = Table("hyperparameter", "type", "default", "min", "max", "choices", "required")
    for row in data.get("hyperparameters") or []:
        _add_row(
            table,
            str(row.get("name")),
            str(row.get("type")),
            format_value(row.get("default")),
            format_value(row.get("min")),
            format_value(row.get("max")),
            ", ".join(map(str, row.get("choices") or [])),
            "yes" if row.get("required") else "",
        )
    out.print(table)


@algorithms.command("create")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--name", help="Its name (default: the folder's algorithm.json).")
@click.option("--boot-file", help="The script to run (default: PATH itself for a .py).")
@click.option("--hyperparameters", help='JSON or @file: [{"name", "type", "default", ...}]')
@click.option("--metric", help='JSON or @file: {"name", "goal", "regex"}')
@click.option("--search-algorithms", help='JSON or @file: [{"name": "tpe", "params": {}}]')
@click.option("--description")
@click.option("--engine", help="A named Python interpreter of the console.")
@click.option("--no-wait", is_flag=True, help="Return before the package is checked.")
@json_option
@click.pass_context
def algorithms_create(
    ctx: click.Context,
    path: Path,
    name: str | None,
    boot_file: str | None,
    hyperparameters: str | None,
    metric: str | None,
    search_algorithms: str | None,
    description: str | None,
    engine: str | None,
    no_wait: bool,
    as_json: bool,
) -> None:
    """Upload PATH (a script, an archive or a folder) as a new algorithm."""
    algorithm = _console(ctx).create_algorithm(
        path,
        name=name,
        boot_file=boot_file,
        hyperparameters=_load_json_arg("--hyperparameters", hyperparameters),
        metric=_load_json_arg("--metric", metric),
        search_algorithms=_load_json_arg("--search-algorithms", search_algorithms),
        description=description,
        engine=engine,
        wait=not no_wait,
    )
    if as_json:
        _print_json(algorithm.data)
    else:
        click.echo(f"Algorithm {algorithm.name!r} (id {algorithm.id}) is {algorithm.status}.")


# --------------------------------------------------------------------------- jobs


@cli.group()
def jobs() -> None:
    """Training jobs: searches (or single runs) of an algorithm."""


def _job_arg(ctx: click.Context, job_id: int) -> Job:
    return _console(ctx).get_job(job_id)


@jobs.command("submit")
@click.argument("job_file", type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check the file and print the request only.")
@click.option("--watch", "then_watch", is_flag=True, help="Watch the job until it ends.")
@json_option
@click.pass_context
def jobs_submit(
    ctx: click.Context, job_file: Path, dry_run: bool, then_watch: bool, as_json: bool
) -> None:
    """Check JOB_FILE (YAML) and start the job it describes."""
    parsed = load_job_file(job_file)
    if dry_run:
        _print_json({**parsed.body, "algorithm": parsed.doc.get("algorithm")})
        err.print(f"{job_file}: valid (checked locally; nothing submitted).", markup=False)
        return
    job = parsed.submit(_console(ctx))
    if as_json:
        _print_json(job.data)
    else:
        click.echo(f"Submitted job {job.id} {job.name!r} ({job.status}).")
    if then_watch:
        watch(job, out=err)


@jobs.command("list")
@click.option("--status", help="Only jobs in this status (running, completed ...).")
@click.option("--search", help="Part of the name.")
@json_option
@click.pass_context
def jobs_list(ctx: click.Context, status: str | None, search: str | None, as_json: bool) -> None:
    """List your training jobs."""
    items = _console(ctx).jobs(status=status, search=search)
    if as_json:
        _print_json([j.data for j in items])
        return
    owners = _shows_owners(_console(ctx), items)
    table = Table(
        "id",
        "name",
        *(["owner"] if owners else []),
        "algorithm",
        "status",
        "trials",
        "running",
        "best",
        "created",
    )
    for job in items:
        counts = job.data.get("trial_counts") or {}
        best = job.data.get("best_trial") or {}
        algorithm = str(job.data.get("algorithm_name") or job.data.get("algorithm"))
        if owners and job.data.get("algorithm_name"):
            # Users' algorithms may share a name: the id says which one.
            algorithm = f"{algorithm} (id {job.data.get('algorithm')})"
        _add_row(
            table,
            str(job.id),
            job.name,
            *([job.owner] if owners else []),
            algorithm,
            job.status,
            f"{counts.get('total', 0)}/{job.data.get('max_trials', '')}",
            str(counts.get("running", 0)),
            format_value(best.get("value")),
            str(job.data.get("created_at", ""))[:19],
        )
    out.print(table)


def _algorithm_reference(ctx: click.Context, job: Job) -> int | str | None:
    """The job's algorithm as a job file names it: its name when that resolves back to it
    for this caller, else its id."""
    if job.data.get("algorithm") is None:
        return None
    return _console(ctx).algorithm_reference(
        int(job.data["algorithm"]), str(job.data.get("algorithm_name") or "")
    )


def _trial_table(trials: Iterable[Trial], best_id: int | None) -> Table:
    trials = list(trials)
    names: list[str] = []
    for trial in trials:
        names.extend(n for n in trial.params if n not in names)
    table = Table("#", "id", "status", "value", *names, "algorithm")
    for trial in trials:
        mark = "*" if trial.id == best_id else ""
        _add_row(
            table,
            f"{trial.number}{mark}",
            str(trial.id),
            trial.status,
            format_value(trial.value),
            *(format_value(trial.params.get(n)) for n in names),
            str(trial.data.get("algorithm") or ""),
        )
    return table


@jobs.command("show")
@click.argument("job_id", type=int)
@json_option
@click.option("--as-yaml", is_flag=True, help="Print the job as a job file to submit again.")
@click.pass_context
def jobs_show(ctx: click.Context, job_id: int, as_json: bool, as_yaml: bool) -> None:
    """Show a job: its configuration and its trials."""
    job = _job_arg(ctx, job_id)
    if as_json:
        _print_json({**job.data, "trials": [t.data for t in job.trials()]})
        return
    document = dump_document(job_to_document(job, algorithm=_algorithm_reference(ctx, job)))
    if as_yaml:
        click.echo(document, nl=False)
        return
    out.print(summary(job), markup=False)
    out.print(f"\n# as a job file (sweep jobs show {job.id} --as-yaml)", markup=False)
    out.print(document, markup=False)
    best = (job.data.get("best_trial") or {}).get("id")
    out.print(_trial_table(job.trials(), best))


@jobs.command("watch")
@click.argument("job_id", type=int)
@click.option("--log", "show_log", is_flag=True, help="Then print the best trial's log tail.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@json_option
@click.pass_context
def jobs_watch(
    ctx: click.Context, job_id: int, show_log: bool, interval: float, as_json: bool
) -> None:
    """Follow a job until it ends: trials done, running, best so far."""
    job = watch(_job_arg(ctx, job_id), show_log=show_log, poll=interval, out=err)
    if as_json:
        _print_json(job.data)


@jobs.command("cancel")
@click.argument("job_id", type=int)
@json_option
@click.pass_context
def jobs_cancel(ctx: click.Context, job_id: int, as_json: bool) -> None:
    """Cancel a job: no new trials, running ones are stopped."""
    job = _job_arg(ctx, job_id).cancel()
    if as_json:
        _print_json(job.data)
    else:
        click.echo(f"Job {job.id} {job.name!r} is {job.status}.")


@jobs.command("best")
@click.argument("job_id", type=int)
@click.option("--log", "show_log", is_flag=True, help="Also print its log tail.")
@json_option
@click.pass_context
def jobs_best(ctx: click.Context, job_id: int, show_log: bool, as_json: bool) -> None:
    """The best trial of a job: its id, value and hyperparameters."""
    job = _job_arg(ctx, job_id)
    best = job.get_best_run_by_primary_metric()
    if best is None:
        if as_json:
            _print_json(None)
            return
        raise ConsoleError(f"Job {job.id} has no trial with a value yet ({job.status}).")
    if as_json:
        _print_json(best.data)
        return
    click.echo(f"Best trial #{best.number} (id {best.id}) of job {job.id}: {best.status}")
    click.echo(f"  {job.metric_name or 'value'} = {format_value(best.value)}")
    for name, value in best.params.items():
        click.echo(f"  {name} = {format_value(value)}")
    if show_log:
        click.echo(best.log())


# --------------------------------------------------------------------------- trials


@cli.group()
def trials() -> None:
    """Trials: one run of the script with one set of values."""


@trials.command("show")
@click.argument("trial_id", type=int)
@json_option
@click.pass_context
def trials_show(ctx: click.Context, trial_id: int, as_json: bool) -> None:
    """Show a trial: status, values, command line, curve."""
    trial = _console(ctx).get_trial(trial_id)
    if as_json:
        _print_json(trial.data)
        return
    data = trial.data
    click.echo(f"Trial #{trial.number} (id {trial.id}) of job {data.get('job')}: {trial.status}")
    if data.get("status_reason"):
        click.echo(f"  reason: {data['status_reason']}")
    click.echo(f"  value: {format_value(trial.value)}")
    for name, value in trial.params.items():
        click.echo(f"  {name} = {format_value(value)}")
    if data.get("command"):
        click.echo(f"  command: {' '.join(map(str, data['command']))}")
    curve = data.get("curve") or []
    if curve:
        click.echo(f"  curve ({len(curve)} reports): {', '.join(format_value(v) for v in curve)}")


@trials.command("logs")
@click.argument("trial_id", type=int)
@click.option("--follow", "-f", is_flag=True, help="Keep printing new lines until it ends.")
@click.option("--interval", default=1.0, show_default=True, help="Seconds between polls.")
@click.pass_context
def trials_logs(ctx: click.Context, trial_id: int, follow: bool, interval: float) -> None:
    """Print the end of a trial's log (its last lines)."""
    trial = _console(ctx).get_trial(trial_id)
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
        err.print(f"trial {trial.id} {trial.status}", markup=False)


@trials.command("stop")
@click.argument("trial_id", type=int)
@click.pass_context
def trials_stop(ctx: click.Context, trial_id: int) -> None:
    """Stop a running trial early."""
    trial = _console(ctx).get_trial(trial_id).stop()
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
    trial = _console(ctx).get_trial(trial_id)
    if download_dir is not None:
        files = trial.download_outputs(download_dir)
        if as_json:
            _print_json([str(p) for p in files])
        else:
            click.echo(f"{len(files)} file(s) written to {download_dir}")
        return
    items = trial.outputs()
    if as_json:
        _print_json(items)
        return
    if not items:
        click.echo(f"Trial {trial.id} has no output files.")
    for item in items:
        click.echo(f"{item.get('size', ''):>12}  {item.get('path') or item.get('name')}")


# --------------------------------------------------------------------------- entry point


def main(argv: list[str] | None = None) -> None:
    cli.main(args=argv, prog_name="sweep")
