"""Metric regexes: smart generation from a metric name, and bounded, shared matching.

Pure Python (no ORM, no Django): the algorithm page uses it to generate and test a regex, the
trial runner uses it on every stdout/stderr line, and both go through ``compile_metric_regex``
and ``match_line`` so the tester shows exactly what a trial will record.

The generation is here; the matching (its rules in its docstring) and the tester are
``algorithms.metric_matching``, whose public names this module names too, so callers
import them all from here.

Generated patterns match the name as a whole token, case-insensitively: no letter, digit,
``_``, ``-``, ``.`` or ``/`` may touch it, so ``accuracy`` never picks up ``val_accuracy``,
``Train-Accuracy``, ``accuracy_top5`` or ``val/accuracy``. For ``Accuracy: 9812/10000 (98%)``
the value is the percentage (98), which is what a user plotting accuracy means.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from algorithms.metric_matching import (
    MAX_LINE_CHARS,
    MAX_PATTERN_CHARS,
    MAX_REDRAWS,
    TEST_MAX_CHARS,
    TEST_MAX_LINES,
    TEST_TIME_BUDGET_S,
    LogMatch,
    LogTest,
    MetricMatcher,
    MetricRegexError,
    compile_metric_regex,
    log_lines,
    make_matcher,
    match_line,
    scan_log,
    shown_text,
    terminal_text,
    test_log,
)
from algorithms.metric_tables import table_formats

__all__ = [
    "MAX_LINE_CHARS",
    "MAX_LOG_LINES",
    "MAX_METRIC_NAME_CHARS",
    "MAX_PATTERN_CHARS",
    "MAX_REDRAWS",
    "TEST_MAX_CHARS",
    "TEST_MAX_LINES",
    "TEST_TIME_BUDGET_S",
    "Candidate",
    "LogMatch",
    "LogTest",
    "MetricMatcher",
    "MetricRegexError",
    "compile_metric_regex",
    "general_metric_regex",
    "generate_metric_regex",
    "match_line",
    "shown_text",
    "terminal_text",
    "test_log",
    "validate_metric_name",
]

MAX_METRIC_NAME_CHARS = 64
MAX_LOG_LINES = 10_000  # lines of a pasted log the generator looks at

# Generated patterns start with (?i): the name, the exponent's e and nan/inf in any case.
_FLAGS = "(?i)"
# The number: decimals, thousands separators (1,234.5), scientific notation, signs, nan and
# inf (-Infinity reads as its "-Inf"). Digits are taken greedily, so never a prefix of a
# longer number is read (1,234.5 is not 1).
# (No two neighbouring repeats can take the same digits: a line of digits stays linear.)
_VALUE = r"(-?(?:\d[\d,]*(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+|nan|inf))"
# The same without nan/inf, for samples that print none: shorter to read.
_FINITE_VALUE = r"(-?(?:\d[\d,]*(?:\.\d*)?(?:e[-+]?\d+)?|\.\d+))"
_NAN_OR_INF = re.compile(r"(?i)(?<![a-z])(?:nan|inf)")
_BEFORE = r"(?<![\w./-])"  # not the tail of a longer name: val_accuracy, Train-Accuracy
_AFTER = r"(?![\w./-])"
_QUOTE = r"""['"]"""


@dataclass(frozen=True)
class Candidate:
    label: str  # the format it recognises, e.g. "name=value"
    pattern: str
    matches: list[LogMatch] = field(default_factory=list)  # lines of the sample it matches
    description: str = ""  # what the pattern matches, in words
    printed_name: str = ""  # set when the sample prints the metric under a longer name

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "pattern": self.pattern,
            "matches": list(self.matches),
            "description": self.description,
            "printed_name": self.printed_name,
        }


def validate_metric_name(name: str) -> str:
    """The name stripped of surrounding spaces; raises MetricRegexError when unusable."""
    if name is not None and not isinstance(name, str):
        raise MetricRegexError(f"The metric name must be text, got {str(name)[:40]}.")
    if not isinstance(name, str) or not name.strip():
        raise MetricRegexError("Enter the metric name.")
    name = name.strip()
    if len(name) > MAX_METRIC_NAME_CHARS:
        raise MetricRegexError(
            f"The metric name must be at most {MAX_METRIC_NAME_CHARS} characters, got {len(name)}."
        )
    if any(not c.isprintable() for c in name):
        raise MetricRegexError("The metric name must be on one line, without control characters.")
    return name


# -- smart generation ---------------------------------------------------------------------


def _name_regex(name: str) -> str:
    # Words of the name may be separated by any run of spaces or tabs (aligned tables).
    return r"\s+".join(re.escape(word) for word in name.split())


def _token(name: str) -> str:
    return _BEFORE + _name_regex(name)


def general_metric_regex(name: str) -> str:
    """One regex covering the common formats; used when there is no sample log."""
    token = _token(validate_metric_name(name)) + _AFTER
    return (
        rf"{_FLAGS}{token}{_QUOTE}?(?:\s*[:=]\s*|\s+)(?:{_QUOTE}|np\.\w+\(|\d+\s*/\s*\d+\s*\(\s*)?"
        rf"{_VALUE}"
    )


