"""The create-job page: POST fields <-> the API's create shape, and the state to re-render.

The page never validates on its own: it turns what was posted into the shape the REST
API takes (``trainingjobs.specs.validate_job_spec``'s ``data``), typing each value by its
hyperparameter's type when the text reads as one (anything else goes through as typed, so
the one validator names the bad value), and maps the validator's messages back beside
their inputs. A refused submission re-renders every value and every toggle as posted.

Field names: ``algorithm``, ``name``, ``description``; one row per hyperparameter of the
algorithm as ``hp-<i>-<field>`` with a hidden ``hp-<i>-name`` (fields: ``value``,
``include`` (optional rows only), ``search`` (the range toggle), ``dist`` (``range`` or a
HyperDrive distribution), ``low``/``high``/``scale``/``step`` (a range of a number),
``values`` (multi-select of a str enumeration), ``typed`` (a typed list), and the
advanced ones ``dlow``/``dhigh``/``mu``/``sigma``/``q``/``upper``/``dvalues``);
``metric_name``, ``metric_goal``, ``metric_regex``; ``sa`` (checked search algorithms)
with ``sa-<algorithm>-<param>``; ``objective``; ``policy`` with
``policy-<policy>-<param>``; the limits by their API names; ``seed`` (a search's only:
blank sends none, so the job gets the API's default, 0); the environment table's rows as
``env-<i>-name`` and ``env-<i>-value``.

The parts live by section: ``form_rows`` (the hyperparameter rows), ``form_sections``
(search algorithms, policy, environment table) and ``form_errors`` (messages placed
beside their inputs); ``JobForm`` here puts them together.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from algorithms.models import Algorithm, Hyperparameter
from trainingjobs.form_errors import ErrorTree, merge_errors
from trainingjobs.form_rows import (
    CHECKED,
    DISTRIBUTIONS,
    initial_row,
    is_discrete,
    number,
    posted_rows,
    range_spec,
    row_context,
    row_from_post,
    typed_value,
)
from trainingjobs.form_sections import (
    environment_rows,
    policies_context,
    policy_entry,
    posted_environment,
    prefixed,
    sampler_entry,
    samplers_context,
    supported_params,
    supported_samplers,
    typed_params,
)
from trainingjobs.spec_errors import JobSpecError
from trainingjobs.spec_fields import EXTEND_FIELDS, clean_extension
from trainingjobs.spec_values import label
from trainingjobs.specs import JobSpec, validate_job_spec

__all__ = [
    "DEFAULT_LIMITS",
    "LIMITS",
    "PLACEHOLDERS",
    "ExtendForm",
    "JobForm",
    "number",
    "range_spec",
    "typed_value",
]

LIMITS = (
    "max_trials",
    "max_concurrent",
    "max_duration_minutes",
    "trial_timeout_minutes",
    "max_failed",
)


REQUIRED_LIMITS = ("max_trials", "max_concurrent")

DEFAULT_LIMITS = {
    "max_trials": "10",
    "max_concurrent": "2",
    "max_duration_minutes": "",
    "trial_timeout_minutes": "",
    "max_failed": "",
}


PLACEHOLDERS = ("trial_dir", "output_dir", "trial_id", "job_id", "data_dir")


@dataclass
class JobForm:
    """What the page posted (``raw``), and the API create shape made of it (``data``)."""

    raw: dict[str, Any]
    algorithm: Algorithm | None
    hyperparameters: list[Hyperparameter] = field(default_factory=list)

    @classmethod
    def initial(cls, algorithm: Algorithm | None) -> JobForm:
        rows = list(algorithm.hyperparameters.all()) if algorithm else []
        raw: dict[str, Any] = {
            "algorithm": str(algorithm.pk) if algorithm else "",
            "dataset": "",
            "name": "",
            "description": "",
            "rows": {hp.name: initial_row(hp) for hp in rows},
            "metric": {
                "name": algorithm.metric_name if algorithm else "",
                "goal": algorithm.metric_goal if algorithm else Algorithm.Goal.MAXIMIZE,
                "regex": algorithm.metric_regex if algorithm else "",
            },
            "selected": supported_samplers(algorithm)[:1],
            "params": supported_params(algorithm),
            "objective": "last",
            "policy": "",
            "policy_params": {},
            "limits": dict(DEFAULT_LIMITS),
            "seed": "",
            "lost_counts_as_failed": False,
            "environment": [],
        }
        return cls(raw=raw, algorithm=algorithm, hyperparameters=rows)

    @classmethod
    def from_post(cls, post: QueryDict, algorithm: Algorithm | None) -> JobForm:
        rows = list(algorithm.hyperparameters.all()) if algorithm else []
        posted = posted_rows(post)
        raw: dict[str, Any] = {
            "algorithm": post.get("algorithm", ""),
            "dataset": post.get("dataset", ""),
            "name": post.get("name", ""),
            "description": post.get("description", ""),
            "rows": {hp.name: row_from_post(hp, posted.get(hp.name)) for hp in rows},
            "metric": {
                "name": post.get("metric_name", ""),
                "goal": post.get("metric_goal", ""),
                "regex": post.get("metric_regex", ""),
            },
            "selected": post.getlist("sa"),
            "params": prefixed(post, "sa-"),
            "objective": post.get("objective", "last"),
            "policy": post.get("policy", ""),
            "policy_params": prefixed(post, "policy-"),
            "limits": {name: post.get(name, "") for name in LIMITS},
            "seed": post.get("seed", ""),
            "lost_counts_as_failed": post.get("lost_counts_as_failed", "") in CHECKED,
            "environment": posted_environment(post),
        }
        return cls(raw=raw, algorithm=algorithm, hyperparameters=rows)

    # --- raw -> the API's create shape ------------------------------------------------------

    @property
    def is_search(self) -> bool:
        return any(row["search"] and row["include"] for row in self.raw["rows"].values()) and bool(
            self.algorithm and self.algorithm.auto_search
        )

    @property
    def suggested_name(self) -> str:
        """The name a job gets when the page's Name is left blank (shown as its placeholder)."""
        return f"{self.algorithm.name if self.algorithm else 'my'}-search"

    def spec(self, owner: Any) -> JobSpec:
        """The job this page posted, checked as the API checks one (``validate_job_spec``)
        and with the page's own checks (``page_errors``). Raises ``JobSpecError`` with all
        the messages of both, by field."""
        page = self.page_errors()
        try:
            spec = validate_job_spec(owner=owner, data=self.data())
        except JobSpecError as exc:
            raise JobSpecError(merge_errors(exc.errors, page)) from None
        if page:
            raise JobSpecError(page)
        return spec

    def page_errors(self) -> dict[str, Any]:
        """What only this page can get wrong, as field errors in the API's error shape:

        - a row with its search range on and its Pass box off (``omit.<name>``): the row
          would be left out and its range dropped unsaid;
        - a search's Max trials or Max concurrent left blank (both marked required; the
          API's defaults are not the page's, and a blank is never read as a number the
          user did not type).
        """
        errors: dict[str, Any] = {}
        search_on = bool(self.algorithm and self.algorithm.auto_search)
        unpassed = {
            hp.name: [
                f"{hp.name} has a search range but is not passed: tick Pass, or turn its "
                "range off."
            ]
            for hp in self.hyperparameters
            if search_on
            and self.raw["rows"][hp.name]["search"]
            and not self.raw["rows"][hp.name]["include"]
        }
        if unpassed:
            errors["omit"] = unpassed
        if self.is_search:
            for name in REQUIRED_LIMITS:
                if not self.raw["limits"][name].strip():
                    errors[name] = [f"{label(name)} is required."]
        return errors

    def data(self) -> dict[str, Any]:
        raw = self.raw
        fixed: dict[str, Any] = {}
        omit: list[str] = []
        space: dict[str, Any] = {}
        search_on = bool(self.algorithm and self.algorithm.auto_search)
        for hp in self.hyperparameters:
            row = raw["rows"][hp.name]
            if not row["include"]:
                omit.append(hp.name)
            elif search_on and row["search"]:
                space[hp.name] = range_spec(hp.type, row, discrete=is_discrete(hp))
            elif row["value"].strip():
                fixed[hp.name] = typed_value(row["value"], hp.type)
            # A blank value is "not given": the row's default (its placeholder) runs, and a
            # row without one is left out, or named as missing if it is required.
        data: dict[str, Any] = {
            # Left blank, the name the page suggests (its placeholder) is the job's.
            "name": raw["name"].strip() or self.suggested_name,
            "description": raw["description"],
            "algorithm": number(raw["algorithm"]) if raw["algorithm"] else None,
            "dataset": raw.get("dataset") or None,
            "hyperparameters": fixed,
            "search_space": space,
            "omit": omit,
            "objective": raw["objective"],
            "lost_counts_as_failed": raw["lost_counts_as_failed"],
            # Rows, not a mapping: a name typed twice, or a value without a name, is named
            # by the validator beside its own row.
            "environment": [
                {"name": row["name"].strip(), "value": row["value"]}
                for row in raw.get("environment", [])
            ],
        }
        metric = raw["metric"]
        if any(str(v).strip() for v in metric.values()):
            data["metric"] = {key: str(value).strip() for key, value in metric.items()}
        for name in LIMITS:
            text = raw["limits"][name].strip()
            data[name] = number(text) if text else None
        if space:
            data["search_algorithms"] = [
                {
                    "name": name,
                    "params": typed_params(raw["params"].get(name, {}), sampler_entry(name)),
                }
                for name in raw["selected"]
            ]
            data["policy"] = self._policy_data()
            seed = raw["seed"].strip()
            # Blank is "not given", as the API reads an omitted seed: the job starts at 0.
            data["seed"] = number(seed) if seed else None
        else:
            # A plain single training run: one trial, no sampler, nothing to stop early,
            # nothing to seed (the seed input, hidden then, is not read, so it cannot be refused).
            data.update(search_algorithms=[], policy=None, max_trials=1, max_concurrent=1)
        return data

    def _policy_data(self) -> dict[str, Any] | None:
        name = self.raw["policy"]
        if not name:
            return None
        params = typed_params(self.raw["policy_params"].get(name, {}), policy_entry(name))
        return {"name": name, **params}

    # --- the page ---------------------------------------------------------------------------

    def context(self, errors: Mapping[str, Any] | None = None) -> dict[str, Any]:
        tree = ErrorTree(errors or {})
        raw = self.raw
        data = self.data()
        rows = [
            row_context(i, hp, raw["rows"][hp.name], tree)
            for i, hp in enumerate(self.hyperparameters)
        ]
        samplers = samplers_context(self.algorithm, raw, data, tree)
        policies = policies_context(raw, tree)
        # Taken after the rows and the cards: what they did not claim shows by its section.
        messages: dict[str, list[str]] = {
            "algorithm": tree.take("algorithm"),
            "dataset": tree.take("dataset"),
            "name": tree.take("name"),
            "description": tree.take("description"),
            "metric_name": tree.take("metric", "name") + tree.take("metric_name"),
            "metric_goal": tree.take("metric", "goal") + tree.take("metric_goal"),
            "metric_regex": tree.take("metric", "regex") + tree.take("metric_regex"),
            "metric": tree.take("metric"),
            "search_algorithms": tree.take("search_algorithms"),
            "objective": tree.take("objective"),
            "policy": tree.take("policy"),
            "lost_counts_as_failed": tree.take("lost_counts_as_failed"),
            "seed": tree.take("seed"),
            **{name: tree.take(name) for name in LIMITS},
        }
        environment = environment_rows(raw.get("environment", []), tree)
        messages["environment"] = tree.take("environment")
        # Whatever no input claimed (``__all__``, a key this page does not know) still shows.
        messages["other"] = tree.rest()
        return {
            "raw": raw,
            "suggested_name": self.suggested_name,
            "algorithm": self.algorithm,
            "search_enabled": bool(self.algorithm and self.algorithm.auto_search),
            "is_search": self.is_search,
            "rows": rows,
            "distributions": [
                {"name": name, "fields": fields, "meaning": meaning}
                for name, (fields, meaning) in DISTRIBUTIONS.items()
            ],
            "samplers": samplers,
            "policies": policies,
            "placeholders": PLACEHOLDERS,
            "environment": environment,
            "errors": messages,
            "has_errors": bool(errors),
        }


@dataclass
class ExtendForm:
    """The job page's extend form: the new totals as typed (``raw``) and the messages by
    field (``errors``: ``max_trials``, ``max_duration_minutes``, and ``other`` for the rest).

    The values are read by ``clean_extension``, as the API's extend reads them; what the
    job itself refuses (fewer trials than it has) comes back through ``refuse``.
    """

    raw: dict[str, str]
    errors: dict[str, list[str]] = field(default_factory=dict)

    @classmethod
    def from_post(cls, post: QueryDict) -> ExtendForm:
        return cls(raw={name: post.get(name, "") for name in EXTEND_FIELDS})

    def totals(self) -> dict[str, int | None] | None:
        """The new totals, or None after placing the messages of what was refused."""
        try:
            return clean_extension(self.raw)
        except JobSpecError as exc:
            self.refuse(exc.errors)
            return None

    @property
    def has_errors(self) -> bool:
        return any(self.errors.values())

    def refuse(self, errors: Mapping[str, Any]) -> None:
        tree = ErrorTree(errors)
        self.errors = {name: tree.take(name) for name in EXTEND_FIELDS}
        self.errors["other"] = tree.rest()
