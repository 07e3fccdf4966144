"""``sweep jobs``: submit job files; list, show, watch jobs; cancel, pause, resume and
extend them; the best trial."""

from __future__ import annotations

from pathlib import Path

import click

from sweepconsole.cli_common import console_of, err, json_option, out, print_json
from sweepconsole.cli_output import best_trial_lines, jobs_table, shows_owners, trial_table
from sweepconsole.errors import ConsoleError, JobFailed
from sweepconsole.formatting import plural
from sweepconsole.jobfile import dump_document, job_to_document, load_job_file
from sweepconsole.progress import summary, watch
from sweepconsole.resources import Job

__all__ = ["jobs"]


@click.group()
def jobs() -> None:
    """Training jobs: searches (or single runs) of an algorithm.

    JOB is a job's id or its exact name: a name several jobs you can see share means
    your own, and is refused with their ids when that leaves none or several."""


# Every command that takes one job: by id or by exact name, as algorithms and datasets.
job_argument = click.argument("ref", metavar="JOB")


def _job_arg(ctx: click.Context, ref: str) -> Job:
    """The job ``ref`` means for the caller: an id, else an exact name
    (``Console.get_job``: the caller's own for a shared name, else ``AmbiguousName``)."""
    return console_of(ctx).get_job(ref)


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
        references = {k: parsed.doc[k] for k in ("algorithm", "dataset") if k in parsed.doc}
        print_json({**parsed.body, **references})
        err.print(f"{job_file}: valid (checked locally; nothing submitted).", markup=False)
        return
    job = parsed.submit(console_of(ctx))
    if as_json:
        print_json(job.data)
    else:
        click.echo(f"Submitted job {job.id} {job.name!r} ({job.status}).")
    if then_watch:
        _ended_with_results(watch(job, out=err))


@jobs.command("list")
@click.option("--status", help="Only jobs in this status (running, completed ...).")
@click.option("--search", help="Part of the name.")
@json_option
@click.pass_context
def jobs_list(ctx: click.Context, status: str | None, search: str | None, as_json: bool) -> None:
    """List your training jobs."""
    items = console_of(ctx).jobs(status=status, search=search)
    if as_json:
        print_json([j.data for j in items])
        return
    out.print(jobs_table(items, owners=shows_owners(console_of(ctx), items)))


def _algorithm_reference(ctx: click.Context, job: Job) -> int | str | None:
    """The job's algorithm as a job file names it: its name when that resolves back to it
    for this caller, else its id."""
    if job.data.get("algorithm") is None:
        return None
    return console_of(ctx).algorithm_reference(
        int(job.data["algorithm"]), str(job.data.get("algorithm_name") or "")
    )


def _dataset_reference(ctx: click.Context, job: Job) -> int | str | None:
    """The job's dataset as a job file names it (``None`` without one): its name when
    that resolves back to it for this caller, else its id."""
    if job.data.get("dataset") is None:
        return None
    name = job.data.get("dataset_name")
    return console_of(ctx).dataset_reference(
        int(job.data["dataset"]), None if name is None else str(name)
    )


@jobs.command("show")
@job_argument
@json_option
@click.option("--as-yaml", is_flag=True, help="Print the job as a job file to submit again.")
@click.pass_context
def jobs_show(ctx: click.Context, ref: str, as_json: bool, as_yaml: bool) -> None:
    """Show a job (by id or name): its configuration and its trials."""
    job = _job_arg(ctx, ref)
    if as_json:
        print_json({**job.data, "trials": [t.data for t in job.trials()]})
        return
    document = dump_document(
        job_to_document(
            job,
            algorithm=_algorithm_reference(ctx, job),
            dataset=_dataset_reference(ctx, job),
            search_algorithms=job.search_algorithms_without_defaults(),
            policy=job.policy_without_defaults(),
        )
    )
    if as_yaml:
        click.echo(document, nl=False)
        return
    out.print(summary(job), markup=False)
    out.print(f"\n# as a job file (sweep jobs show {job.id} --as-yaml)", markup=False)
    out.print(document, markup=False)
    best = (job.data.get("best_trial") or {}).get("id")
    out.print(trial_table(job.trials(), best))


