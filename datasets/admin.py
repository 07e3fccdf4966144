from typing import Any

from django.contrib import admin
from django.db.models import QuerySet

from datasets.models import Dataset, OutputFile, OutputSet
from datasets.services import dataset_delete


@admin.register(Dataset)
class DatasetAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "owner",
        "status",
        "source",
        "format",
        "size",
        "file_count",
        "created_at",
    ]
    list_filter = ["status", "source", "format"]
    search_fields = ["name", "description", "owner__username"]
    # Content is checked when a dataset is created (page or API); admin edits only words.
    readonly_fields = [
        "owner",
        "status",
        "status_reason",
        "source",
        "server_path",
        "format",
        "blob",
        "original_name",
        "content_hash",
        "blob_size",
        "size",
        "file_count",
        "files",
        "previews",
        "created_at",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False

    def delete_model(self, request: Any, obj: Dataset) -> None:
        # Through the service: the stored blob goes too (a job's dataset is PROTECTed, so
        # admin refuses one in use before this is called).
        dataset_delete(dataset=obj)

    def delete_queryset(self, request: Any, queryset: QuerySet[Dataset]) -> None:
        for dataset in queryset:
            dataset_delete(dataset=dataset)


class OutputFileInline(admin.TabularInline):
    model = OutputFile
    extra = 0
    can_delete = False
    readonly_fields = ["path", "size", "modified", "storage_name"]


@admin.register(OutputSet)
class OutputSetAdmin(admin.ModelAdmin):
    list_display = ["trial", "file_count", "size", "created_at"]
    readonly_fields = ["trial", "file_count", "size", "notice", "created_at"]
    inlines = [OutputFileInline]

    def has_add_permission(self, request: object) -> bool:
        return False
