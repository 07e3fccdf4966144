"""What a script's ``--help`` says about its options, in the shape of hyperparameter rows.

Two readers fill a :class:`ScriptOptions`: ``algorithms.help_actions`` from the options
argparse itself declared (captured while ``--help`` ran), and ``algorithms.help_text``
from the printed help (click, or a parser that could not be captured). Both build rows
with the helpers here, so a flag, a toggle or a typed value reads the same either way.

Each row is a typed hyperparameter row (name, type, default, min, max, choices, required,
description). ``known`` says which of its columns the script stated rather than a reader
guessed (argparse's ``type=None`` passes strings; a type read from a default is a guess),
so that filling a table from the help only overrides what the script really says.
``guessed`` says, for each row whose type is a guess, what it was guessed from (a default,
a metavar, choices, the option's name), so the table can tell the user to check it.

Nothing here touches the ORM or Django.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

# Options the console passes itself; they are not hyperparameters.
DATA_OPTIONS = ("data_url", "train_url")
DATA_REASON = (
    "a data location: the console passes it itself when the script takes --data_url and "
    "--train_url (Data locations)"
)
MAX_OPTIONS = 200  # as many rows as a table holds
MAX_DESCRIPTION = 500


@dataclass(frozen=True)
class LeftOut:
    """An option of the script that is not a row, and why."""

    option: str
    reason: str


@dataclass
class ScriptOptions:
    """The hyperparameter rows a script's help describes, and how it takes them."""

    hyperparameters: list[dict[str, Any]] = field(default_factory=list)
    accepts_data_urls: bool = False
    has_flags: bool = False  # argparse store_true / click flags: bool_style "flag"
    # Options the script has that are not rows (positionals, data locations...), and why.
    left_out: list[LeftOut] = field(default_factory=list)
    # name -> the columns the script stated (see the module's docstring).
    known: dict[str, frozenset[str]] = field(default_factory=dict)
    # "argparse" when read from the parser's own options, "help text" when from its output.
    source: str = "help text"
    # name -> how the row's type was guessed ("from the default 0.01 --help shows").
    guessed: dict[str, str] = field(default_factory=dict)

    def add(self, row: dict[str, Any], known: set[str], *, guess: str = "") -> None:
        """Add a row (the first of a name wins), or record a data option. ``guess``: what
        the row's type was guessed from, when the script does not state it."""
        name = row["name"]
        if name in DATA_OPTIONS:
            self.accepts_data_urls = True
            self.left_out.append(LeftOut(f"--{name}", DATA_REASON))
            return
        if any(r["name"] == name for r in self.hyperparameters):
            return
        if len(self.hyperparameters) >= MAX_OPTIONS:
            self.left_out.append(LeftOut(f"--{name}", f"past the first {MAX_OPTIONS} options"))
            return
        if row["type"] == "bool" and row.pop("_flag", False):
            self.has_flags = True
        row.pop("_flag", None)
        row["description"] = row["description"][:MAX_DESCRIPTION]
        self.hyperparameters.append(row)
        self.known[name] = frozenset(known)
        if guess and "type" not in known:
            self.guessed[name] = guess

    def names(self) -> list[str]:
        return [row["name"] for row in self.hyperparameters]

    def as_dict(self) -> dict[str, Any]:
        return {
            "hyperparameters": self.hyperparameters,
            "accepts_data_urls": self.accepts_data_urls,
            "bool_style": "flag" if self.has_flags else "true_false",
            "argument_style": "equals",
            "left_out": [{"option": o.option, "reason": o.reason} for o in self.left_out],
            "read_from": self.source,
            "guessed": [
                {"name": row["name"], "type": row["type"], "how": self.guessed[row["name"]]}
                for row in self.hyperparameters
                if row["name"] in self.guessed
            ],
        }

    def guess_note(self, name: str) -> str:
        """What the table says of a row whose type was guessed ("" when it was not).

        >>> options = ScriptOptions()
        >>> options.add(new_row("epochs"), {"required"}, guess="from the option's name")
        >>> options.guess_note("epochs")
        "type str guessed from the option's name: check it"
        """
        guess = self.guessed.get(name)
        if not guess:
            return ""
        hp_type = next(r["type"] for r in self.hyperparameters if r["name"] == name)
        return f"type {hp_type} guessed {guess}: check it"


