"""The command line and environment of one trial: pure functions, no ORM, no Django.

A trial runs ``[python, boot_file, --name=value, ...]`` as an argument list (never a shell
string), so a value with spaces, quotes or ``;`` reaches the script as one argument.

Rendering (``render_value``):
- int: no decimal point (``--epochs=2``, never ``2.0``); an integral float such as ``2.0``
  (what a quantised sampler may return) is accepted and rendered ``2``.
- float: ``repr`` (full precision: ``0.1``, ``1e-05``, ``0.30000000000000004``, ``inf``, ``nan``).
- bool, per the algorithm's ``bool_style``: ``true``/``false``, ``1``/``0``, or ``flag``: a bare
  ``--name`` when true and nothing at all when false (argparse ``store_true``, click ``is_flag``).
- str: as is, with placeholders filled.

Placeholders (in str values): ``{trial_dir}``, ``{output_dir}``, ``{trial_id}``, ``{job_id}``,
``{data_dir}``. Literal braces are written doubled, ``{{`` and ``}}`` (as in ``str.format``);
any other ``{name}`` or a lone brace raises ``PlaceholderError`` naming it. Only plain names are
recognised: ``{trial_dir.__class__}`` or ``{trial_dir:>9}`` are unknown placeholders, not format
specs, so a value can never reach into Python objects.
"""

from __future__ import annotations

import numbers
import os
import re
from collections.abc import Iterable, Mapping
from typing import Any

PLACEHOLDERS = ("trial_dir", "output_dir", "trial_id", "job_id", "data_dir")
ARGUMENT_STYLES = ("equals", "space")
BOOL_STYLES = ("true_false", "one_zero", "flag")
HP_TYPES = ("float", "int", "str", "bool")
# Thread pools of the numeric libraries a training script is likely to load.
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "TORCH_NUM_THREADS")
# Set by the console for every trial (``trial_env``): a job cannot override them.
CONSOLE_VARS = ("DATA_URL", "TRAIN_URL", "TRIAL_ID", "JOB_ID")
# The console's own secrets never reach a trial: it runs a user's code, which could sign
# sessions with SECRET_KEY or open the database, the queue or the object store directly.
CONSOLE_SECRETS = frozenset({"SECRET_KEY", "ADMIN_PASSWORD", "DATABASE_URL", "REDIS_URL"})
CONSOLE_SECRET_PREFIXES = ("STORAGE_S3_",)
# The worker's own credentials, read by boto3 and libpq from the environment (object store
# and database), are not passed on either; a job may still give its trials its own.
WORKER_CREDENTIALS = frozenset(
    {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "PGPASSWORD", "PGPASSFILE"}
)
SLOT_PLACEHOLDERS = ("slot",)

# "{{" and "}}" are escapes; "{...}" without braces inside is a placeholder; any other brace
# is a lone one (an error, so a typo never passes silently).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")


class PlaceholderError(ValueError):
    """A text with an unknown placeholder, a lone brace, or a placeholder with no value.

    ``name`` is the offending placeholder's name (``""`` for a lone brace); the message names
    it in braces and is meant to be shown to the user as is.
    """

    def __init__(self, message: str, *, name: str = "") -> None:
        super().__init__(message)
        self.name = name


def _known_list(allowed: tuple[str, ...]) -> str:
    names = [f"{{{name}}}" for name in allowed]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]


def _substitute(text: str, allowed: tuple[str, ...], context: Mapping[str, str] | None) -> str:
    """``text`` with placeholders replaced from ``context`` (None: only check the text)."""

    def replace(match: re.Match[str]) -> str:
        token = match.group(0)
        if token == "{{":
            return "{"
        if token == "}}":
            return "}"
        name = match.group(1)
        if name is None:
            raise PlaceholderError(
                f"Lone '{token}' at position {match.start()} in {text!r}: "
                "write {{ and }} for literal braces."
            )
        if name not in allowed:
            raise PlaceholderError(
                f"Unknown placeholder {token} in {text!r}: use {_known_list(allowed)}; "
                "write {{ and }} for literal braces.",
                name=name,
            )
        if context is None:
            return token
        if name not in context:
            raise PlaceholderError(f"No value for placeholder {token} in {text!r}.", name=name)
        return str(context[name])

    return _TOKEN.sub(replace, text)


def check_placeholders(text: str) -> None:
    """Raise ``PlaceholderError`` (naming the ``{name}``) unless every placeholder in ``text``
    is one of ``PLACEHOLDERS`` and every literal brace is doubled.

    >>> check_placeholders("--ckpt={trial_dir}/ckpt {{literal}}")
    >>> check_placeholders("{lr}")
    Traceback (most recent call last):
    ...
    trainingjobs.command.PlaceholderError: Unknown placeholder {lr} in '{lr}': use ...
    """
    _substitute(text, PLACEHOLDERS, None)


