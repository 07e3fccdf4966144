"""``sweep datasets``: list, show, create and delete datasets."""

from __future__ import annotations

from pathlib import Path

import click

from sweepconsole.cli_common import console_of, err, json_option, out, print_json
from sweepconsole.cli_output import (
    dataset_files_table,
    dataset_lines,
    datasets_table,
    shows_owners,
)
from sweepconsole.datasets import Dataset
from sweepconsole.errors import SpecError
from sweepconsole.formatting import format_size

__all__ = ["datasets"]

# A dataset may hold thousands of files: the detail view lists the first ones.
SHOWN_FILES = 50


@click.group()
def datasets() -> None:
    """Datasets: a file, an archive or a server folder that trials read (DATA_URL)."""


@datasets.command("list")
@click.option("--search", help="Part of the name or description.")
@json_option
@click.pass_context
def datasets_list(ctx: click.Context, search: str | None, as_json: bool) -> None:
    """List your datasets."""
    items = console_of(ctx).datasets(search=search)
    if as_json:
        print_json([d.data for d in items])
        return
    out.print(datasets_table(items, owners=shows_owners(console_of(ctx), items)))


@datasets.command("show")
@click.argument("ref")
@json_option
@click.pass_context
def datasets_show(ctx: click.Context, ref: str, as_json: bool) -> None:
    """Show a dataset (by id or name) and its files."""
    dataset = console_of(ctx).get_dataset(ref)
    if as_json:
        print_json(dataset.data)
        return
    for line in dataset_lines(dataset):
        out.print(line, markup=False)
    files = list(dataset.data.get("files") or [])
    if files:
        out.print(dataset_files_table(files[:SHOWN_FILES]))
    if len(files) > SHOWN_FILES:
        out.print(f"... and {len(files) - SHOWN_FILES} more files (--json lists them all)")


@datasets.command("create")
@click.argument("path", required=False, type=click.Path(exists=True, path_type=Path))
@click.option("--name", required=True, help="Its name: letters, digits, '_' or '-'.")
@click.option("--description", default="")
@click.option(
    "--server-path",
    help="Instead of PATH: a folder on the console's host, under a root it allows.",
)
@click.option("--no-wait", is_flag=True, help="Return before a worker has read it.")
@click.option("--timeout", default=600.0, show_default=True, help="Seconds to wait for it.")
@json_option
@click.pass_context
def datasets_create(
    ctx: click.Context,
    path: Path | None,
    name: str,
    description: str,
    server_path: str | None,
    no_wait: bool,
    timeout: float,
    as_json: bool,
) -> None:
    """Create a dataset: upload PATH, or register a server folder.

    PATH is a file, a .zip or .tar.gz archive, or a folder (sent as one zip);
    --server-path is a folder on the console's host instead. Then it waits until a
    worker has read it whole, and says how it ended."""
    if path is None and not server_path:
        raise SpecError("Give the data: a file, an archive or a folder, or --server-path.")
    console = console_of(ctx)
    with err.status(f"Sending {path or server_path} ..."):
        dataset = console.create_dataset(
            path, name=name, description=description, server_path=server_path, wait=False
        )
    if not no_wait:
        with err.status(
            f"Dataset {dataset.name!r} (id {dataset.id}) is processing: a worker reads it whole ..."
        ):
            dataset.wait_until_ready(timeout=timeout)
    if as_json:
        print_json(dataset.data)
    else:
        click.echo(_outcome(dataset))


def _outcome(dataset: Dataset) -> str:
    said = f"Dataset {dataset.name!r} (id {dataset.id}) is {dataset.status}"
    if dataset.status != "ready":
        return f"{said}: a worker reads it whole (sweep datasets show {dataset.id})."
    count = int(dataset.data.get("file_count") or 0)
    files = "1 file" if count == 1 else f"{count} files"
    return f"{said}: {files}, {format_size(dataset.data.get('size'))}."


@datasets.command("delete")
@click.argument("ref")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
@click.pass_context
def datasets_delete(ctx: click.Context, ref: str, yes: bool) -> None:
    """Delete a dataset (by id or name) and its stored content.

    It asks first (--yes does not); a dataset a training job uses is not deleted."""
    dataset = console_of(ctx).get_dataset(ref)
    label = f"dataset {dataset.name!r} (id {dataset.id})"
    if not yes and not click.confirm(
        f"Delete the {label} and its stored content? This cannot be undone", err=True
    ):
        err.print("Nothing was deleted.", markup=False)
        raise click.exceptions.Exit(1)
    dataset.delete()
    click.echo(f"Deleted the {label}.")
