"""Metric regexes: smart generation from a metric name, and bounded, shared matching.

Pure Python (no ORM, no Django): the algorithm page uses it to generate and test a regex, the
trial runner uses it on every stdout/stderr line, and both go through ``compile_metric_regex``
and ``match_line`` so the tester shows exactly what a trial will record.

Matching rules (``match_line``), one rule for the tester and the trial runner alike:
- A line is read as a terminal shows it (``terminal_text``): each ``\\r`` returns to column 0
  and what follows overwrites from there, so a progress bar's redraws give one value per
  line, the one left on screen. ANSI colour/cursor codes are removed; the text is cut to
  ``MAX_LINE_CHARS`` and only the last ``MAX_REDRAWS`` redraws are looked at.
- The first match counts. The value is ``float(group)`` with thousands separators and a
  trailing ``%`` dropped (``1,234.5`` -> 1234.5, ``91.2%`` -> 91.2); ``nan``, ``inf``,
  ``-inf``, ``Infinity`` parse; text that is not a number gives no value.

Generated patterns match the name as a whole token, case-insensitively: no letter, digit,
``_``, ``-``, ``.`` or ``/`` may touch it, so ``accuracy`` never picks up ``val_accuracy``,
``Train-Accuracy``, ``accuracy_top5`` or ``val/accuracy``. For ``Accuracy: 9812/10000 (98%)``
the value is the percentage (98), which is what a user plotting accuracy means.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass, field
from typing import Any, TypedDict

from algorithms.metric_tables import table_formats
from algorithms.regex_safety import probe_risk, static_risk

MAX_METRIC_NAME_CHARS = 64
MAX_PATTERN_CHARS = 1000
MAX_LINE_CHARS = 4096  # longer segments are cut: bounds the work per line
MAX_REDRAWS = 64  # progress-bar redraws looked at per line, the newest
MAX_LOG_LINES = 10_000  # lines of a pasted log the generator looks at
# The tester runs a user's pattern inside a web request: the probe bounds the cost of one
# line, these bound the whole scan so a slow-but-accepted pattern cannot hold a worker.
TEST_MAX_LINES = 2_000
TEST_MAX_CHARS = 512 * 1024
TEST_TIME_BUDGET_S = 2.0

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")

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


class MetricRegexError(ValueError):
    """A metric name or regex the user must fix; the message is shown as is."""


class LogMatch(TypedDict):
    line_no: int  # 1-based
    line: str  # the segment that matched, cleaned and cut as the matcher saw it
    value: float


@dataclass(frozen=True)
class MetricMatcher:
    pattern: str
    regex: re.Pattern[str]
    group: int | str  # the group holding the number: "value" or 1


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


# -- bounded matching ---------------------------------------------------------------------


def _value_group(regex: re.Pattern[str]) -> int | str:
    if "value" in regex.groupindex:
        return "value"
    if regex.groups == 1:
        return 1
    if regex.groups == 0:
        raise MetricRegexError(
            "The regex has no capture group: put parentheses around the number, "
            r"e.g. accuracy=(\d+\.\d+)."
        )
    raise MetricRegexError(
        f"The regex has {regex.groups} capture groups: name the one holding the number "
        r"(?P<value>...) or make the others non-capturing (?:...)."
    )


def _make_matcher(pattern: str) -> MetricMatcher:
    """Compile and run the static checks (cheap); no timing probe."""
    if not isinstance(pattern, str) or not pattern.strip():
        raise MetricRegexError("Enter a regular expression.")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise MetricRegexError(
            f"The regex must be at most {MAX_PATTERN_CHARS} characters, got {len(pattern)}."
        )
    try:
        regex = re.compile(pattern)
    except re.error as exc:
        where = f" at position {exc.pos}" if exc.pos is not None else ""
        raise MetricRegexError(f"The regex does not compile: {exc.msg}{where}.") from exc
    group = _value_group(regex)
    reason = static_risk(pattern)
    if reason:
        raise MetricRegexError(
            f"The regex could take exponential time on some lines: it has {reason}. "
            "Rewrite it without a repeat inside a repeat."
        )
    return MetricMatcher(pattern=pattern, regex=regex, group=group)


@functools.lru_cache(maxsize=256)
def compile_metric_regex(pattern: str) -> MetricMatcher:
    """A matcher for ``pattern``, or MetricRegexError with a message for the user.

    Refuses patterns that do not compile, have no usable group, nest repeats (static walk),
    or are slow on adversarial lines of ``MAX_LINE_CHARS`` (timed in a child process with a
    hard timeout, so the check itself cannot hang). Results are cached per process; refusals
    are not, so a refused pattern is checked again next time.
    """
    matcher = _make_matcher(pattern)
    reason = probe_risk(pattern, max_line_chars=MAX_LINE_CHARS)
    if reason:
        raise MetricRegexError(f"The regex is too slow: {reason}. Make it more specific.")
    return matcher


def terminal_text(line: str) -> str:
    """The text a terminal shows for ``line`` once it is drawn: each ``\\r`` returns to
    column 0 and what follows overwrites from there (a progress bar's redraws).

    ANSI colour/cursor codes are dropped; a trailing ``\\r`` (CRLF endings) changes nothing.

    >>> terminal_text("loss=0.9 12%\\rloss=0.5 100%")
    'loss=0.5 100%'
    >>> terminal_text("epoch 1/5 [=====>....]\\repoch 1/5")
    'epoch 1/5 [=====>....]'
    """
    shown = ""
    for segment in _ANSI.sub("", line.rstrip("\r\n")).split("\r"):
        shown = segment + shown[len(segment) :]
    return shown


def _to_float(text: str | None) -> float | None:
    if text is None:
        return None
    text = text.strip().removesuffix("%").strip().replace(",", "")
    try:
        return float(text)
    except ValueError:
        return None


def shown_text(line: str) -> str:
    """What ``match_line`` reads of a line: ``terminal_text``, bounded in work and length."""
    # Only the last redraws can still be on screen in practice; each is cut so that a
    # pathological line costs at most MAX_REDRAWS * 2 * MAX_LINE_CHARS characters of work.
    redraws = line.rstrip("\r\n").rsplit("\r", MAX_REDRAWS)[-MAX_REDRAWS:]
    bounded = "\r".join(r[: 2 * MAX_LINE_CHARS] for r in redraws)
    return terminal_text(bounded)[:MAX_LINE_CHARS]


def _match(matcher: MetricMatcher, line: str) -> tuple[str, float] | None:
    """The text as a terminal shows it, and the value read from it."""
    text = shown_text(line)
    if not text.strip():
        return None
    found = matcher.regex.search(text)
    value = _to_float(found.group(matcher.group)) if found else None
    return (text, value) if value is not None else None


def match_line(matcher: MetricMatcher, line: str) -> float | None:
    """The metric value on one output line, or None."""
    hit = _match(matcher, line)
    return hit[1] if hit else None


def _lines(log_text: str, max_lines: int) -> list[str]:
    # Split on "\n" only: "\r" belongs to the line (progress bars) and _match handles it.
    return log_text.split("\n", max_lines)[:max_lines]


def _scan(matcher: MetricMatcher, log_text: str, max_lines: int) -> list[LogMatch]:
    matches: list[LogMatch] = []
    for line_no, line in enumerate(_lines(log_text, max_lines), start=1):
        hit = _match(matcher, line)
        if hit:
            matches.append({"line_no": line_no, "line": hit[0], "value": hit[1]})
    return matches


@dataclass(frozen=True)
class LogTest:
    """What the tester found, and how much of the log it looked at."""

    matches: list[LogMatch]
    lines_total: int  # lines in the pasted log
    lines_scanned: int
    stopped: str = ""  # why the scan ended early ("time budget", "size limit"), or ""

    @property
    def truncated(self) -> bool:
        return bool(self.stopped)

    def note(self) -> str:
        if not self.stopped:
            return ""
        return f"stopped after {self.lines_scanned} of {self.lines_total} lines: {self.stopped}"


def test_log(
    pattern: str,
    log_text: str,
    *,
    max_lines: int = TEST_MAX_LINES,
    max_chars: int = TEST_MAX_CHARS,
    time_budget_s: float = TEST_TIME_BUDGET_S,
) -> LogTest:
    """The lines of ``log_text`` the pattern gets a value from, as the runner would.

    Bounded for a web request: at most the first ``max_lines`` lines and ``max_chars``
    characters are looked at, and no new line is started once ``time_budget_s`` has
    passed. The probe in ``compile_metric_regex`` bounds one line's cost; this bounds the
    total, since a pattern just under the probe's limit could still take minutes on a long
    adversarial log. ``LogTest.stopped`` says why a scan ended early.
    """
    matcher = compile_metric_regex(pattern)
    # A final newline ends the last line, it does not start one.
    total = log_text.count("\n") + (0 if not log_text or log_text.endswith("\n") else 1)
    lines = _lines(log_text[:max_chars], max_lines)
    deadline = time.monotonic() + time_budget_s
    matches: list[LogMatch] = []
    scanned = 0
    stopped = ""
    for line_no, line in enumerate(lines, start=1):
        if line_no > 1 and time.monotonic() > deadline:
            stopped = "time budget"
            break
        hit = _match(matcher, line)
        scanned = line_no
        if hit:
            matches.append({"line_no": line_no, "line": hit[0], "value": hit[1]})
    scanned = min(scanned, total)
    if not stopped and scanned < total:
        stopped = "size limit"
    return LogTest(matches, total, scanned, stopped)


test_log.__test__ = False  # type: ignore[attr-defined]  # not a pytest test despite its name
LogTest.__test__ = False  # type: ignore[attr-defined]


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
    for line in _lines(sample_log, MAX_LOG_LINES):
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
    screen = [shown_text(line) for line in _lines(sample_log, MAX_LOG_LINES)]
    tables = table_formats(name, screen, _FINITE_VALUE if finite else _VALUE)
    formats = _format_candidates(name, finite=finite) + [
        (label, _FLAGS + pattern, words) for label, pattern, words in tables
    ]
    for label, pattern, words in formats:
        # Built from an escaped name and fixed fragments: the static check suffices here;
        # the runner still gets the full check when the chosen pattern is compiled.
        matches = _scan(_make_matcher(pattern), sample_log, MAX_LOG_LINES)
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
