"""Metric regexes for tables with a column-header row, for smart generation.

Pure Python, no ORM. A script that prints a table names its columns once, in a header row,
and then prints rows of bare numbers: no line of a row names the metric, so the name-based
formats of ``metric_regex`` never read it. Here the header row tells which column holds the
metric, and the pattern reads that column of the rows that follow:

- pipe-separated (``| epoch | loss | mAP |`` then ``| 1 | 0.5 | 0.61 |``): the row must
  have the header's number of cells, any content in the others;
- whitespace-separated (``epoch loss mAP`` then ``1 0.5 0.61``): the row must have the
  header's number of fields and every field must look like a number (start with a digit, a
  sign or a dot), since a line of words of the right count is far likelier than a pipe row.

The patterns are unrolled (one fragment per column, no repeat inside a repeat) and every
cell fragment stops at the separator, so a line costs linear time.

>>> [label for label, _, _ in table_formats("mAP", ["| epoch | loss | mAP |"], "(\\\\d+)")]
['table column']
"""

from __future__ import annotations

MAX_TABLE_COLUMNS = 64  # wider "tables" are not tables; keeps the patterns short

_PIPE_CELL = r"[^|]*\|"  # a cell and the pipe that ends it
_NUMBER_FIELD = r"[-+.\d]\S*"  # a field of a whitespace table that looks like a number


def _same_name(cell: str, name: str) -> bool:
    return " ".join(cell.split()).lower() == " ".join(name.split()).lower()


def _pipe_pattern(cells: list[str], column: int, *, leading: bool, trailing: bool,
                  value: str) -> str:
    before = (r"^\s*\|" if leading else "^") + _PIPE_CELL * column
    # The cells after the value's, then (a row with a trailing pipe) the last pipe and spaces.
    after = r"\|[^|]*" * (len(cells) - column - 1) + (r"\|\s*" if trailing else "")
    return rf"{before}\s*{value}%?\s*{after}$"


def _pipe_format(line: str, name: str, value: str) -> tuple[str, str, str] | None:
    if "|" not in line:
        return None
    stripped = line.strip()
    leading, trailing = stripped.startswith("|"), stripped.endswith("|") and len(stripped) > 1
    cells = stripped.split("|")
    cells = cells[1 if leading else 0 : len(cells) - 1 if trailing else len(cells)]
    if not 2 <= len(cells) <= MAX_TABLE_COLUMNS:
        return None
    for column, cell in enumerate(cells):
        if _same_name(cell, name):
            pattern = _pipe_pattern(cells, column, leading=leading, trailing=trailing,
                                    value=value)
            words = (
                f"the “{name}” column (column {column + 1} of {len(cells)}) of a table whose "
                "header row names it, cells separated by |"
            )
            return ("table column", pattern, words)
    return None


def _space_format(line: str, name: str, value: str) -> tuple[str, str, str] | None:
    fields = line.split()
    if "|" in line or len(name.split()) != 1 or not 2 <= len(fields) <= MAX_TABLE_COLUMNS:
        return None
    for column, field in enumerate(fields):
        if _same_name(field, name):
            before = r"^\s*" + (_NUMBER_FIELD + r"\s+") * column
            after = (r"\s+" + _NUMBER_FIELD) * (len(fields) - column - 1)
            words = (
                f"the “{name}” column (column {column + 1} of {len(fields)}) of a table whose "
                "header row names it, numbers separated by spaces"
            )
            return ("table column", rf"{before}{value}%?{after}\s*$", words)
    return None


def table_formats(name: str, lines: list[str], value: str) -> list[tuple[str, str, str]]:
    """(label, pattern, description) for each table layout whose header row names ``name``.

    ``lines`` are the sample's lines as a terminal shows them; ``value`` is the regex of
    the number (one capture group). One entry per distinct pattern, in the order the
    header rows appear; none when no line is a header naming the column.
    """
    found: list[tuple[str, str, str]] = []
    for line in lines:
        entry = _pipe_format(line, name, value) or _space_format(line, name, value)
        if entry and all(entry[1] != pattern for _, pattern, _ in found):
            found.append(entry)
    return found