@jobs.command("watch")
@job_argument
@click.option("--log", "show_log", is_flag=True, help="Then print the best trial's log tail.")
@click.option("--interval", default=2.0, show_default=True, help="Seconds between polls.")
@json_option
@click.pass_context
def jobs_watch(
    ctx: click.Context, ref: str, show_log: bool, interval: float, as_json: bool
) -> None:
    """Follow a job (by id or name) until it ends: trials done, running, best so far."""
    job = watch(_job_arg(ctx, ref), show_log=show_log, poll=interval, out=err)
    if as_json:
        print_json(job.data)
    _ended_with_results(job)


def _ended_with_results(job: Job) -> None:
    """Exit code 1 (the error on stderr) for a watched job that ended failed or canceled:
    a script can tell a search that gave its results from one that did not."""
    if job.status in ("failed", "canceled"):
        raise JobFailed(job)


def _print_action(job: Job, as_json: bool, detail: str = "") -> None:
    """What a command that changes a job prints: the job's JSON, or its new status."""
    if as_json:
        print_json(job.data)
    else:
        click.echo(f"Job {job.id} {job.name!r} is {job.status}{detail}.")


@jobs.command("cancel")
@job_argument
@json_option
@click.pass_context
def jobs_cancel(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Cancel a job (by id or name): no new trials, running ones are stopped."""
    _print_action(_job_arg(ctx, ref).cancel(), as_json)


@jobs.command("pause")
@job_argument
@json_option
@click.pass_context
def jobs_pause(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Pause a running job (by id or name).

    No new trial starts while it is paused (queued ones wait); running ones finish."""
    _print_action(_job_arg(ctx, ref).pause(), as_json)


@jobs.command("resume")
@job_argument
@json_option
@click.pass_context
def jobs_resume(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Resume a paused job (by id or name).

    Its waiting trials run and its free slots are filled again."""
    _print_action(_job_arg(ctx, ref).resume(), as_json)


@jobs.command("extend")
@job_argument
@click.option("--max-trials", type=int, help="The new total of trials (above the current).")
@click.option(
    "--max-duration-minutes", type=int, help="The new time limit in minutes (above the current)."
)
@json_option
@click.pass_context
def jobs_extend(
    ctx: click.Context,
    ref: str,
    max_trials: int | None,
    max_duration_minutes: int | None,
    as_json: bool,
) -> None:
    """Give a job (by id or name) more trials or more time.

    Both are new totals, each above the current one; a finished job runs again and
    continues the same search."""
    if max_trials is None and max_duration_minutes is None:
        raise click.UsageError("Give --max-trials, --max-duration-minutes or both.")
    job = _job_arg(ctx, ref).extend(
        max_trials=max_trials, max_duration_minutes=max_duration_minutes
    )
    minutes = job.data.get("max_duration_minutes")
    limits = f": up to {plural(job.data.get('max_trials'), 'trial')}"
    limits += f" in {plural(minutes, 'minute')}" if minutes is not None else ""
    _print_action(job, as_json, limits)


@jobs.command("best")
@job_argument
@click.option("--log", "show_log", is_flag=True, help="Also print its log tail.")
@json_option
@click.pass_context
def jobs_best(ctx: click.Context, ref: str, show_log: bool, as_json: bool) -> None:
    """The best trial of a job (by id or name): its id, value and hyperparameters."""
    job = _job_arg(ctx, ref)
    best = job.get_best_run_by_primary_metric()
    if best is None:
        if as_json:
            print_json(None)  # and exit code 1, as without --json
        raise ConsoleError(f"Job {job.id} has no trial with a value yet ({job.status}).")
    if as_json:
        print_json(best.data)
        return
    for line in best_trial_lines(job, best):
        click.echo(line)
    if show_log:
        click.echo(best.log())