def fill_placeholders(text: str, context: Mapping[str, str]) -> str:
    """``text`` with each ``{name}`` replaced by ``context[name]`` and ``{{``/``}}`` by braces.

    ``context`` maps placeholder names (see ``PLACEHOLDERS``) to their values for one trial.
    Raises ``PlaceholderError`` for an unknown placeholder, a lone brace, or a known
    placeholder missing from ``context``.

    >>> fill_placeholders("{trial_dir}/ckpt-{{n}}", {"trial_dir": "/w/7"})
    '/w/7/ckpt-{n}'
    """
    return _substitute(text, PLACEHOLDERS, context)


def _as_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    # numpy.bool_ is not a bool subclass; 0/1 integers are what some encoders produce.
    if isinstance(value, numbers.Integral) and int(value) in (0, 1):
        return bool(value)
    item = getattr(value, "item", None)
    if callable(item) and isinstance(item(), bool):
        return bool(item())
    raise ValueError(f"A bool hyperparameter needs true or false, got {value!r}.")


def render_value(value: Any, hp_type: str, *, bool_style: str = "true_false") -> str | None:
    """The text passed on the command line for ``value`` of a hyperparameter of ``hp_type``
    (``"float"``, ``"int"``, ``"str"`` or ``"bool"``).

    Returns None when no argument is passed at all: ``value`` is None (an omitted optional
    hyperparameter), or a false bool in ``bool_style="flag"``. A true bool in ``"flag"`` style
    returns ``""``: the caller passes the bare ``--name``. Raises ValueError for an unknown
    type or style, or a value of the wrong kind (a bool for an int, ``2.5`` for an int, text
    for a float).

    >>> render_value(2.0, "int"), render_value(0.1, "float"), render_value(True, "bool")
    ('2', '0.1', 'true')
    >>> render_value(False, "bool", bool_style="flag") is None
    True
    """
    if bool_style not in BOOL_STYLES:
        raise ValueError(f"bool_style must be one of {', '.join(BOOL_STYLES)}, got {bool_style!r}.")
    if value is None:
        return None
    if hp_type == "int":
        if isinstance(value, bool):
            raise ValueError(f"An int hyperparameter got a bool, {value!r}.")
        if isinstance(value, numbers.Integral):
            return str(int(value))
        if isinstance(value, numbers.Real) and float(value).is_integer():
            return str(int(float(value)))
        raise ValueError(f"An int hyperparameter needs a whole number, got {value!r}.")
    if hp_type == "float":
        if isinstance(value, bool) or not isinstance(value, numbers.Real):
            raise ValueError(f"A float hyperparameter needs a number, got {value!r}.")
        # float() first: numpy scalars' repr is "np.float64(0.1)".
        return repr(float(value))
    if hp_type == "bool":
        flag = _as_bool(value)
        if bool_style == "true_false":
            return "true" if flag else "false"
        if bool_style == "one_zero":
            return "1" if flag else "0"
        return "" if flag else None
    if hp_type == "str":
        return value if isinstance(value, str) else str(value)
    raise ValueError(f"hp_type must be one of {', '.join(HP_TYPES)}, got {hp_type!r}.")


def _option(name: str, text: str, argument_style: str) -> list[str]:
    if argument_style == "equals":
        return [f"--{name}={text}"]
    return [f"--{name}", text]


def build_argv(
    *,
    python: str,
    boot_file: str,
    values: Mapping[str, Any],
    types: Mapping[str, str],
    argument_style: str,
    bool_style: str,
    data_url: str | None,
    train_url: str | None,
    context: Mapping[str, str],
) -> list[str]:
    """The argument list of one trial: ``[python, boot_file, *options]``.

    ``values``: {hyperparameter name: typed value}, in hyperparameter-table order (the
    options keep that order); omitted optional hyperparameters are simply absent (or None).
    ``types``: {name: "float"|"int"|"str"|"bool"} for every name in ``values``.
    ``argument_style``: ``"equals"`` (``--lr=0.1``, one argument) or ``"space"`` (``--lr``,
    ``0.1``: two arguments; note that argparse then reads a str value starting with ``-`` as an
    option, which ``"equals"`` avoids). ``bool_style``: see ``render_value``.
    ``context``: placeholder values for this trial, filled into str values only.
    ``--data_url``/``--train_url`` are appended, in that order, only when not None: many
    scripts reject unknown flags (argparse exits 2), so the caller passes them only when the
    algorithm declares it takes them (they are in the environment either way, see
    ``trial_env``).

    Raises ValueError for an unknown style, a name missing from ``types``, or a bad value
    (``render_value``), and ``PlaceholderError`` for a bad placeholder.

    >>> build_argv(python="python3", boot_file="train.py", values={"epochs": 2, "amp": True},
    ...            types={"epochs": "int", "amp": "bool"}, argument_style="space",
    ...            bool_style="flag", data_url=None, train_url=None, context={})
    ['python3', 'train.py', '--epochs', '2', '--amp']
    """
    if argument_style not in ARGUMENT_STYLES:
        raise ValueError(
            f"argument_style must be one of {', '.join(ARGUMENT_STYLES)}, got {argument_style!r}."
        )
    argv = [python, boot_file]
    for name, value in values.items():
        if name not in types:
            raise ValueError(f"No type given for hyperparameter {name!r}.")
        hp_type = types[name]
        text = render_value(value, hp_type, bool_style=bool_style)
        if text is None:
            continue
        if hp_type == "bool" and bool_style == "flag":
            argv.append(f"--{name}")
            continue
        if hp_type == "str":
            text = fill_placeholders(text, context)
        argv += _option(name, text, argument_style)
    for name, url in (("data_url", data_url), ("train_url", train_url)):
        if url is not None:
            argv += _option(name, url, argument_style)
    return argv


