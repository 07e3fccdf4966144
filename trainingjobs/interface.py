"""How a job's trials hand values to the script: the algorithm's hyperparameter table
(each row's name, type and default, in order) and its argument styles (``--name=value``
or ``--name value``, how bools are written, whether ``--data_url``/``--train_url`` are
passed). It is copied into the job when the job is created (``TrainingJob.interface``), so
editing the algorithm's table later never changes the command lines of a job that exists,
extended or not: a trial's recorded values are always the ones its script was given, as a
HyperDrive or ModelArts job keeps the configuration it was submitted with.

The code package itself is the algorithm's: a new package, once checked, is used by the
trials that start after it (as are its boot file and engine, which belong to the package).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

from algorithms.models import Algorithm, Hyperparameter


class Row(NamedTuple):
    """One hyperparameter as a command line needs it."""

    name: str
    type: str  # "float", "int", "str" or "bool"
    default: Any  # None: no default (an optional row not passed unless given a value)


@dataclass(frozen=True)
class Interface:
    table: tuple[Row, ...]
    argument_style: str
    bool_style: str
    accepts_data_urls: bool

    def to_json(self) -> dict[str, Any]:
        """The stored shape: ``{"table": [{"name", "type", "default"}, ...],
        "argument_style", "bool_style", "accepts_data_urls"}``."""
        return {
            "table": [row._asdict() for row in self.table],
            "argument_style": self.argument_style,
            "bool_style": self.bool_style,
            "accepts_data_urls": self.accepts_data_urls,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Interface:
        return cls(
            table=tuple(Row(r["name"], r["type"], r.get("default")) for r in data["table"]),
            argument_style=data["argument_style"],
            bool_style=data["bool_style"],
            accepts_data_urls=bool(data["accepts_data_urls"]),
        )


def of_algorithm(algorithm: Algorithm, rows: list[Hyperparameter] | None = None) -> Interface:
    """The algorithm's interface now (``rows``: its table, when already read)."""
    table = rows if rows is not None else list(algorithm.hyperparameters.all())
    return Interface(
        table=tuple(Row(hp.name, hp.type, hp.default) for hp in table),
        argument_style=algorithm.argument_style,
        bool_style=algorithm.bool_style,
        accepts_data_urls=algorithm.accepts_data_urls,
    )


def of_job(job: Any) -> Interface:
    """The interface a job's trials use: the one copied at its creation (migration 0008
    gave every earlier job its own), or its algorithm's as it is now for a job made
    without one (``interface`` empty: a row written directly, not through ``specs``)."""
    if job.interface:
        return Interface.from_json(job.interface)
    return of_algorithm(job.algorithm)
