"""The messages found while validating an algorithm, keyed by where the form shows them."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class AlgorithmErrors:
    """Messages keyed by where the form shows them.

    ``fields``: top-level keys (``name``, ``boot_file``, ``metric.regex``, ``code``...);
    ``rows``: hyperparameter row index -> column -> messages;
    ``search_algorithm_params``: index in ``search_algorithms`` -> parameter -> messages
    (``"__all__"`` for a message about the algorithm as a whole).
    """

    fields: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    search_algorithm_params: dict[int, dict[str, list[str]]] = field(default_factory=dict)
    # The name typed in each hyperparameter row, so a message read away from the table
    # (the API, a log) can say which hyperparameter it is about.
    row_names: dict[int, str] = field(default_factory=dict)

    def add(self, key: str, message: str) -> None:
        self.fields.setdefault(key, []).append(message)

    def add_row(self, index: int, column: str, message: str) -> None:
        self.rows.setdefault(index, {}).setdefault(column, []).append(message)

    def add_param(self, index: int, param: str, message: str) -> None:
        self.search_algorithm_params.setdefault(index, {}).setdefault(param, []).append(message)

    def row_label(self, index: int) -> str:
        """``learning_rate`` when the row has a name, else ``row 3`` (1-based, as shown)."""
        return self.row_names.get(index) or f"row {index + 1}"

    def __bool__(self) -> bool:
        return bool(self.fields or self.rows or self.search_algorithm_params)

    def messages(self) -> list[str]:
        """Every message prefixed with its place, e.g. ``hyperparameters[2].default: ...``."""
        out = [f"{k}: {m}" for k, msgs in self.fields.items() for m in msgs]
        for i, cols in sorted(self.rows.items()):
            label = self.row_label(i)
            out += [f"hyperparameter {label}, {c}: {m}" for c, msgs in cols.items() for m in msgs]
        for i, params in sorted(self.search_algorithm_params.items()):
            out += [
                f"search_algorithms[{i}].params.{p}: {m}"
                for p, msgs in params.items()
                for m in msgs
            ]
        return out
