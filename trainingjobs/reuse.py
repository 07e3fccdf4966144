"""A new job from a trial's values: the create form prefilled from a job and one trial.

``fixed``: every searched value of the trial becomes a fixed value (rerun the best).
``narrow``: each searched hyperparameter is searched again around the trial's value: a
range keeps a quarter of its old width each side of the value (in log space for a log
range, in exponent space for HyperDrive's ``loguniform``), inside its old bounds and on
its old step's lattice; a normal distribution is centred on the value with half its
sigma; choices keep their values.

Everything else is copied from the job: fixed values, left-out flags, the dataset, the
metric and objective, the search algorithms and their parameters, the early-termination
policy, the limits, the seed, "a lost trial counts as failed" and the environment
variables. What cannot be carried is listed in ``raw["notes"]``, which the create page
shows: anything the algorithm no longer has (a hyperparameter, a search algorithm), or a
policy the console does not know. Each range narrowed is listed in ``raw["narrowed"]``
(its name, old and new bounds), which the create page shows in a note of its own.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from algorithms.models import Hyperparameter
from algorithms.spec_display import display_value
from trainingjobs.form_rows import ADVANCED_INPUTS, DISTRIBUTIONS, is_discrete, picks_from_list
from trainingjobs.form_sections import policy_entry, sampler_entry, supported_samplers
from trainingjobs.forms import LIMITS, JobForm
from trainingjobs.models import TrainingJob, Trial

MODES = ("fixed", "narrow")
SHARE = 0.25  # of the old width, each side of the value
SIGMA_SHARE = 0.5  # of the old sigma: a narrowed range is half its old width too


def narrowed(spec: Mapping[str, Any], value: Any) -> tuple[float, float, bool] | None:
    """(low, high, log) of a narrower range around ``value``; None when not a number range.

    >>> narrowed({"type": "float", "low": 0.0, "high": 1.0}, 0.9)
    (0.65, 1.0, False)
    >>> low, high, log = narrowed({"type": "float", "low": 1e-4, "high": 1e-0, "log": True}, 1e-2)
    >>> round(low, 6), round(high, 6), log
    (0.001, 0.1, True)
    >>> narrowed({"type": "int", "low": 1, "high": 9}, 5)
    (3, 7, False)
    >>> narrowed({"type": "choice", "values": [1, 2]}, 1) is None
    True
    """
    kind = spec.get("type")
    low, high = spec.get("low"), spec.get("high")
    if kind not in ("float", "int", "uniform") or not _is_number(value):
        return None
    if low is None or high is None:
        return None
    log = bool(spec.get("log")) and low > 0 and value > 0
    if log:
        a, b, v = math.log10(low), math.log10(high), math.log10(value)
        half = (b - a) * SHARE
        new_low, new_high = 10 ** max(a, v - half), 10 ** min(b, v + half)
    else:
        half = (high - low) * SHARE
        new_low, new_high = max(low, value - half), min(high, value + half)
    if kind == "int":
        return (math.floor(new_low), math.ceil(new_high), log)
    return (_short(new_low), _short(new_high), log)


def narrowed_spec(spec: Mapping[str, Any], value: Any) -> dict[str, Any] | None:
    """A search-space spec narrowed around ``value``, of the same kind; None when there is
    nothing to narrow (a choice, or a value that is not a number of the spec).

    >>> narrowed_spec({"type": "float", "low": 0.0, "high": 1.0, "log": False, "step": 0.1}, 0.3)
    {'type': 'float', 'low': 0.0, 'high': 0.6, 'log': False, 'step': 0.1}
    >>> narrowed_spec({"type": "loguniform", "low": -8.0, "high": 0.0}, math.exp(-4))
    {'type': 'loguniform', 'low': -6.0, 'high': -2.0}
    >>> narrowed_spec({"type": "qnormal", "mu": 0.0, "sigma": 2.0, "q": 0.5}, 1.5)
    {'type': 'qnormal', 'mu': 1.5, 'sigma': 1.0, 'q': 0.5}
    """
    kind = spec.get("type")
    if not _is_number(value):
        return None
    if kind in ("float", "int", "uniform", "quniform"):
        bounds = narrowed({**spec, "type": "int" if kind == "int" else "float"}, value)
        if bounds is None:
            return None
        low, high = _on_lattice(spec, bounds[0], bounds[1]) if not bounds[2] else bounds[:2]
        return {**spec, "low": low, "high": high}
    if kind in ("loguniform", "qloguniform") and value > 0:
        exponents = {"type": "float", "low": spec.get("low"), "high": spec.get("high")}
        bounds = narrowed(exponents, math.log(value))
        return None if bounds is None else {**spec, "low": bounds[0], "high": bounds[1]}
    if kind in ("normal", "qnormal", "lognormal", "qlognormal") and _is_number(spec.get("sigma")):
        log = kind in ("lognormal", "qlognormal")
        if log and value <= 0:
            return None
        centre = math.log(value) if log else value
        return {**spec, "mu": _short(centre), "sigma": _short(spec["sigma"] * SIGMA_SHARE)}
    return None


def narrowing_note(name: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> str | None:
    """What narrowing did to ``name``'s range, for the create page's note; None when it
    changed nothing (a value at both bounds of a tiny range).

    >>> narrowing_note("eta0", {"type": "float", "low": 0.001, "high": 1.0, "log": True},
    ...                {"type": "float", "low": 0.0322, "high": 1.0, "log": True})
    'eta0: 0.001–1 → 0.0322–1 (log scale)'
    >>> narrowing_note("x", {"type": "normal", "mu": 0.0, "sigma": 2.0},
    ...                {"type": "normal", "mu": 1.5, "sigma": 1.0})
    'x: mu 0, sigma 2 → mu 1.5, sigma 1'
    """
    if "mu" in new:
        keys = ("mu", "sigma")
        was = f"mu {display_value(old.get('mu'))}, sigma {display_value(old.get('sigma'))}"
        now = f"mu {display_value(new.get('mu'))}, sigma {display_value(new.get('sigma'))}"
    else:
        keys = ("low", "high")
        was = f"{display_value(old.get('low'))}–{display_value(old.get('high'))}"
        now = f"{display_value(new.get('low'))}–{display_value(new.get('high'))}"
    if all(old.get(key) == new.get(key) for key in keys):
        return None
    kind = new.get("type")
    unit = ""
    if kind in ("loguniform", "qloguniform"):
        unit = " (exponents of e)"
    elif kind in ("lognormal", "qlognormal"):
        unit = " (of the value's natural log)"
    elif new.get("log"):
        unit = " (log scale)"
    return f"{name}: {was} → {now}{unit}"


def row_for_spec(hp: Hyperparameter, spec: Mapping[str, Any]) -> dict[str, Any]:
    """The create form's row fields that search ``spec`` (the inverse of
    ``form_rows.range_spec``): a plain range, a list of values, or an advanced
    (HyperDrive) distribution with its inputs."""
    kind = spec.get("type")
    row: dict[str, Any] = {"include": True, "search": True, "dist": "range"}
    if kind in ("float", "int"):
        step = spec.get("step")
        row.update(
            low=display_value(spec.get("low")),
            high=display_value(spec.get("high")),
            scale="log" if spec.get("log") else "linear",
            # An int range's step of 1 is the page's default (a blank step).
            step="" if step is None or (kind == "int" and step == 1) else display_value(step),
        )
    elif kind == "choice":
        values = list(spec.get("values") or [])
        shown = [display_value(v) for v in values]
        if hp.type == "bool" and sorted(values) == [False, True]:
            pass  # "Both values": the plain range of a bool
        elif picks_from_list(hp) or is_discrete(hp):
            row["values"] = shown
        elif hp.type == "str":
            row["typed"] = ", ".join(shown)
        else:
            row.update(dist="choice", dvalues=", ".join(shown))
    elif kind in DISTRIBUTIONS:
        row["dist"] = kind
        for name in DISTRIBUTIONS[str(kind)][0]:
            row[ADVANCED_INPUTS[name]] = display_value(spec.get(name))
    return row


def form_from_trial(job: TrainingJob, trial: Trial, *, mode: str) -> JobForm:
    """The create form for a new job from ``trial``'s values (``mode``: fixed or narrow)."""
    form = JobForm.initial(job.algorithm)
    raw = form.raw
    # The two links of one trial make two jobs: their names tell them apart.
    how = "narrowed" if mode == "narrow" else "fixed"
    raw["name"] = f"{job.name} from trial {trial.number} ({how})"[:128]
    raw["description"] = job.description
    raw["dataset"] = str(job.dataset_id or "")
    raw["metric"] = {"name": job.metric_name, "goal": job.metric_goal, "regex": job.metric_regex}
    raw["objective"] = job.objective
    raw["limits"] = {
        name: "" if getattr(job, name) is None else str(getattr(job, name)) for name in LIMITS
    }
    raw["seed"] = str(job.seed)
    raw["lost_counts_as_failed"] = job.lost_counts_as_failed
    raw["environment"] = [{"name": k, "value": v} for k, v in job.environment.items()]
    notes = _copy_search_settings(job, raw)
    raw["narrowed"] = []  # what each narrowed range was and is, filled by _copy_rows
    notes += _copy_rows(job, trial, form, mode=mode)
    raw["notes"] = notes
    return form


