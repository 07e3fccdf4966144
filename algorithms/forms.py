"""The create/edit algorithm page: POST fields <-> the JSON spec, and the state to re-render.

Validation itself lives in ``algorithms.validation`` (shared with the API); this module
only maps the page's fields onto the spec and maps messages back beside their inputs, so
that a refused submission re-renders every value the user typed.

Field names: ``name``, ``description``, ``code_source`` (upload | server_path), ``code``
(file), ``pending_code`` (token of a kept upload), ``server_path``, ``boot_file``,
``engine``; hyperparameter rows as ``hp-<i>-<column>`` (rows ordered by ``i``, the page's JS
renumbers them on every change); ``auto_search``, ``metric_name``, ``metric_goal``,
``metric_regex``, ``sample_log``; ``sa`` (checked search algorithms), ``sa_order`` (their
names in the order ticked, kept by the page's script; the first is a job's default) and
``sa-<algorithm>-<param>`` for their parameters, where ``<algorithm>`` is the name the
sampler is selected under (its canonical name, or the ModelArts alias it was saved with).

A text field too large to read (a 20 MB paste into the sample log) reaches this module as
``oversized``, name -> bytes sent (``console.multipart`` leaves it out of the POST): the
page comes back with a message on that field and every other value kept.

This module reads the POST (the fields, the code package: a new upload, a kept one or a
server folder) and turns it into the spec; what the page draws from it (the table's rows,
the search algorithm cards, the ``--help`` offer) is ``algorithms.form_page``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.files import File
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from algorithms import pending
from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.form_page import (
    help_context,
    help_offer,
    raw_from_instance,
    rows_context,
    samplers_context,
)
from algorithms.help_merge import MergeReport, merge_from_help
from algorithms.hyperparameter_rules import HP_TYPES
from algorithms.models import Algorithm, Engine
from algorithms.script_help import read_options
from algorithms.spec_values import TRUE_STRINGS
from algorithms.validation import MAX_SAMPLE_LOG_CHARS

# help_offer lives with the rest of what the page draws (form_page); the pages import it
# from here too.
__all__ = ["HP_COLUMNS", "AlgorithmForm", "help_offer", "oversized_errors"]

HP_COLUMNS = ("name", "type", "default", "min", "max", "choices", "required", "description")
_HP_KEY = re.compile(r"^hp-(\d{1,4})-name$")
# A field left out as too large: where the page shows its message, and its label there.
_OVERSIZED_PLACES = {
    "sample_log": ("sample_log", "sample log"),
    "description": ("description", "description"),
    "metric_regex": ("metric.regex", "metric regex"),
    "name": ("name", "name"),
    "boot_file": ("boot_file", "boot file"),
    "server_path": ("server_path", "server folder"),
}


@dataclass
class AlgorithmForm:
    """What the page posted: the raw values, and the spec and code to hand to a service."""

    raw: dict[str, Any]
    spec: dict[str, Any]
    code: File | None = None
    server_path: str = ""
    pending_token: str = ""
    upload: File | None = field(default=None, repr=False)
    # The file chosen for this post (new, or a kept one now gone): the banner names it.
    chosen_name: str = ""
    # Fields the page could not read (too large): refused before any service is called.
    refused: AlgorithmErrors = field(default_factory=AlgorithmErrors)
    # What filling the table from the script's --help did (None when it was not filled).
    merged: MergeReport | None = None

    @classmethod
    def from_post(
        cls,
        data: QueryDict,
        files: MultiValueDict[str, Any],
        *,
        user_id: int,
        instance: Algorithm | None = None,
        oversized: Mapping[str, int] | None = None,
    ) -> AlgorithmForm:
        raw = _raw_from_post(data)
        form = cls(raw=raw, spec=_spec_from_raw(raw), refused=oversized_errors(oversized or {}))
        source = raw["code_source"]
        # As posted (blank when absent): the service refuses "Upload" without a file on an
        # algorithm that uses a server folder, instead of silently keeping the folder.
        form.spec["code_source"] = data.get("code_source", "")
        if source == Algorithm.CodeSource.SERVER_PATH:
            path = raw["server_path"].strip()
            unchanged = (
                instance is not None
                and instance.code_source == Algorithm.CodeSource.SERVER_PATH
                and path == instance.server_path
            )
            # Re-posting the stored path is "keep the package", not a new one to validate.
            form.server_path = "" if unchanged else path
            return form
        form.upload = files.get("code")
        token = data.get("pending_code", "")
        if form.upload:
            form.code = form.upload
            form.chosen_name = form.upload.name or ""  # Django keeps the base name only
            if token:
                pending.pending_discard(user_id=user_id, token=token)
        elif token:
            form.code = pending.pending_open(user_id=user_id, token=token)
            form.pending_token = token if form.code else ""
            form.chosen_name = pending.pending_name(token)
        return form

    @classmethod
    def initial(cls, instance: Algorithm | None = None) -> AlgorithmForm:
        if instance is None:
            raw = _raw_from_post(QueryDict())
            raw["code_source"] = Algorithm.CodeSource.UPLOAD
            raw["metric"]["goal"] = Algorithm.Goal.MAXIMIZE
            return cls(raw=raw, spec={})
        return cls(raw=raw_from_instance(instance), spec={})

    def fill_from_help(self, instance: Algorithm) -> bool:
        """Merge the table the script's ``--help`` describes into the one on the page, for
        review (``algorithms.help_merge``); False when the help describes no option."""
        options = read_options(instance.script_help, instance.script_arguments)
        if not options.hyperparameters:
            return False
        self.merged = merge_from_help(self.raw, options)
        return True

    def keep_upload(self, errors: AlgorithmErrors, *, user_id: int) -> None:
        """After a refusal: store a fresh upload the code checks accepted, for the next post."""
        if self.upload and "code" not in errors.fields:
            self.pending_token = pending.pending_store(user_id=user_id, upload=self.upload)
        elif self.upload:
            self.pending_token = ""

    def finish(self, *, user_id: int) -> None:
        """After success: the kept upload is now the algorithm's package."""
        self.close()
        if self.pending_token and not self.upload:
            pending.pending_discard(user_id=user_id, token=self.pending_token)

    def close(self) -> None:
        if self.code is not None and self.code is not self.upload:
            self.code.close()

    def context(
        self, errors: AlgorithmErrors | None = None, instance: Algorithm | None = None
    ) -> dict[str, Any]:
        errors = errors or AlgorithmErrors()
        raw, kept = self.raw, pending.pending_name(self.pending_token)
        return {
            "raw": raw,
            "errors": {key.replace(".", "_"): msgs for key, msgs in errors.fields.items()},
            "has_errors": bool(errors),
            "rows": rows_context(
                raw["hyperparameters"], errors, self.merged.status() if self.merged else {}
            ),
            "hp_types": HP_TYPES,
            "argument_styles": Algorithm.ArgumentStyle.choices,
            "bool_styles": Algorithm.BoolStyle.choices,
            "samplers": samplers_context(raw, self.spec, errors),
            "engines": list(Engine.objects.all()),
            "pending_token": self.pending_token,
            "pending_name": kept,
            "file_note": pending.refused_file_note(kept=kept, chosen=self.chosen_name),
            "instance": instance,
            "help": help_context(raw, instance, self.merged),
        }


