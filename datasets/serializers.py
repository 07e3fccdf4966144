"""Input and output shapes of the datasets and trial-outputs API."""

from __future__ import annotations

from rest_framework import serializers

from algorithms.serializers import AlgorithmListQuerySerializer, TextField
from datasets.models import Dataset, OutputFile


class DatasetInputSerializer(serializers.Serializer):
    """Multipart with ``name`` and ``file``, or JSON with ``name`` and ``server_path``."""

    name = TextField(max_length=64, allow_blank=True)
    description = TextField(required=False, allow_blank=True, default="")
    file = serializers.FileField(required=False, allow_empty_file=True)
    server_path = TextField(required=False, allow_blank=True, default="", max_length=500)


class DatasetListQuerySerializer(AlgorithmListQuerySerializer):
    """The list's filters, refused when malformed: ``search`` (part of the name or the
    description, as the algorithms' list) and ``name`` (the exact name)."""

    name = serializers.RegexField(r"^[^\x00]*$", required=False, allow_blank=True, max_length=64)


class DatasetOutputSerializer(serializers.ModelSerializer):
    """A dataset; ``status`` is "processing" until a worker has read it whole, then
    "ready" (``files``, ``size``, ``content_hash`` filled) or "failed" (``status_reason``)."""

    owner = serializers.CharField(source="owner.username", read_only=True)

    class Meta:
        model = Dataset
        fields = [
            "id",
            "name",
            "description",
            "status",
            "status_reason",
            "source",
            "server_path",
            "format",
            "original_name",
            "content_hash",
            "size",
            "file_count",
            "owner",
            "created_at",
        ]
        read_only_fields = fields


class DatasetFileSerializer(serializers.Serializer):
    path = serializers.CharField()
    size = serializers.IntegerField()


class DatasetDetailSerializer(DatasetOutputSerializer):
    files = DatasetFileSerializer(many=True, read_only=True)

    class Meta(DatasetOutputSerializer.Meta):
        fields = [*DatasetOutputSerializer.Meta.fields, "files", "previews"]
        read_only_fields = fields


class OutputFileSerializer(serializers.ModelSerializer):
    class Meta:
        model = OutputFile
        fields = ["path", "size", "modified"]
        read_only_fields = fields
