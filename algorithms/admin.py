"""Django admin for algorithms, their hyperparameter rows and the engines trials run with."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from algorithms.models import Algorithm, Engine, Hyperparameter


class EngineAdminForm(forms.ModelForm):
    class Meta:
        model = Engine
        fields = ["name", "python_path", "description", "is_default"]

    def clean_is_default(self) -> bool:
        is_default: bool = self.cleaned_data["is_default"]
        if not is_default:
            return is_default
        # Engine.default() picks the first default it finds: two defaults would make
        # the interpreter trials run with depend on row order.
        others = Engine.objects.filter(is_default=True).exclude(pk=self.instance.pk)
        current = others.first()
        if current is not None:
            raise forms.ValidationError(
                f"“{current.name}” is already the default engine. "
                "Untick its “Is default” box first, then mark this one."
            )
        return is_default


@admin.register(Engine)
class EngineAdmin(admin.ModelAdmin):
    form = EngineAdminForm
    list_display = ["name", "python_path", "is_default", "created_at"]
    list_filter = ["is_default"]
    search_fields = ["name", "python_path", "description"]


class HyperparameterInline(admin.TabularInline):
    model = Hyperparameter
    extra = 0
    ordering = ["position", "id"]
    fields = ("position", "name", "type", "default", "min", "max", "choices", "required")
    # Shown, not edited: the table is validated as a whole (names, defaults in range) by
    # the console pages and the API.
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Algorithm)
class AlgorithmAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "status", "auto_search", "engine", "created_at"]
    list_filter = ["status", "auto_search", "code_source", "engine", "argument_style", "created_at"]
    search_fields = ["name", "description", "owner__username", "metric_name"]
    list_select_related = ["owner", "engine"]
    date_hierarchy = "created_at"
    raw_id_fields = ["owner"]
    inlines = [HyperparameterInline]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
    # Status and manifest are written by package validation; editing them by hand would
    # let an algorithm claim `ready` for a package nobody checked.
    # The code and search fields likewise: a new package, boot file or metric regex must be
    # checked again (archive safety, regex safety), and only the console pages and the API
    # do that; so algorithms are created there too.
    readonly_fields = [
        "auto_search",
        "metric_name",
        "metric_goal",
        "metric_regex",
        "search_algorithms",
        "code_source",
        "code_file",
        "server_path",
        "boot_file",
        "status",
        "status_reason",
        "manifest",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["owner", "name", "description", "engine"]}),
        (
            "How the script takes arguments",
            {"fields": ["argument_style", "bool_style", "accepts_data_urls"]},
        ),
        (
            "Code",
            {
                "fields": ["code_source", "code_file", "server_path", "boot_file"],
                "description": (
                    "Read-only here: change the code on the algorithm's page in the console "
                    "or through the API, which check the package again."
                ),
            },
        ),
        (
            "Auto search",
            {
                "fields": [
                    "auto_search",
                    "metric_name",
                    "metric_goal",
                    "metric_regex",
                    "search_algorithms",
                ]
            },
        ),
        ("Status", {"fields": ["status", "status_reason", "manifest", "created_at", "updated_at"]}),
    ]

    def get_queryset(self, request: Any) -> Any:
        return super().get_queryset(request).select_related("owner", "engine")