# (label, pattern builder, description builder), most specific first: the order breaks ties.
_FORMATS: list[tuple[str, str, str]] = [
    (
        "n/N (pct%)",
        r"{token}\W+\d+\s*/\s*\d+\s*\(\s*{value}\s*%",
        "{name}, then a count like 9812/10000 and the percentage in brackets",
    ),
    (
        "Katib",
        r"metricName:\s*{plain},\s*metricValue:\s*{value}",
        "Katib's format {{metricName: {name}, metricValue: number}}",
    ),
    (
        "JSON/dict",
        r"""['"]{plain}['"]\s*:\s*(?:np\.\w+\(|['"])?{value}""",
        "{name} in quotes as a key, then the value (also when quoted or a numpy float)",
    ),
    ("name=value", r"{token}\s*=\s*{value}", "{name}, then =, then a number"),
    ("name: value", r"{token}\s*:\s*{value}", "{name}, then a colon, then a number"),
    ("name value%", r"{token}(?:\s*[:=])?\s*{value}\s*%", "{name}, then a percentage"),
    (
        "name … : value",
        r"{token}(?![\w./-])[^:=]{{1,80}}?[:=]\s*{value}",
        "{name}, then words up to a colon or =, then a number",
    ),
    ("table field", r"{token}\s+{value}", "{name}, then spaces, then a number"),
]


def _format_candidates(name: str, *, finite: bool = False) -> list[tuple[str, str, str]]:
    """(label, pattern, description) per format for metric ``name``.

    ``finite``: the sample prints no nan or inf, so the number leaves them out (a later
    ``nan`` then gives no value rather than a wrong one).
    """
    value = _FINITE_VALUE if finite else _VALUE
    parts = {"token": _token(name), "plain": _name_regex(name), "value": value}
    shown = f"“{name}” (any case, not part of a longer name)"
    return [
        (label, _FLAGS + pattern.format(**parts), words.format(name=shown))
        for label, pattern, words in _FORMATS
    ]


def _printed_names(name: str, sample_log: str) -> list[str]:
    """Longer names the sample prints that contain ``name`` (Validation-Accuracy), in order."""
    finder = re.compile(
        rf"(?i)(?<![\w./-])([\w./-]*{_name_regex(name)}[\w./-]*)\s*[:=]\s*[-+]?\.?\d"
    )
    found: list[str] = []
    for line in log_lines(sample_log, MAX_LOG_LINES):
        for match in finder.finditer(shown_text(line)):
            printed = match.group(1)
            if printed.lower() != name.lower() and printed not in found:
                found.append(printed)
        if len(found) >= 8:
            break
    return found


def _candidates_for(name: str, sample_log: str, printed_name: str = "") -> list[Candidate]:
    found: list[Candidate] = []
    seen: set[tuple[tuple[int, str], ...]] = set()
    finite = not _NAN_OR_INF.search(sample_log[: TEST_MAX_CHARS])
    screen = [shown_text(line) for line in log_lines(sample_log, MAX_LOG_LINES)]
    tables = table_formats(name, screen, _FINITE_VALUE if finite else _VALUE)
    formats = _format_candidates(name, finite=finite) + [
        (label, _FLAGS + pattern, words) for label, pattern, words in tables
    ]
    for label, pattern, words in formats:
        # Built from an escaped name and fixed fragments: the static check suffices here;
        # the runner still gets the full check when the chosen pattern is compiled.
        matches = scan_log(make_matcher(pattern), sample_log, MAX_LOG_LINES)
        key = tuple((m["line_no"], repr(m["value"])) for m in matches)
        if matches and key not in seen:
            seen.add(key)
            shown = f"printed as {printed_name}" if printed_name else label
            found.append(Candidate(shown, pattern, matches, words, printed_name))
    found.sort(key=lambda c: -len(c.matches))  # stable: keeps the specific-first order
    return found


def generate_metric_regex(name: str, sample_log: str = "") -> list[Candidate]:
    """Regexes for metric ``name``, best first; never empty.

    Without a sample: the general regex, with no matches. With one: every format-specific
    regex that gets values from the sample, dropping those that give the same values as a
    better one, ordered by the number of lines matched (ties: the more specific format).
    When the name itself is never printed but longer names containing it are
    (``Train-Accuracy``, ``Validation-Accuracy``), one candidate per printed name, for the
    user to pick; when nothing matches, the general regex with no matches (the caller must
    not put a regex that reads nothing in place of the user's).
    """
    name = validate_metric_name(name)
    general = Candidate(
        "any format",
        general_metric_regex(name),
        description=f"“{name}”, then =, :, spaces or quotes, then a number",
    )
    if not sample_log.strip():
        return [general]
    found = _candidates_for(name, sample_log)
    if not found:
        for printed in _printed_names(name, sample_log):
            found += _candidates_for(printed, sample_log, printed_name=printed)[:1]
    return found or [general]