def threads_per_trial(concurrent: int, *, cores: int | None = None) -> int:
    """Threads each trial may use: ``cores // concurrent``, at least 1.

    ``concurrent``: trials running at once on this worker host. ``cores``: CPUs this process
    may run on (default: the scheduler affinity mask, which respects container CPU sets).
    """
    if cores is None:
        try:
            cores = len(os.sched_getaffinity(0))
        except (AttributeError, OSError):
            cores = os.cpu_count() or 1
    return max(1, cores // max(1, concurrent))


def slot_env(template: str, slot: int) -> dict[str, str]:
    """The variables of a per-slot env template for slot ``slot`` (0-based index of the
    concurrent trial on this worker).

    ``template``: ``NAME=VALUE`` items separated by spaces or ``;``, where VALUE may hold
    ``{slot}`` (``{{``/``}}`` for literal braces); ``""`` gives no variables. Raises
    ``PlaceholderError`` for another placeholder and ValueError for an item that is not
    ``NAME=VALUE`` with a valid variable name. Call it with ``slot=0`` to validate a setting.

    >>> slot_env("CUDA_VISIBLE_DEVICES={slot}; HIP_VISIBLE_DEVICES={slot}", 1)
    {'CUDA_VISIBLE_DEVICES': '1', 'HIP_VISIBLE_DEVICES': '1'}
    """
    env: dict[str, str] = {}
    for item in re.split(r"[\s;]+", template.strip()):
        if not item:
            continue
        name, sep, value = item.partition("=")
        if not sep or not _ENV_NAME.match(name):
            raise ValueError(f"A slot env item must be NAME=VALUE, got {item!r}.")
        env[name] = _substitute(value, SLOT_PLACEHOLDERS, {"slot": str(slot)})
    return env


def trial_env(
    base: Mapping[str, str],
    *,
    job_id: int | str,
    trial_id: int | str,
    data_url: str | None,
    train_url: str | None,
    threads: int,
    slot: int,
    slot_template: str,
    algorithm_sets: Iterable[str],
) -> dict[str, str]:
    """The environment of one trial, built on ``base`` (the worker's environment with the
    job's own variables already merged in; ``algorithm_sets``: the names the job sets).

    - ``DATA_URL``, ``TRAIN_URL`` (``""`` when None), ``TRIAL_ID`` and ``JOB_ID``: always set.
    - ``OMP_NUM_THREADS``, ``MKL_NUM_THREADS``, ``OPENBLAS_NUM_THREADS``, ``TORCH_NUM_THREADS``
      = ``threads`` (see ``threads_per_trial``), except those named in ``algorithm_sets`` (the
      variables the algorithm sets itself: its value in ``base`` is kept).
    - The variables of ``slot_template`` for ``slot`` (see ``slot_env``), e.g.
      ``CUDA_VISIBLE_DEVICES={slot}`` so concurrent trials use different accelerators; the
      worker's template wins over ``base``, since it is what keeps trials apart.
    - ``PYTHONUNBUFFERED=1`` unless ``base`` sets it: a Python script writing to a pipe
      buffers its output in blocks, so without it metrics would reach the monitor late (and
      early termination would act on old curves).

    Raises ValueError (or ``PlaceholderError``) for a bad ``slot_template``, and ValueError
    for ``threads`` < 1.
    """
    if threads < 1:
        raise ValueError(f"threads must be >= 1, got {threads}.")
    env = dict(base)
    env.setdefault("PYTHONUNBUFFERED", "1")
    kept = set(algorithm_sets)
    for name in THREAD_VARS:
        if name not in kept:
            env[name] = str(threads)
    env.update(slot_env(slot_template, slot))
    env["DATA_URL"] = data_url or ""
    env["TRAIN_URL"] = train_url or ""
    env["TRIAL_ID"] = str(trial_id)
    env["JOB_ID"] = str(job_id)
    return env