def _copy_search_settings(job: TrainingJob, raw: dict[str, Any]) -> list[str]:
    """The job's search algorithms (with their parameters) and policy into ``raw``; a
    note for each search algorithm the algorithm no longer supports."""
    notes: list[str] = []
    # By canonical name: a job or an algorithm may hold an alias (tpe_search for tpe).
    supported = {_sampler_key(name): name for name in supported_samplers(job.algorithm)}
    selected = []
    for item in job.search_algorithms:
        name = str(item.get("name", ""))
        card = supported.get(_sampler_key(name))
        if card is None:
            notes.append(f"Search algorithm {name} is left out: {job.algorithm.name} no "
                         "longer supports it.")
            continue
        selected.append(card)
        params = item.get("params") or {}
        raw["params"][card] = {k: display_value(v) for k, v in params.items()}
    if selected:
        raw["selected"] = selected
    policy = dict(job.policy or {})
    name = str(policy.pop("name", "") or "")
    entry = policy_entry(name) if name else None
    if entry is not None and entry["name"] != "none":
        # The page's select lists each policy by its canonical name (median_stopping).
        name = entry["name"]
        raw["policy"] = name
        raw["policy_params"] = {name: {k: display_value(v) for k, v in policy.items()}}
    elif name and entry is None:
        notes.append(f"Early-termination policy {name} is left out: the console does not "
                     "know it.")
    return notes


