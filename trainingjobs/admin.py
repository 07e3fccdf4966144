"""Django admin for training jobs and their trials: to look, and to fix a stuck status.

Searches, limits and results are written by the console's services (one validation path);
here they are read-only, so an edit cannot put a job out of step with its trials.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from trainingjobs.models import TrainingJob, Trial


class TrialInline(admin.TabularInline):
    model = Trial
    extra = 0
    fields = ("number", "status", "algorithm", "params", "value", "started_at", "finished_at")
    readonly_fields = fields
    can_delete = False
    show_change_link = True
    ordering = ["number"]

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(TrainingJob)
class TrainingJobAdmin(admin.ModelAdmin):
    list_display = ["name", "owner", "algorithm", "status", "max_trials", "created_at"]
    list_filter = ["status", "objective", "created_at"]
    search_fields = ["name", "owner__username", "algorithm__name"]
    list_select_related = ["owner", "algorithm"]
    readonly_fields = [
        "owner",
        "algorithm",
        "fixed",
        "omitted",
        "search_space",
        "search_algorithms",
        "environment",
        "policy",
        "metric_name",
        "metric_goal",
        "metric_regex",
        "objective",
        "seed",
        "best_trial",
        "created_at",
        "started_at",
        "finished_at",
        "updated_at",
    ]
    inlines = [TrialInline]


@admin.register(Trial)
class TrialAdmin(admin.ModelAdmin):
    list_display = ["__str__", "job", "number", "status", "value", "algorithm", "started_at"]
    list_filter = ["status"]
    search_fields = ["job__name"]
    list_select_related = ["job"]
    readonly_fields = [
        "job",
        "number",
        "algorithm",
        "params",
        "value",
        "command",
        "exit_code",
        "worker",
        "heartbeat_at",
        "created_at",
        "started_at",
        "finished_at",
    ]
