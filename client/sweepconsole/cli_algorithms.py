"""``sweep algorithms``: list, show and create algorithms."""

from __future__ import annotations

from pathlib import Path

import click

from sweepconsole.cli_common import console_of, json_option, load_json_arg, out, print_json
from sweepconsole.cli_output import (
    algorithm_lines,
    algorithms_table,
    hyperparameter_table,
    shows_owners,
)

__all__ = ["algorithms"]


@click.group()
def algorithms() -> None:
    """Algorithms: a training script with its hyperparameter table and metric."""


@algorithms.command("list")
@click.option("--search", help="Part of the name or description.")
@json_option
@click.pass_context
def algorithms_list(ctx: click.Context, search: str | None, as_json: bool) -> None:
    """List your algorithms."""
    items = console_of(ctx).algorithms(search=search)
    if as_json:
        print_json([a.data for a in items])
        return
    out.print(algorithms_table(items, owners=shows_owners(console_of(ctx), items)))


@algorithms.command("show")
@click.argument("ref")
@json_option
@click.pass_context
def algorithms_show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show an algorithm (by id or name) and its hyperparameters."""
    algorithm = console_of(ctx).get_algorithm(ref)
    if as_json:
        print_json(algorithm.data)
        return
    for line in algorithm_lines(algorithm):
        out.print(line, markup=False)
    out.print(hyperparameter_table(algorithm.data.get("hyperparameters") or []))


@algorithms.command("create")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@click.option("--name", help="Its name (default: the folder's algorithm.json).")
@click.option("--boot-file", help="The script to run (default: PATH itself for a .py).")
@click.option("--hyperparameters", help='JSON or @file: [{"name", "type", "default", ...}]')
@click.option("--metric", help='JSON or @file: {"name", "goal", "regex"}')
@click.option("--search-algorithms", help='JSON or @file: [{"name": "tpe", "params": {}}]')
@click.option("--description")
@click.option("--engine", help="A named Python interpreter of the console.")
@click.option(
    "--argument-style",
    type=click.Choice(["equals", "space"]),
    help="--lr=0.1 (equals) or --lr 0.1 (space); default: the folder's algorithm.json.",
)
@click.option(
    "--bool-style",
    type=click.Choice(["true_false", "one_zero", "flag"]),
    help="How a bool is passed (flag: a bare --name when true).",
)
@click.option(
    "--data-urls/--no-data-urls",
    "accepts_data_urls",
    default=None,
    help="Whether the script takes --data_url and --train_url.",
)
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
    argument_style: str | None,
    bool_style: str | None,
    accepts_data_urls: bool | None,
    no_wait: bool,
    as_json: bool,
) -> None:
    """Upload PATH (a script, an archive or a folder) as a new algorithm."""
    algorithm = console_of(ctx).create_algorithm(
        path,
        name=name,
        boot_file=boot_file,
        hyperparameters=load_json_arg("--hyperparameters", hyperparameters),
        metric=load_json_arg("--metric", metric),
        search_algorithms=load_json_arg("--search-algorithms", search_algorithms),
        description=description,
        engine=engine,
        argument_style=argument_style,
        bool_style=bool_style,
        accepts_data_urls=accepts_data_urls,
        wait=not no_wait,
    )
    if as_json:
        print_json(algorithm.data)
    else:
        click.echo(f"Algorithm {algorithm.name!r} (id {algorithm.id}) is {algorithm.status}.")