def oversized_errors(oversized: Mapping[str, int]) -> AlgorithmErrors:
    """A message for each field left out as too large (name -> bytes sent), on its field.

    >>> oversized_errors({"sample_log": 20 * 2**20}).fields["sample_log"][0][:40]
    'The sample log you pasted is 20.0 MB, to'
    """
    errors = AlgorithmErrors()
    for name, size in oversized.items():
        key, label = _OVERSIZED_PLACES.get(name, ("non_field", f"field '{name[:64]}'"))
        message = (
            f"The {label} you pasted is {size / 2**20:.1f} MB, too large for the form to "
            "read, so it was left out and nothing was saved."
        )
        if name == "sample_log":
            message += (
                f" At most {MAX_SAMPLE_LOG_CHARS // 2**20} million characters are kept: paste "
                "the part around the lines that print the metric."
            )
        errors.add(key, message)
    return errors


# --- POST -> raw -> spec ---------------------------------------------------------------------


def _raw_from_post(data: QueryDict) -> dict[str, Any]:
    indices = sorted(int(m.group(1)) for key in data if (m := _HP_KEY.match(key)))
    rows = []
    for i in indices:
        row: dict[str, str | bool] = {
            col: data.get(f"hp-{i}-{col}", "") for col in HP_COLUMNS if col != "required"
        }
        row["required"] = data.get(f"hp-{i}-required", "") in TRUE_STRINGS
        # A row the user added and left untouched is not a row: drop it silently.
        if any(str(row[c]).strip() for c in ("name", "default", "min", "max", "choices",
                                              "description")):
            rows.append(row)
    params: dict[str, dict[str, str]] = {}
    for key in data:
        if key.startswith("sa-") and key.count("-") >= 2:
            _, algo, param = key.split("-", 2)
            params.setdefault(algo, {})[param] = data.get(key, "")
    return {
        "name": data.get("name", ""),
        "description": data.get("description", ""),
        "code_source": data.get("code_source", Algorithm.CodeSource.UPLOAD),
        "server_path": data.get("server_path", ""),
        "boot_file": data.get("boot_file", ""),
        "engine": data.get("engine", ""),
        "argument_style": data.get("argument_style", ""),
        "bool_style": data.get("bool_style", ""),
        "accepts_data_urls": data.get("accepts_data_urls", "") in TRUE_STRINGS,
        "hyperparameters": rows,
        "auto_search": data.get("auto_search", "") in TRUE_STRINGS,
        "metric": {
            "name": data.get("metric_name", ""),
            "goal": data.get("metric_goal", ""),
            "regex": data.get("metric_regex", ""),
        },
        "sample_log": data.get("sample_log", ""),
        "confirm_no_match": data.get("confirm_no_match", "") in TRUE_STRINGS,
        "selected": _in_order_ticked(data.getlist("sa"), data.get("sa_order", "")),
        "params": params,
    }


def _in_order_ticked(selected: list[str], order: str) -> list[str]:
    """The ticked search algorithms in the order they were ticked (the page's script keeps
    it in ``sa_order``); any it does not name follow in the page's order. The first is the
    default a job starts with.

    >>> _in_order_ticked(["random", "tpe"], "tpe,random"), _in_order_ticked(["random"], "")
    (['tpe', 'random'], ['random'])
    """
    ticked = [name for name in order.split(",") if name in selected]
    ticked = list(dict.fromkeys(ticked))
    return ticked + [name for name in selected if name not in ticked]


def _spec_from_raw(raw: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": raw["name"],
        "description": raw["description"],
        "boot_file": raw["boot_file"],
        "engine": raw["engine"] or None,
        "argument_style": raw["argument_style"],
        "bool_style": raw["bool_style"],
        "accepts_data_urls": raw["accepts_data_urls"],
        "hyperparameters": [dict(row) for row in raw["hyperparameters"]],
        "auto_search": raw["auto_search"],
        "sample_log": raw["sample_log"],
        "confirm_no_match": raw["confirm_no_match"],
        "metric": dict(raw["metric"]),
        "search_algorithms": [
            {"name": name, "params": dict(raw["params"].get(name, {}))}
            for name in raw["selected"]
        ],
    }
