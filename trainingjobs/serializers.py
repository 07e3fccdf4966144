"""Input and output shapes of the training-jobs API.

Create (JSON)::

    {"name", "description", "algorithm": id,
     "hyperparameters": {name: value}, "search_space": {name: search.SearchSpace JSON},
     "omit": [names], "search_algorithms": [{"name", "params"}],
     "metric": {"name", "goal", "regex"}, "objective": "last" | "best",
     "policy": {"name", ...params} | null, "max_trials", "max_concurrent",
     "max_duration_minutes", "trial_timeout_minutes", "max_failed", "lost_counts_as_failed",
     "environment": {NAME: value}}

A job reads back in the same shape (so a job's JSON can be posted again), plus ``id``,
``owner``, ``algorithm_name``, ``dataset_name`` (null without a dataset), ``status``,
``status_reason``, ``trial_counts`` (trials per status), ``best_trial`` (``id``,
``number``, ``params``, ``value``) and its times.

Errors (HTTP 400) carry the create page's messages, nested like the input, with DRF's
``non_field_errors`` for a message about a whole entry::

    {"search_space": {"lr": {"low": ["lr: low must be less than high, got low=1, high=0.1."]}},
     "search_algorithms": {"0": {"params": {"gamma": ["..."]}}},
     "max_concurrent": ["..."], "non_field_errors": ["..."]}

Every rule lives in ``trainingjobs.specs.validate_job_spec`` (shared with the page): the
input serializer only hands the body over, so the API never answers with other words.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import empty

from algorithms.serializers import AlgorithmListQuerySerializer
from trainingjobs.models import MetricPoint, TrainingJob, Trial
from trainingjobs.spec_fields import clean_extension
from trainingjobs.specs import JobSpec, JobSpecError, validate_job_spec

NON_FIELD = "non_field_errors"
# The log's end a trial's JSON carries: at most this many lines of its last characters.
LOG_TAIL_LINES = 200
LOG_TAIL_CHARS = 64 * 1024


def errors_to_api(errors: Mapping[str, Any]) -> dict[str, Any]:
    """``JobSpecError.errors`` with every ``__all__`` spelt as DRF's ``non_field_errors``
    (the key the algorithms API uses too).

    >>> errors_to_api({"__all__": ["x"], "policy": {"__all__": ["y"], "name": ["z"]}})
    {'non_field_errors': ['x'], 'policy': {'non_field_errors': ['y'], 'name': ['z']}}
    """
    out: dict[str, Any] = {}
    for key, value in errors.items():
        name = NON_FIELD if key == "__all__" else key
        out[name] = errors_to_api(value) if isinstance(value, Mapping) else list(value)
    return out


def json_number(value: float | None) -> float | str | None:
    """A metric value as JSON can carry it: NaN is stored as None (null); the infinities a
    script printed become the strings "inf" and "-inf" (``float()`` reads them back).

    >>> [json_number(v) for v in (0.5, None, float("inf"), float("-inf"))]
    [0.5, None, 'inf', '-inf']
    """
    if value is None or math.isfinite(value):
        return value
    return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")


# --- input ------------------------------------------------------------------------------------


class SearchAlgorithmInputSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="A search algorithm the algorithm supports, e.g. tpe.")
    params = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Laid over the parameters the algorithm configured for it.",
    )


class MetricInputSerializer(serializers.Serializer):
    name = serializers.CharField(required=False)
    goal = serializers.ChoiceField(choices=["maximize", "minimize"], required=False)
    regex = serializers.CharField(required=False, help_text="One capture group: the value.")


class JobCreateInputSerializer(serializers.Serializer):
    """The body of a create. The fields document the shape; validation is
    ``validate_job_spec``'s alone, so ``validated_data`` is a ``JobSpec``."""

    name = serializers.CharField(max_length=128)
    description = serializers.CharField(required=False, allow_blank=True)
    algorithm = serializers.IntegerField(help_text="Id of a ready algorithm of yours.")
    dataset = serializers.IntegerField(
        required=False, allow_null=True, help_text="Id of a dataset of yours, or null for none."
    )
    hyperparameters = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text="Fixed values by name; a hyperparameter named nowhere runs with its default.",
    )
    search_space = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        help_text='Ranges by name, as search.SearchSpace reads them: {"type": "float", "low", '
        '"high", "log", "step"}, {"type": "choice", "values": [...]}, or any HyperDrive '
        "distribution (uniform, loguniform, normal, lognormal, q-forms, randint). "
        "Empty: a single training run (one trial). Every other field is checked either "
        "way: a single run refuses an invalid max_trials, max_concurrent, search_algorithms "
        "or policy as a search does, and leaves valid ones unused.",
    )
    omit = serializers.ListField(
        child=serializers.CharField(),
        required=False,
        help_text="Optional hyperparameters left out (their flag is not passed).",
    )
    search_algorithms = SearchAlgorithmInputSerializer(
        many=True, required=False, help_text="Default: the algorithm's first one."
    )
    metric = MetricInputSerializer(
        required=False, help_text="Overrides the algorithm's metric, field by field."
    )
    objective = serializers.ChoiceField(choices=TrainingJob.Objective.choices, required=False)
    policy = serializers.DictField(
        child=serializers.JSONField(),
        required=False,
        allow_null=True,
        help_text='Early termination: {"name": "bandit", "slack_factor": 0.1, ...}; null for none.',
    )
    max_trials = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, help_text="A search's; a single run has 1."
    )
    max_concurrent = serializers.IntegerField(
        min_value=1, max_value=100, required=False, help_text="A search's; a single run has 1."
    )
    max_duration_minutes = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    trial_timeout_minutes = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    max_failed = serializers.IntegerField(min_value=1, required=False, allow_null=True)
    lost_counts_as_failed = serializers.BooleanField(required=False)
    environment = serializers.DictField(
        child=serializers.CharField(allow_blank=True, max_length=4096),
        required=False,
        help_text="Environment variables every trial gets, {NAME: value}: POSIX names, at "
        "most 64 variables and 32 KB in all; TRIAL_ID, JOB_ID, DATA_URL and TRAIN_URL are "
        "the console's and cannot be set.",
    )

    def run_validation(self, data: Any = empty) -> JobSpec:
        try:
            return validate_job_spec(owner=self.context["request"].user, data=data)
        except JobSpecError as exc:
            raise serializers.ValidationError(errors_to_api(exc.errors)) from exc


