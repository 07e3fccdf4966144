"""A click command with a one-letter long option, --c (an SVM's regularisation)."""

import json

import click


@click.command()
@click.option("--c", type=float, default=1.0)
@click.option("--kernel", type=click.Choice(["rbf", "linear"]), default="rbf")
@click.option("--max-iter", "max_iter", type=int, default=100)
@click.option("--shrinking", is_flag=True)
def main(c: float, kernel: str, max_iter: int, shrinking: bool) -> None:
    click.echo(json.dumps({"c": c, "kernel": kernel, "max_iter": max_iter, "shrinking": shrinking}))
    click.echo(f"accuracy={0.9 + c / 100}")


if __name__ == "__main__":
    main()
