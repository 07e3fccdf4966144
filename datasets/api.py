"""REST API of datasets and trial outputs: input serializer -> one service -> output.

Lookups go through ``Dataset.objects.visible_to(user)`` and the trial access check, so
another user's id is a 404, exactly as on the pages; staff see everything.
"""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from algorithms.api import StrictPagination
from algorithms.json_input import StrictJSONParser
from datasets import access, outputs, services
from datasets.models import Dataset
from datasets.serializers import (
    DatasetDetailSerializer,
    DatasetInputSerializer,
    DatasetListQuerySerializer,
    DatasetOutputSerializer,
    OutputFileSerializer,
)
from datasets.views import file_response, zip_refusal, zip_stream_response

_NOT_FOUND = {404: OpenApiResponse(description="No such dataset or trial, or another user's.")}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class DatasetPagination(StrictPagination):
    pass


@extend_schema(tags=["datasets"])
class DatasetListCreateApi(APIView):
    parser_classes = [MultiPartParser, FormParser, StrictJSONParser]
    # Also tells the schema that the list is paginated.
    pagination_class = DatasetPagination

    @extend_schema(
        operation_id="datasets_list",
        parameters=[DatasetListQuerySerializer],
        responses={
            200: DatasetOutputSerializer(many=True),
            400: OpenApiResponse(description="A malformed query parameter."),
            404: OpenApiResponse(description="No such page."),
        },
    )
    def get(self, request: Request) -> Response:
        query = DatasetListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        datasets = (
            Dataset.objects.visible_to(request.user)
            .search(query.validated_data.get("search", ""))
            .named(query.validated_data.get("name", ""))
            .select_related("owner")
        )
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(datasets.defer("files", "previews"), request, view=self)
        return paginator.get_paginated_response(DatasetOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="datasets_create",
        request={
            "multipart/form-data": DatasetInputSerializer,
            "application/json": DatasetInputSerializer,
        },
        responses={201: DatasetDetailSerializer, 400: OpenApiResponse(description="Errors.")},
    )
    def post(self, request: Request) -> Response:
        body = DatasetInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data: dict[str, Any] = body.validated_data
        try:
            dataset = services.dataset_create(
                owner=request.user,
                name=data["name"],
                description=data.get("description", ""),
                upload=data.get("file"),
                server_path=data.get("server_path", ""),
            )
        except services.DatasetValidationError as exc:
            raise exceptions.ValidationError(exc.errors) from exc
        return Response(DatasetDetailSerializer(dataset).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["datasets"])
class DatasetDetailApi(APIView):
    @extend_schema(responses={200: DatasetDetailSerializer, **_NOT_FOUND})
    def get(self, request: Request, pk: int) -> Response:
        dataset = access.get_dataset_for_user(request.user, pk)
        return Response(DatasetDetailSerializer(dataset).data)

    @extend_schema(
        responses={204: None, 409: OpenApiResponse(description="A job uses it."), **_NOT_FOUND}
    )
    def delete(self, request: Request, pk: int) -> Response:
        dataset = access.get_dataset_for_user(request.user, pk)
        try:
            services.dataset_delete(dataset=dataset)
        except services.DatasetInUse as exc:
            raise Conflict(str(exc)) from exc
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema(tags=["trials"])
class TrialOutputListApi(APIView):
    @extend_schema(
        operation_id="trial_outputs_list",
        responses={200: OutputFileSerializer(many=True), **_NOT_FOUND},
    )
    def get(self, request: Request, trial_id: int) -> Response:
        files = access.output_files_for_user(request.user, trial_id)
        return Response(OutputFileSerializer(files, many=True).data)


@extend_schema(tags=["trials"])
class TrialOutputFileApi(APIView):
    @extend_schema(
        operation_id="trial_outputs_file",
        responses={(200, "application/octet-stream"): OpenApiTypes.BINARY, **_NOT_FOUND},
    )
    def get(self, request: Request, trial_id: int, path: str) -> Any:
        access.check_trial_for_user(request.user, trial_id)
        refused = outputs.check_output_path(path)
        if refused:
            raise exceptions.ValidationError({"path": [refused]})
        return file_response(access.output_file_for_user(request.user, trial_id, path))


@extend_schema(tags=["trials"])
class TrialOutputZipApi(APIView):
    @extend_schema(
        operation_id="trial_outputs_zip",
        responses={
            (200, "application/zip"): OpenApiTypes.BINARY,
            409: OpenApiResponse(description="A listed file is missing from the storage."),
            503: OpenApiResponse(description="The storage cannot be reached."),
            **_NOT_FOUND,
        },
    )
    def get(self, request: Request, trial_id: int) -> Any:
        files = access.output_files_for_user(request.user, trial_id)
        refused = zip_refusal(files)
        if refused is not None:
            return Response({"detail": refused[1]}, status=refused[0])
        return zip_stream_response(files, f"trial-{trial_id}-outputs.zip")