class JobListQuerySerializer(AlgorithmListQuerySerializer):
    """The job list's ``search`` (part of the name), refused when malformed (a NUL), as the
    algorithms' and datasets' lists refuse it."""


class JobExtendInputSerializer(serializers.Serializer):
    """The body of an extend. The fields document the shape; validation is
    ``clean_extension``'s (the job page's extend form uses it too), so ``validated_data``
    is ``{"max_trials": int | None, "max_duration_minutes": int | None}``."""

    max_trials = serializers.IntegerField(
        min_value=1, max_value=1000, required=False, allow_null=True, help_text="New total."
    )
    max_duration_minutes = serializers.IntegerField(
        min_value=1, max_value=525_600, required=False, allow_null=True, help_text="New total."
    )

    def run_validation(self, data: Any = empty) -> dict[str, int | None]:
        try:
            return clean_extension({} if data is empty else data)
        except JobSpecError as exc:
            raise serializers.ValidationError(errors_to_api(exc.errors)) from exc


# --- output -----------------------------------------------------------------------------------


class MetricValueField(serializers.FloatField):
    """A metric value; see ``json_number`` for NaN and the infinities."""

    def to_representation(self, value: float | None) -> float | str | None:  # type: ignore[override]
        return json_number(value)


class BestTrialSerializer(serializers.ModelSerializer):
    value = MetricValueField(allow_null=True)

    class Meta:
        model = Trial
        fields = ["id", "number", "params", "value"]
        read_only_fields = fields


class MetricOutputSerializer(serializers.Serializer):
    name = serializers.CharField(source="metric_name")
    goal = serializers.CharField(source="metric_goal")
    regex = serializers.CharField(source="metric_regex")


class TrialCountsSerializer(serializers.Serializer):
    """Trials of the job in each status."""

    queued = serializers.IntegerField()
    running = serializers.IntegerField()
    completed = serializers.IntegerField()
    failed = serializers.IntegerField()
    early_stopped = serializers.IntegerField()
    canceled = serializers.IntegerField()
    lost = serializers.IntegerField()
    total = serializers.IntegerField()