def new_row(name: str, description: str = "", *, required: bool = False) -> dict[str, Any]:
    """An untyped row: a ``str`` with no default, range or enumeration."""
    return {
        "name": name, "type": "str", "default": None, "min": None, "max": None,
        "choices": [], "required": required, "description": description.strip(), "_flag": False,
    }


def flag_row(row: dict[str, Any]) -> dict[str, Any]:
    """A bare flag (store_true, click's is_flag): true when the trial passes it; by default
    it is not passed, whatever the script's value without it is."""
    row.update(type="bool", default=False, choices=[], _flag=True)
    return row


def off_switch(row: dict[str, Any], *, on: str, off: str) -> dict[str, Any]:
    """A toggle that is on by default, as the flag that turns it off.

    A trial passes a true bool as ``--name`` and a false one as nothing, so a row ``on``
    with default true could never turn the option off; ``off`` (default false) can.

    >>> off_switch(flag_row(new_row("shuffle", "shuffle")), on="shuffle", off="no-shuffle")[
    ...     "description"]
    "shuffle (true passes --no-shuffle; the script's default is --shuffle)"
    """
    said = row["description"]
    row["name"] = off
    row["default"] = False
    row["description"] = (
        f"{said} (true passes --{off}; the script's default is --{on})"
        if said
        else f"True passes --{off}; the script's default is --{on}."
    )[:MAX_DESCRIPTION]
    return row


def common_type(values: list[Any]) -> str:
    """The row type that holds every value written as text: int, float or str.

    >>> common_type(["1", "2"]), common_type(["1", "2.5"]), common_type(["adam", "2"])
    ('int', 'float', 'str')
    """
    if all(re.fullmatch(r"[-+]?\d+", str(v)) for v in values):
        return "int"
    if all(re.fullmatch(r"[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?", str(v), re.I) for v in values):
        return "float"
    return "str"


def typed(value: Any, hp_type: str) -> Any:
    """``value`` read as ``hp_type`` when it can be (``"30"`` -> 30 for int), else as given.

    >>> typed("30", "int"), typed("0.5", "float"), typed("x", "int"), typed("True", "bool")
    (30, 0.5, 'x', True)
    """
    if hp_type == "bool":
        return as_bool(value) if isinstance(value, str) else value
    if not isinstance(value, str) or hp_type not in ("int", "float"):
        return value
    try:
        return int(value) if hp_type == "int" else float(value)
    except ValueError:
        return value


# Words of option names that say what a value is, for a help that shows no type at all
# (``--epochs EPOCHS`` with no help text). The last word that says anything decides, as
# the head of an English compound: ``lr_decay_steps`` counts steps, ``max_lr`` is a rate.
_FLOAT_WORDS = frozenset(
    "lr rate alpha beta beta1 beta2 gamma eta eta0 lambda lambd l1 l2 decay momentum dropout "
    "eps epsilon tol tolerance temperature subsample fraction frac ratio prob probability "
    "smoothing threshold clip margin".split()
)
_INT_WORDS = frozenset(
    "epochs epoch iterations iteration iters iter steps batch seed units hidden layers depth "
    "estimators patience workers neighbors neighbours rounds heads trees leaves leaf samples "
    "channels filters dim dims width k topk".split()
)
_BOOL_WORDS = frozenset(
    "shuffle standardize standardise normalize normalise average verbose augment pretrained "
    "amp".split()
)
_COUNT_PREFIXES = ("n", "num")


def type_from_name(name: str) -> str:
    """The type an option's name suggests ("" when it suggests none): a guess for a help
    that shows nothing else.

    >>> [type_from_name(n) for n in ("epochs", "learning_rate", "lr_decay_steps", "max_lr")]
    ['int', 'float', 'int', 'float']
    >>> [type_from_name(n) for n in ("n_estimators", "batchSize", "shuffle", "optimizer")]
    ['int', 'int', 'bool', '']
    """
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name)
    words = [w for w in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if w]
    for word in reversed(words):
        if word in _FLOAT_WORDS:
            return "float"
        if word in _INT_WORDS:
            return "int"
        if word in _BOOL_WORDS:
            return "bool"
    return "int" if len(words) > 1 and words[0] in _COUNT_PREFIXES else ""


def as_bool(value: str) -> bool:
    """A default shown as text, read as a bool (``True``, ``1``, ``yes``, ``on``)."""
    return value.strip().lower() in ("true", "1", "yes", "on")
