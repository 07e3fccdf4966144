"""Smart generate reads the named column of a table printed with a column-header row."""

from __future__ import annotations

import pytest

from algorithms import metric_regex as mr
from algorithms.metric_tables import table_formats

PIPE_TABLE = (
    "starting training\n"
    "| epoch | loss | mAP |\n"
    "|-------|------|-----|\n"
    "| 1 | 0.5 | 0.61 |\n"
    "| 2 | 0.4 | 0.65 |\n"
    "done\n"
)
SPACE_TABLE = "epoch  loss  mAP\n1  0.5  0.61\n2  0.4  0.65\nSaving checkpoint 3\n"


def _best(name: str, log: str) -> mr.Candidate:
    return mr.generate_metric_regex(name, log)[0]


@pytest.mark.parametrize("log", [PIPE_TABLE, SPACE_TABLE], ids=["pipes", "spaces"])
def test_smart_generate_reads_the_named_column_of_a_table(log: str) -> None:
    best = _best("mAP", log)
    assert best.label == "table column"
    assert [m["value"] for m in best.matches] == [0.61, 0.65]
    assert "column 3 of 3" in best.description
    # The runner reads the same values with the same pattern, after the full safety check.
    matcher = mr.compile_metric_regex(best.pattern)
    assert [mr.match_line(matcher, line) for line in log.splitlines()[-3:-1]] == [0.61, 0.65]


def test_table_column_is_chosen_by_header_name_any_case() -> None:
    best = _best("LOSS", PIPE_TABLE)
    assert [m["value"] for m in best.matches] == [0.5, 0.4]
    assert "column 2 of 3" in best.description


def test_pipe_table_without_outer_pipes_and_percent_values() -> None:
    log = "epoch | val acc | loss\n1 | 91.5% | 0.3\n2 | 93% | 0.2\n"
    best = _best("val acc", log)
    assert [m["value"] for m in best.matches] == [91.5, 93.0]


def test_space_table_ignores_lines_of_words_with_as_many_fields() -> None:
    # "Saving checkpoint 3" has three fields and a number third, but words in the others.
    best = _best("mAP", SPACE_TABLE)
    assert [m["line_no"] for m in best.matches] == [2, 3]


def test_pipe_row_with_another_number_of_cells_is_not_read() -> None:
    log = "| epoch | loss | mAP |\n| 1 | 0.5 | 0.61 |\n| summary | 0.9 |\n| 3 | 0.2 | 0.7 | x |\n"
    assert [m["value"] for m in _best("mAP", log).matches] == [0.61]


def test_header_naming_another_metric_gives_no_table_candidate() -> None:
    assert table_formats("accuracy", ["| epoch | loss | mAP |", "epoch loss mAP"], r"(\d+)") == []
    assert [c.label for c in mr.generate_metric_regex("accuracy", PIPE_TABLE)] == ["any format"]


def test_named_format_beside_a_table_still_offered() -> None:
    log = PIPE_TABLE + "final mAP: 0.7\n"
    labels = [c.label for c in mr.generate_metric_regex("mAP", log)]
    assert labels[0] == "table column"  # two lines against one
    assert "name: value" in labels