class JobOutputSerializer(serializers.ModelSerializer):
    owner = serializers.CharField(source="owner.username")
    algorithm_name = serializers.CharField(source="algorithm.name")
    dataset_name = serializers.CharField(
        source="dataset.name",
        allow_null=True,
        read_only=True,
        help_text="The name of the job's dataset (read only; null when it has none).",
    )
    hyperparameters = serializers.JSONField(source="fixed")
    omit = serializers.JSONField(source="omitted")
    search_space = serializers.JSONField()
    search_algorithms = serializers.JSONField()
    run_seconds = serializers.SerializerMethodField(
        help_text="Seconds the job has been running, to now while it runs: paused "
        "stretches and the time between its end and an extension are left out."
    )
    environment = serializers.DictField(child=serializers.CharField())
    policy = serializers.SerializerMethodField()
    metric = MetricOutputSerializer(source="*")
    trial_counts = serializers.SerializerMethodField()
    best_trial = BestTrialSerializer(allow_null=True)

    class Meta:
        model = TrainingJob
        fields = [
            "id",
            "name",
            "description",
            "owner",
            "algorithm",
            "algorithm_name",
            "dataset",
            "dataset_name",
            "status",
            "status_reason",
            "hyperparameters",
            "search_space",
            "omit",
            "search_algorithms",
            "metric",
            "objective",
            "policy",
            "seed",
            "max_trials",
            "max_concurrent",
            "max_duration_minutes",
            "trial_timeout_minutes",
            "max_failed",
            "lost_counts_as_failed",
            "environment",
            "trial_counts",
            "best_trial",
            "created_at",
            "started_at",
            "finished_at",
            "deadline_at",
            "run_seconds",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(OpenApiTypes.DOUBLE)
    def get_run_seconds(self, job: TrainingJob) -> float:
        return round(job.run_time(), 3)

    @extend_schema_field(OpenApiTypes.OBJECT)
    def get_policy(self, job: TrainingJob) -> dict[str, Any] | None:
        return job.policy or None

    @extend_schema_field(TrialCountsSerializer)
    def get_trial_counts(self, job: TrainingJob) -> dict[str, int]:
        # Annotated by the API's queryset (``n_<status>``), so a list costs one query.
        counts = {status: getattr(job, f"n_{status}", 0) for status in Trial.Status.values}
        return {**counts, "total": sum(counts.values())}


class TrialOutputSerializer(serializers.ModelSerializer):
    """One row of a job's trial list: no log, the curve from prefetched points."""

    curve = serializers.SerializerMethodField(
        help_text='The metric at each report, in order; null for NaN, "inf"/"-inf".'
    )
    value = MetricValueField(allow_null=True)

    class Meta:
        model = Trial
        fields = [
            "id",
            "number",
            "params",
            "status",
            "status_reason",
            "value",
            "curve",
            "algorithm",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    @extend_schema_field({"type": "array", "items": {"type": "number", "nullable": True}})
    def get_curve(self, trial: Trial) -> list[float | str | None]:
        return [json_number(point.value) for point in trial.points.all()]


class MetricPointSerializer(serializers.ModelSerializer):
    value = MetricValueField(allow_null=True)

    class Meta:
        model = MetricPoint
        fields = ["step", "value", "created_at"]
        read_only_fields = fields


class TrialDetailOutputSerializer(TrialOutputSerializer):
    job: serializers.PrimaryKeyRelatedField[TrainingJob] = serializers.PrimaryKeyRelatedField(
        read_only=True
    )
    points = MetricPointSerializer(many=True, read_only=True)
    log_tail = serializers.SerializerMethodField(
        help_text=f"The last lines (at most {LOG_TAIL_LINES}) of the trial's stored log."
    )
    log_lines = serializers.IntegerField(
        default=0, help_text="Lines the trial printed, stored or not."
    )
    log_truncated = serializers.BooleanField(
        default=False, help_text="The stored log reached its cap (a notice ends it)."
    )

    class Meta(TrialOutputSerializer.Meta):
        fields = [
            *TrialOutputSerializer.Meta.fields,
            "job",
            "command",
            "exit_code",
            "worker",
            "heartbeat_at",
            "stop_requested",
            "created_at",
            "points",
            "log_tail",
            "log_lines",
            "log_truncated",
        ]
        read_only_fields = fields

    def get_log_tail(self, trial: Trial) -> str:
        # ``log_end``: the last LOG_TAIL_CHARS characters, cut in the database.
        text: str = getattr(trial, "log_end", None) or ""
        lines = text.split("\n")
        if len(text) >= LOG_TAIL_CHARS:
            lines = lines[1:]  # the first one is cut
        return "\n".join(lines[-LOG_TAIL_LINES:])
