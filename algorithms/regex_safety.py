"""Checks that a regular expression cannot freeze the thread that runs it.

Python's ``re`` is a backtracking engine: it holds the GIL and cannot be interrupted, so one
bad pattern on one unlucky line would freeze a web request or a trial runner. Two layers:

1. ``static_risk`` walks the parse tree (``re._parser``) and refuses a repeat whose body can
   match the same text in several ways (``(a+)+``, ``(a|a)*``, ``(\\w+\\s?)+``, ``(.*)*``): the
   source of exponential blow-ups. It is deliberately conservative; the one shape it lets
   through is a body with a single simple repeat and a delimiter at one edge that nothing
   else in the body can consume (``(\\d+,)*``, ``(?:,\\d+)*``, ``(\\w+\\s)+``), because then
   each iteration ends at a fixed place.
2. ``probe_risk`` times the pattern on adversarial lines, up to the longest line the matcher
   ever sees, in a child process with a hard timeout. It catches the polynomial cases the walk
   cannot judge (``.*.*.*x`` is not nested but is still too slow on a 4096-char line), and
   since the child is killed on timeout it can never hang the caller.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    # typeshed types the parser only under its old public names, which re-export
    # the same objects; importing those at run time warns on Python >= 3.11.
    import sre_constants as sre_c
    import sre_parse as sre_p
else:
    try:  # Python >= 3.11
        from re import _constants as sre_c
        from re import _parser as sre_p
    except ImportError:  # pragma: no cover - Python 3.10
        import sre_constants as sre_c
        import sre_parse as sre_p

Seq = Any  # a re._parser.SubPattern: a sequence of (op, argument) pairs

PROBE_SIZES = (64, 512, 4096)  # grow the lines so a slow pattern is caught on a short one
PROBE_LINE_BUDGET_S = 0.5  # the most one line may cost the runner: quadratic passes, cubic not
PROBE_KEEP = 8  # probes rerun at full length: the slowest at the previous size
PROBE_TIMEOUT_S = 5.0  # hard limit for the whole probe, child start-up included
_MAX_PROBES = 120

_REPEATS = (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT)
_POSSESSIVE = getattr(sre_c, "POSSESSIVE_REPEAT", None)
_ATOMIC = getattr(sre_c, "ATOMIC_GROUP", None)
_LOOKAROUNDS = (sre_c.ASSERT, sre_c.ASSERT_NOT)

# Character sets are approximated over this alphabet: enough to tell whether two parts of a
# pattern can consume the same character, which is all the walk needs.
_ALPHABET = frozenset(chr(i) for i in range(128)) | frozenset("\u00a0\u00e9\u03a9\u0663\u2028")
_CATEGORY_RE = {
    "CATEGORY_DIGIT": r"\d",
    "CATEGORY_NOT_DIGIT": r"\D",
    "CATEGORY_SPACE": r"\s",
    "CATEGORY_NOT_SPACE": r"\S",
    "CATEGORY_WORD": r"\w",
    "CATEGORY_NOT_WORD": r"\W",
    "CATEGORY_LINEBREAK": r"\n",
    "CATEGORY_NOT_LINEBREAK": r"[^\n]",
}
_CATEGORY_CHARS = {
    name: frozenset(c for c in _ALPHABET if re.fullmatch(rx, c))
    for name, rx in _CATEGORY_RE.items()
}


def _cased(c: str) -> frozenset[str]:
    # Case-insensitive flags are not tracked: assuming both cases only adds overlaps.
    return frozenset({c, c.lower(), c.upper()})


def _class_chars(items: list[tuple[Any, Any]]) -> frozenset[str]:
    chars: set[str] = set()
    negate = False
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            chars |= _cased(chr(av))
        elif op is sre_c.RANGE:
            lo, hi = av
            chars |= {c for c in _ALPHABET if lo <= ord(c) <= hi}
        elif op is sre_c.CATEGORY:
            chars |= _CATEGORY_CHARS.get(av.name, _ALPHABET)
        else:
            chars |= _ALPHABET
    return frozenset(_ALPHABET - chars) if negate else frozenset(chars)


def _leaf_chars(op: Any, av: Any) -> frozenset[str] | None:
    """Characters a one-character node can consume; None when the node is not one."""
    if op is sre_c.LITERAL:
        return _cased(chr(av))
    if op is sre_c.NOT_LITERAL:
        return _ALPHABET - {chr(av)}
    if op is sre_c.ANY:
        return _ALPHABET
    if op is sre_c.IN:
        return _class_chars(av)
    return None


def _children(op: Any, av: Any) -> list[Seq]:
    if op is sre_c.SUBPATTERN:
        return [av[3]]
    if op is _ATOMIC:
        return [av]
    if op is sre_c.BRANCH:
        return list(av[1])
    if op in _REPEATS or op is _POSSESSIVE:
        return [av[2]]
    if op in _LOOKAROUNDS:
        return [av[1]]
    if op is sre_c.GROUPREF_EXISTS:
        return [s for s in av[1:] if s is not None]
    return []


def _chars(seq: Seq) -> frozenset[str]:
    """Every character some part of ``seq`` can consume."""
    out: set[str] = set()
    for op, av in seq:
        leaf = _leaf_chars(op, av)
        if leaf is not None:
            out |= leaf
        elif op is sre_c.GROUPREF:
            out |= _ALPHABET
        else:
            for child in _children(op, av):
                out |= _chars(child)
    return frozenset(out)


def _nullable_item(op: Any, av: Any) -> bool:
    if _leaf_chars(op, av) is not None:
        return False
    if op in _REPEATS or op is _POSSESSIVE:
        return av[0] == 0 or _nullable(av[2])
    if op is sre_c.BRANCH or op is sre_c.GROUPREF_EXISTS:
        return any(_nullable(s) for s in _children(op, av))
    if op is sre_c.SUBPATTERN or op is _ATOMIC:
        return all(_nullable(s) for s in _children(op, av))
    return True  # anchors, lookarounds, back-references (may be empty)


def _nullable(seq: Seq) -> bool:
    return all(_nullable_item(op, av) for op, av in seq)


def _first(seq: Seq) -> frozenset[str]:
    """Characters that can start a match of ``seq``."""
    out: set[str] = set()
    for op, av in seq:
        leaf = _leaf_chars(op, av)
        if leaf is not None:
            return frozenset(out | leaf)
        if op in _LOOKAROUNDS:
            continue
        if op is sre_c.GROUPREF:
            out |= _ALPHABET
        for child in _children(op, av):
            out |= _first(child)
        if not _nullable_item(op, av):
            break
    return frozenset(out)


def _branches_overlap(alternatives: list[Seq]) -> bool:
    if any(_nullable(a) for a in alternatives):
        return True
    firsts = [_first(a) for a in alternatives]
    return any(firsts[i] & firsts[j] for i in range(len(firsts)) for j in range(i))


def _choices(seq: Seq, var_repeats: list[Any], overlaps: list[Any]) -> None:
    """Collect the nodes of ``seq`` that give the engine a choice to backtrack into."""
    for op, av in seq:
        if op in _REPEATS and av[0] != av[1]:
            var_repeats.append(av)
            continue
        if op in (sre_c.GROUPREF, sre_c.GROUPREF_EXISTS) or (
            op is sre_c.BRANCH and _branches_overlap(av[1])
        ):
            overlaps.append(av)
        if op in _LOOKAROUNDS:
            continue  # consumes nothing, so it cannot shift an iteration boundary
        for child in _children(op, av):
            _choices(child, var_repeats, overlaps)


def _edge_chars(seq: Seq, *, last: bool) -> frozenset[str] | None:
    """The character set of a mandatory one-character node at the start (or end) of seq."""
    items = list(seq)
    while items:
        op, av = items[-1] if last else items[0]
        if op is sre_c.SUBPATTERN:
            items = list(av[3])
        elif op is _ATOMIC:
            items = list(av)
        else:
            return _leaf_chars(op, av) if op is not sre_c.ANY else None
    return None


def _ambiguous_body(body: Seq) -> str | None:
    """Why a repeated ``body`` can match the same text in several ways, or None."""
    var_repeats: list[Any] = []
    overlaps: list[Any] = []
    _choices(body, var_repeats, overlaps)
    if not var_repeats and not overlaps:
        return None
    if not overlaps and len(var_repeats) == 1:
        inner_repeats: list[Any] = []
        inner_overlaps: list[Any] = []
        _choices(var_repeats[0][2], inner_repeats, inner_overlaps)
        consumable = _chars(var_repeats[0][2])
        if not inner_repeats and not inner_overlaps:
            for last in (False, True):
                edge = _edge_chars(body, last=last)
                if edge and not edge & consumable:
                    return None  # delimited: every iteration ends at a fixed place
    if var_repeats:
        return "a repeat inside a repeat, like (a+)+ or (\\w+\\s?)+"
    return "alternatives that can match the same text inside a repeat, like (a|a)*"


def _walk(seq: Seq) -> str | None:
    for op, av in seq:
        if op in _REPEATS and av[1] >= 2:
            reason = _ambiguous_body(av[2])
            if reason:
                return reason
        for child in _children(op, av):
            reason = _walk(child)
            if reason:
                return reason
    return None


def static_risk(pattern: str) -> str | None:
    """Why ``pattern`` risks catastrophic backtracking, or None. It must already compile."""
    return _walk(sre_p.parse(pattern))


def _literal_runs(seq: Seq, out: list[str]) -> None:
    run = ""
    for op, av in seq:
        if op is sre_c.LITERAL:
            run += chr(av)
            continue
        if run:
            out.append(run)
            run = ""
        for child in _children(op, av):
            _literal_runs(child, out)
    if run:
        out.append(run)


def _repeat_chars(seq: Seq, out: list[str]) -> None:
    # A couple of characters each repeat can eat: pumping them is what makes it backtrack.
    for op, av in seq:
        if op in _REPEATS or op is _POSSESSIVE:
            chars = _chars(av[2])
            picks = [c for c in "a0 .=:-_,%/x\t" if c in chars][:2]
            if not picks and chars:
                picks = [min(chars)]
            out.extend(picks)
        for child in _children(op, av):
            _repeat_chars(child, out)


def _probes(pattern: str) -> list[tuple[str, str, str]]:
    """(unit, prefix, suffix) triples; the child builds prefix + unit * k + suffix."""
    tree = sre_p.parse(pattern)
    literals: list[str] = []
    _literal_runs(tree, literals)
    literals = sorted(set(literals), key=len, reverse=True)[:4]
    units: list[str] = []
    _repeat_chars(tree, units)
    units += [*literals, "a", "0", " ", "a ", "0.", "a=0 ", "1e-", "\t"]
    units = list(dict.fromkeys(u for u in units if u))[:16]
    probes = [
        (unit, prefix, suffix)
        for prefix in ["", *literals]
        for unit in units
        for suffix in ("\x00", "")  # a character nothing expects forces a full failure
    ]
    return probes[:_MAX_PROBES]


_PROBE_CHILD = r"""
import json, re, sys, time
job = json.load(sys.stdin)
rx = re.compile(job["pattern"])
probes = job["probes"]
worst = [0.0, 0]
for i, size in enumerate(job["sizes"]):
    if i == len(job["sizes"]) - 1:
        probes = probes[: job["keep"]]  # only the slowest ones at full length
    timed = []
    for unit, prefix, suffix in probes:
        room = max(size - len(prefix) - len(suffix), 0)
        text = prefix + (unit * (room // len(unit) + 1))[:room] + suffix
        start = time.perf_counter()
        rx.search(text)
        took = time.perf_counter() - start
        timed.append((took, [unit, prefix, suffix]))
        if took > worst[0]:
            worst = [took, len(text)]
        if took > job["budget"]:
            print(json.dumps({"ok": False, "seconds": took, "size": len(text)}))
            sys.exit(0)
    probes = [p for _, p in sorted(timed, key=lambda t: -t[0])]
print(json.dumps({"ok": True, "seconds": worst[0], "size": worst[1]}))
"""


def probe_risk(
    pattern: str,
    *,
    max_line_chars: int = PROBE_SIZES[-1],
    line_budget_s: float = PROBE_LINE_BUDGET_S,
    timeout_s: float = PROBE_TIMEOUT_S,
) -> str | None:
    """Why ``pattern`` is too slow on adversarial lines, or None. It must already compile.

    Runs in a child process (``-I -S``: stdlib only, fast start) because a stuck ``re``
    search cannot be interrupted in-process; ``subprocess.run`` kills the child on timeout.
    """
    sizes = [s for s in PROBE_SIZES if s < max_line_chars] + [max_line_chars]
    job = json.dumps(
        {
            "pattern": pattern,
            "probes": _probes(pattern),
            "sizes": sizes,
            "budget": line_budget_s,
            "keep": PROBE_KEEP,
        }
    )  # ensure_ascii keeps the exchange independent of the child's locale
    try:
        proc = subprocess.run(
            [sys.executable, "-I", "-S", "-c", _PROBE_CHILD],
            input=job,
            capture_output=True,
            text=True,
            timeout=timeout_s,
        )
    except subprocess.TimeoutExpired:
        return f"testing it on lines of up to {max_line_chars} characters took over {timeout_s:g} s"
    except OSError as exc:
        return f"it could not be tested for speed ({exc})"
    try:
        result = json.loads(proc.stdout)
    except ValueError:
        return f"it could not be tested for speed (exit code {proc.returncode})"
    if not result["ok"]:
        return (
            f"one {result['size']}-character test line took {result['seconds']:.2f} s "
            f"(limit {line_budget_s:g} s)"
        )
    return None
