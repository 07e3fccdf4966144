"""Metric regexes: bounded, shared matching, and the algorithm page's log tester.

Pure Python (no ORM, no Django): the trial runner matches every stdout/stderr line with
``compile_metric_regex`` and ``match_line``, and the page's tester (``test_log``) goes
through them too, so the tester shows exactly what a trial will record. Generating a regex
from a metric name and a sample log is ``algorithms.metric_regex``, which also names all of
this module's public names.

Matching rules (``match_line``), one rule for the tester and the trial runner alike:
- A line is read as a terminal shows it (``terminal_text``): each ``\\r`` returns to column 0
  and what follows overwrites from there, so a progress bar's redraws give one value per
  line, the one left on screen. ANSI colour/cursor codes are removed; the text is cut to
  ``MAX_LINE_CHARS`` and only the last ``MAX_REDRAWS`` redraws are looked at.
- The first match counts. The value is ``float(group)`` with thousands separators and a
  trailing ``%`` dropped (``1,234.5`` -> 1234.5, ``91.2%`` -> 91.2); ``nan``, ``inf``,
  ``-inf``, ``Infinity`` parse; text that is not a number gives no value.
"""

from __future__ import annotations

import functools
import re
import time
from dataclasses import dataclass
from typing import TypedDict

from algorithms.regex_safety import probe_risk, static_risk

MAX_PATTERN_CHARS = 1000
MAX_LINE_CHARS = 4096  # longer segments are cut: bounds the work per line
MAX_REDRAWS = 64  # progress-bar redraws looked at per line, the newest
# The tester runs a user's pattern inside a web request: the probe bounds the cost of one
# line, these bound the whole scan so a slow-but-accepted pattern cannot hold a worker.
TEST_MAX_LINES = 2_000
TEST_MAX_CHARS = 512 * 1024
TEST_TIME_BUDGET_S = 2.0

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")


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


def make_matcher(pattern: str) -> MetricMatcher:
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
    matcher = make_matcher(pattern)
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


def log_lines(log_text: str, max_lines: int) -> list[str]:
    """The first ``max_lines`` lines of a pasted log."""
    # Split on "\n" only: "\r" belongs to the line (progress bars) and _match handles it.
    return log_text.split("\n", max_lines)[:max_lines]


def scan_log(matcher: MetricMatcher, log_text: str, max_lines: int) -> list[LogMatch]:
    """The lines among the first ``max_lines`` the matcher gets a value from."""
    matches: list[LogMatch] = []
    for line_no, line in enumerate(log_lines(log_text, max_lines), start=1):
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
    lines = log_lines(log_text[:max_chars], max_lines)
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
