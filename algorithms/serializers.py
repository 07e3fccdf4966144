"""Input and output shapes of the algorithms API.

Output (one algorithm)::

    {"id", "name", "description", "boot_file", "engine", "owner",
     "argument_style": "equals" | "space",
     "bool_style": "true_false" | "one_zero" | "flag", "accepts_data_urls": bool,
     "hyperparameters": [{"name", "type", "default", "min", "max", "choices",
                          "required", "description"}],
     "auto_search": bool,
     "metric": {"name", "goal": "maximize" | "minimize", "regex"},
     "search_algorithms": [{"name", "params": {}}],
     "sample_log",
     "status": "creating" | "ready" | "failed", "status_reason",
     "package_pending": bool, "package_refused_reason",
     "created_at", "updated_at"}

Input: the same fields minus the read-only ones, plus the code: a multipart
file field ``code`` (``.py``, ``.zip`` or ``.tar.gz``), or, in a JSON body, a
``server_path`` under a folder the administrator allows. In a multipart body
the nested fields ``hyperparameters``, ``metric`` and ``search_algorithms``
are JSON strings.

Errors (HTTP 400) carry the same messages as the HTML form, nested like the
input they point at::

    {"name": ["..."],
     "code": ["..."],
     "hyperparameters": {"1": {"default": ["..."]}},   # keyed by row index, from 0
     "metric": {"regex": ["..."]},
     "search_algorithms": {"0": {"params": {"n_startup_trials": ["..."]}}},
     "non_field_errors": ["..."]}

This module only parses and reshapes: every rule on names, ranges, regexes and
packages lives in `algorithms.validation`, shared with the form.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from algorithms import json_input
from algorithms.algorithm_errors import AlgorithmErrors
from algorithms.models import Algorithm, Engine, Hyperparameter
from algorithms.spec_display import stored_number
from algorithms.spec_values import sentence, unknown_fields

_AS_TEXT = {"type": "string", "description": "The same, as JSON text (multipart bodies)."}


class TextField(serializers.CharField):
    """DRF's CharField without its coercion: a number or a bool given for text is a field
    error ("Must be text, got 5."), never read as "5" (multipart bodies carry text)."""

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            raise serializers.ValidationError(f"Must be text, got {str(data)[:40]}.")
        return str(super().to_internal_value(data))


class _JsonTextField(serializers.JSONField):
    """A JSON value, or its text in a multipart body, read as a JSON body is: text nested
    too deep or holding a lone surrogate is a field error (``algorithms.json_input``), not a
    500 or a stored value no answer can encode."""

    def to_internal_value(self, data: Any) -> Any:
        if getattr(data, "is_json_string", False):
            try:
                return json_input.loads(data)
            except json_input.JsonInputError as error:
                # Its first word keeps its case: it is often where, e.g. "[0].name: ...".
                raise serializers.ValidationError(sentence(str(error))) from None
            except ValueError:
                self.fail("invalid")
        return super().to_internal_value(data)


# JSON values that a multipart body carries as text. DRF's JSONField is documented as any
# value, null included, which the server refuses: these say what it takes.
@extend_schema_field({"oneOf": [{"type": "array", "items": {"type": "object"}}, _AS_TEXT]})
class JsonListField(_JsonTextField):
    pass


@extend_schema_field({"oneOf": [{"type": "object"}, _AS_TEXT]})
class JsonObjectField(_JsonTextField):
    pass


# Fields of the spec a client may send; the rest of the output is read-only.
SPEC_FIELDS = (
    "name",
    "description",
    "boot_file",
    "engine",
    "argument_style",
    "bool_style",
    "accepts_data_urls",
    "hyperparameters",
    "auto_search",
    "metric",
    "search_algorithms",
)


class HyperparameterOutputSerializer(serializers.ModelSerializer):
    min = serializers.SerializerMethodField()
    max = serializers.SerializerMethodField()

    class Meta:
        model = Hyperparameter
        fields = ["name", "type", "default", "min", "max", "choices", "required", "description"]

    def get_min(self, row: Hyperparameter) -> float | None:
        return stored_number(row.min, row.type)

    def get_max(self, row: Hyperparameter) -> float | None:
        return stored_number(row.max, row.type)


class MetricSerializer(serializers.Serializer):
    name = serializers.CharField(source="metric_name")
    goal = serializers.ChoiceField(source="metric_goal", choices=Algorithm.Goal.choices)
    regex = serializers.CharField(source="metric_regex")


class SearchAlgorithmChoiceSerializer(serializers.Serializer):
    name = serializers.CharField()
    params = serializers.DictField(child=serializers.JSONField(), required=False)


class AlgorithmOutputSerializer(serializers.ModelSerializer):
    engine: serializers.SlugRelatedField[Engine] = serializers.SlugRelatedField(
        slug_field="name", read_only=True, allow_null=True
    )
    owner = serializers.CharField(source="owner.username", read_only=True)
    hyperparameters = HyperparameterOutputSerializer(many=True, read_only=True)
    metric = MetricSerializer(source="*", read_only=True)
    search_algorithms = SearchAlgorithmChoiceSerializer(many=True, read_only=True)
    package_pending = serializers.BooleanField(
        source="has_pending_package",
        read_only=True,
        help_text="A new package is being checked; the working one stays in use meanwhile.",
    )

    class Meta:
        model = Algorithm
        fields = [
            "id",
            *SPEC_FIELDS,
            "sample_log",
            "status",
            "status_reason",
            "package_pending",
            "package_refused_reason",
            "created_at",
            "updated_at",
            "owner",
        ]
        read_only_fields = fields


class AlgorithmInputSerializer(serializers.Serializer):
    """The body of a create or update.

    Give the code as a multipart file `code` or as `server_path`. The rules and
    their messages are those of the create page (a missing name or boot file gets
    that page's message, not a generic "required").
    """

    name = TextField(required=False, allow_blank=True)
    description = TextField(required=False, allow_blank=True)
    boot_file = TextField(required=False, allow_blank=True)
    engine = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, help_text="Name or id; null: default."
    )
    argument_style = serializers.ChoiceField(
        choices=Algorithm.ArgumentStyle.choices,
        required=False,
        help_text="How a value follows its name: `equals` (--lr=0.1, the default) or "
        "`space` (--lr 0.1).",
    )
    bool_style = serializers.ChoiceField(
        choices=Algorithm.BoolStyle.choices,
        required=False,
        help_text="How a bool value is written: `true_false` (the default), `one_zero`, or "
        "`flag` (argparse store_true: a bare --name when true, nothing when false).",
    )
    accepts_data_urls = serializers.BooleanField(
        required=False,
        help_text="Whether the script takes --data_url and --train_url (default false).",
    )
    auto_search = serializers.BooleanField(required=False)
    sample_log = TextField(
        required=False,
        allow_blank=True,
        trim_whitespace=False,
        help_text="Lines the script prints, kept with the algorithm; the metric regex must "
        "read a value from at least one of them unless `confirm_no_match` is true.",
    )
    confirm_no_match = serializers.BooleanField(
        required=False, help_text="Save a metric regex that reads nothing from `sample_log`."
    )
    # JSONField also parses the JSON strings a multipart body carries.
    hyperparameters = JsonListField(
        required=False, help_text="A list of rows; a JSON string in multipart bodies."
    )
    metric = JsonObjectField(
        required=False,
        help_text='{"name", "goal", "regex"}; a JSON string in multipart bodies.',
    )
    search_algorithms = JsonListField(
        required=False,
        help_text='[{"name", "params": {}}]; a JSON string in multipart bodies.',
    )
    code = serializers.FileField(
        required=False,
        allow_empty_file=True,  # the service refuses it, with the form's message
        help_text="A .py file, or a .zip / .tar.gz package (multipart only).",
    )
    server_path = TextField(
        required=False,
        allow_blank=True,
        help_text="A folder or file under a server root the administrator allows.",
    )

    def to_internal_value(self, data: Any) -> Any:
        # A misspelt field would otherwise be dropped unsaid and its default used.
        unknown = unknown_fields(data, tuple(self.fields))
        if unknown:
            raise serializers.ValidationError({"__all__": [unknown]})
        return super().to_internal_value(data)

    def spec(self, base: dict[str, Any] | None = None) -> dict[str, Any]:
        """The validated body as a spec, laid over `base` (the current spec for a PATCH).

        Over a base, an object merges into the stored object (``{"metric": {"regex": ..}}``
        keeps the metric's name and goal), as a JSON merge patch (RFC 7396) does; a list
        (``hyperparameters``, ``search_algorithms``) or any other value replaces the stored
        one. The merged spec is then validated as a whole.
        """
        spec = dict(base or {})
        for key in (*SPEC_FIELDS, "sample_log", "confirm_no_match"):
            if key in self.validated_data:
                spec[key] = merge_patch(spec.get(key), self.validated_data[key])
        return spec


def merge_patch(stored: Any, given: Any) -> Any:
    """`given` laid over `stored`: objects merge key by key (recursively), anything else
    replaces. Unlike RFC 7396 a null is kept as a value, so validation names it.

    >>> merge_patch({"name": "acc", "goal": "maximize"}, {"goal": "minimize"})
    {'name': 'acc', 'goal': 'minimize'}
    >>> merge_patch([{"name": "tpe"}], [{"name": "random"}]), merge_patch({"a": 1}, "x")
    ([{'name': 'random'}], 'x')
    """
    if not (isinstance(stored, dict) and isinstance(given, dict)):
        return given
    merged = dict(stored)
    for key, value in given.items():
        merged[key] = merge_patch(stored.get(key), value)
    return merged


class ScriptOptionRowSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    default = serializers.JSONField(allow_null=True)
    min = serializers.FloatField(allow_null=True)
    max = serializers.FloatField(allow_null=True)
    choices = serializers.ListField(child=serializers.JSONField())
    required = serializers.BooleanField()  # type: ignore[assignment]  # a field, not the flag
    description = serializers.CharField(allow_blank=True)


class ScriptOptionLeftOutSerializer(serializers.Serializer):
    option = serializers.CharField()
    reason = serializers.CharField()


class ScriptOptionGuessSerializer(serializers.Serializer):
    name = serializers.CharField()
    type = serializers.CharField()
    how = serializers.CharField(help_text="What the type was guessed from, in words.")


class ScriptOptionsOutputSerializer(serializers.Serializer):
    help = serializers.CharField(allow_blank=True, help_text="What --help printed.")
    hyperparameters = ScriptOptionRowSerializer(many=True)
    argument_style = serializers.CharField()
    bool_style = serializers.CharField(help_text="`flag` when the script has store_true flags.")
    accepts_data_urls = serializers.BooleanField()
    left_out = ScriptOptionLeftOutSerializer(
        many=True,
        help_text="The script's options that are not rows (positionals, --data_url...), and why.",
    )
    read_from = serializers.CharField(
        help_text="`argparse` when read from the parser's own options (every option's type, "
        "default and choices), `help text` when read from what --help printed."
    )
    guessed = ScriptOptionGuessSerializer(
        many=True,
        help_text="Rows whose type the script does not state, guessed from a default, a value "
        "or metavar shown, choices or the option's name: check them.",
    )


class AlgorithmListQuerySerializer(serializers.Serializer):
    """The list's search, refused when malformed; ``page`` and ``page_size`` are the
    pagination's (``StrictPagination``: ``page_size=2.2e-308`` is a 400)."""

    # The pattern documents what the field refuses: a NUL (no database stores one).
    search = serializers.RegexField(
        r"^[^\x00]*$", required=False, allow_blank=True, max_length=200
    )


class ParamSpecSerializer(serializers.Serializer):
    """One parameter of a search algorithm or a policy (``search.params.ParamSpec``)."""

    name = serializers.CharField()
    type = serializers.CharField()
    default = serializers.JSONField(allow_null=True)
    min = serializers.FloatField(allow_null=True, required=False)
    max = serializers.FloatField(allow_null=True, required=False)
    choices = serializers.ListField(child=serializers.JSONField(), allow_null=True, required=False)
    description = serializers.CharField(required=False, allow_blank=True)


class CatalogueEntrySerializer(serializers.Serializer):
    """An entry of the search library's one registry (``Registry.describe()``): a search
    algorithm and a policy read alike."""

    name = serializers.CharField()
    aliases = serializers.ListField(child=serializers.CharField())
    description = serializers.CharField()
    params = ParamSpecSerializer(many=True)


class SamplerOutputSerializer(CatalogueEntrySerializer):
    """A search algorithm, its parameters and their defaults."""


class PolicyOutputSerializer(CatalogueEntrySerializer):
    """An early-termination policy, its parameters and their defaults."""


class SamplerListOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = SamplerOutputSerializer(many=True)


class PolicyListOutputSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    results = PolicyOutputSerializer(many=True)


def errors_to_api(errors: AlgorithmErrors) -> dict[str, Any]:
    """Reshape `AlgorithmErrors` (dotted field keys, row dicts) into the nested API shape."""
    out: dict[str, Any] = {}

    def put(path: list[str], messages: Any) -> None:
        if not messages:
            return
        messages = [messages] if isinstance(messages, str) else list(messages)
        node = out
        for part in path[:-1]:
            child = node.get(part)
            if isinstance(child, list):  # a message on the whole field next to nested ones
                child = node[part] = {"non_field_errors": child}
            node = node.setdefault(part, {}) if child is None else child
        leaf = path[-1]
        if isinstance(node.get(leaf), dict):
            node[leaf].setdefault("non_field_errors", []).extend(messages)
        else:
            node.setdefault(leaf, []).extend(messages)

    for key, messages in errors.fields.items():
        path = str(key).split(".")
        if path[0] in ("", "__all__", "non_field"):
            path = ["non_field_errors"]
        put(path, messages)
    for index, row in sorted(errors.rows.items()):
        # Keyed by row index like the input; each message names its hyperparameter, as
        # the row on the page does.
        label = errors.row_label(index)
        for field, messages in row.items():
            named = [f"{label}: {m}" for m in messages]
            put(["hyperparameters", str(index), str(field)], named)
    for index, params in sorted(errors.search_algorithm_params.items()):
        for param, messages in params.items():
            key = "non_field_errors" if param == "__all__" else str(param)
            put(["search_algorithms", str(index), "params", key], messages)
    return out