def _sampler_key(name: str) -> str:
    entry = sampler_entry(name)
    return str(entry["name"] if entry else name).lower()


def _copy_rows(job: TrainingJob, trial: Trial, form: JobForm, *, mode: str) -> list[str]:
    """Each hyperparameter row as the job had it, its searched value fixed or narrowed."""
    raw = form.raw
    for hp in form.hyperparameters:
        row = raw["rows"][hp.name]
        spec = job.search_space.get(hp.name)
        if hp.name in job.omitted:
            row["include"] = False
        elif hp.name in job.fixed:
            row.update(include=True, search=False, value=display_value(job.fixed[hp.name]))
        if hp.name in trial.params:
            row.update(include=True, search=False, value=display_value(trial.params[hp.name]))
        if spec is None or (mode == "fixed" and hp.name in trial.params):
            continue
        # Narrowed around the trial's value; a spec with nothing to narrow (a choice), or
        # a trial without the value, is searched again as it was.
        value = trial.params.get(hp.name)
        narrower = narrowed_spec(spec, value)
        row.update(row_for_spec(hp, narrower or spec))
        note = narrowing_note(hp.name, spec, narrower) if narrower else None
        if note:
            raw["narrowed"].append(note)
    known = {hp.name for hp in form.hyperparameters}
    gone = sorted({*job.fixed, *job.search_space, *job.omitted} - known)
    if gone:
        return [f"{', '.join(gone)}: no longer a hyperparameter of {job.algorithm.name}, "
                "left out."]
    return []


def _on_lattice(spec: Mapping[str, Any], low: float, high: float) -> tuple[float, float]:
    """``low`` and ``high`` moved out to the old range's lattice ``low + k * step``, so
    the narrowed range offers the same values the old one did near the trial's."""
    step, origin, end = (_as_float(spec.get(key)) for key in ("step", "low", "high"))
    if step is None or origin is None or end is None or step <= 0:
        return low, high
    first = math.floor((low - origin) / step + 1e-9)
    last = math.ceil((high - origin) / step - 1e-9)
    new_low, new_high = origin + first * step, min(end, origin + last * step)
    if spec.get("type") == "int":
        return int(round(new_low)), int(round(new_high))
    return _short(new_low, 12), _short(new_high, 12)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _as_float(value: Any) -> float | None:
    return float(value) if _is_number(value) else None


def _short(value: float, digits: int = 6) -> float:
    return float(f"{value:.{digits}g}")
