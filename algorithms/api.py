"""REST API of algorithms: input serializer -> one service -> output serializer.

Lookups go through `Algorithm.objects.visible_to(user)`, so another user's id is a
404, exactly as on the HTML pages; staff see every algorithm.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import Serializer
from rest_framework.views import APIView

from algorithms import services
from algorithms.json_input import StrictJSONParser
from algorithms.models import Algorithm, AlgorithmQuerySet
from algorithms.permissions import IsOwnerOrStaff
from algorithms.script_help import read_options
from algorithms.serializers import (
    AlgorithmInputSerializer,
    AlgorithmListQuerySerializer,
    AlgorithmOutputSerializer,
    PolicyListOutputSerializer,
    SamplerListOutputSerializer,
    ScriptOptionsOutputSerializer,
    errors_to_api,
)
from algorithms.spec_display import spec_from_algorithm
from search import list_policies, list_samplers

_BODY = {
    "multipart/form-data": AlgorithmInputSerializer,
    "application/json": AlgorithmInputSerializer,
}
_ERRORS = {
    400: OpenApiResponse(description="Validation errors, nested like the input."),
    401: OpenApiResponse(description="No or wrong credentials."),
}
_NOT_FOUND = {404: OpenApiResponse(description="No such algorithm, or another user's.")}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_code = "conflict"


class StrictPagination(PageNumberPagination):
    """Page-number pagination that refuses a malformed or too large ``page_size`` with 400.

    DRF's own falls back to the default page size on a bad value, so a typo goes
    unnoticed; every list of the API shares this one rule instead.
    """

    page_size_query_param = "page_size"
    max_page_size = 100

    def get_page_size(self, request: Request) -> int | None:
        raw = request.query_params.getlist(self.page_size_query_param)
        if not raw:
            return self.page_size
        largest = self.max_page_size or 100
        text = raw[0]
        if len(raw) > 1 or not (text.isascii() and text.isdigit() and 1 <= int(text) <= largest):
            raise exceptions.ValidationError(
                {"page_size": [f"Must be a whole number from 1 to {largest}."]}
            )
        return int(text)

    def get_schema_operation_parameters(self, view: Any) -> list[dict[str, Any]]:
        """``page`` and ``page_size`` documented with the bounds :meth:`get_page_size` keeps
        (DRF's own say only "integer", so a schema-valid ``page_size=0`` was refused)."""
        return [
            {
                "name": self.page_query_param,
                "required": False,
                "in": "query",
                "description": "A page number, from 1 (a page past the last is a 404).",
                "schema": {"type": "integer", "minimum": 1},
            },
            {
                "name": self.page_size_query_param,
                "required": False,
                "in": "query",
                "description": f"Results per page, from 1 to {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class AlgorithmPagination(StrictPagination):
    pass


@contextmanager
def _service_errors() -> Iterator[None]:
    """Turn the services' domain errors into API answers (400 with the form's messages, 409)."""
    try:
        yield
    except services.AlgorithmValidationError as exc:
        raise exceptions.ValidationError(errors_to_api(exc.errors)) from exc
    except services.AlgorithmInUse as exc:
        raise Conflict(str(exc)) from exc


def _visible(user: Any) -> AlgorithmQuerySet:
    return (
        Algorithm.objects.visible_to(user)
        .select_related("owner", "engine")
        .prefetch_related("hyperparameters")
    )


def _output(request: Request, algorithm: Algorithm, code: int = status.HTTP_200_OK) -> Response:
    # Re-read: the answer shows the rows and the status the service (and its task) saved.
    fresh = _visible(request.user).get(pk=algorithm.pk)
    return Response(AlgorithmOutputSerializer(fresh).data, status=code)


@extend_schema(tags=["algorithms"])
class AlgorithmListCreateApi(APIView):
    permission_classes = [IsOwnerOrStaff]
    parser_classes = [MultiPartParser, FormParser, StrictJSONParser]
    pagination_class = AlgorithmPagination

    @extend_schema(
        operation_id="algorithms_list",
        parameters=[
            AlgorithmListQuerySerializer,
        ],
        responses={
            200: AlgorithmOutputSerializer(many=True),
            400: OpenApiResponse(description="A malformed query parameter."),
            401: _ERRORS[401],
            404: OpenApiResponse(description="No such page."),
        },
    )
    def get(self, request: Request) -> Response:
        query = AlgorithmListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        algorithms = _visible(request.user).search(query.validated_data.get("search", ""))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(algorithms, request, view=self)
        return paginator.get_paginated_response(AlgorithmOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="algorithms_create",
        request=_BODY,
        responses={201: AlgorithmOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = AlgorithmInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _service_errors():
            algorithm = services.algorithm_create(
                owner=request.user,
                spec=body.spec(),
                code=body.validated_data.get("code"),
                server_path=body.validated_data.get("server_path", ""),
            )
        return _output(request, algorithm, status.HTTP_201_CREATED)


@extend_schema(tags=["algorithms"])
class AlgorithmDetailApi(APIView):
    permission_classes = [IsOwnerOrStaff]
    parser_classes = [MultiPartParser, FormParser, StrictJSONParser]

    def _get(self, request: Request, pk: int) -> Algorithm:
        algorithm = get_object_or_404(_visible(request.user), pk=pk)
        self.check_object_permissions(request, algorithm)
        return algorithm

    @extend_schema(
        operation_id="algorithms_retrieve",
        responses={200: AlgorithmOutputSerializer, **_NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(AlgorithmOutputSerializer(self._get(request, pk)).data)

    @extend_schema(
        operation_id="algorithms_update",
        description="Replace the spec; the code package is kept unless `code` or "
        "`server_path` is given.",
        request=_BODY,
        responses={200: AlgorithmOutputSerializer, **_ERRORS, **_NOT_FOUND},
    )
    def put(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=False)

    @extend_schema(
        operation_id="algorithms_partial_update",
        description="Change only the fields given; the others keep their saved values. An "
        'object merges into the saved one (`{"metric": {"regex": "..."}}` keeps the metric\'s '
        "name and goal); a list (`hyperparameters`, `search_algorithms`) replaces the saved "
        "list. The result is validated as a whole.",
        request=_BODY,
        responses={200: AlgorithmOutputSerializer, **_ERRORS, **_NOT_FOUND},
    )
    def patch(self, request: Request, pk: int) -> Response:
        return self._update(request, pk, partial=True)

    def _update(self, request: Request, pk: int, *, partial: bool) -> Response:
        algorithm = self._get(request, pk)
        body = AlgorithmInputSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        with _service_errors():
            algorithm = services.algorithm_update(
                algorithm=algorithm,
                spec=body.spec(base=spec_from_algorithm(algorithm) if partial else None),
                code=body.validated_data.get("code"),
                server_path=body.validated_data.get("server_path", ""),
            )
        return _output(request, algorithm)

    @extend_schema(
        operation_id="algorithms_destroy",
        responses={
            204: None,
            409: OpenApiResponse(description="A training job uses the algorithm."),
            **_NOT_FOUND,
        },
    )
    def delete(self, request: Request, pk: int) -> Response:
        algorithm = self._get(request, pk)
        with _service_errors():
            services.algorithm_delete(algorithm=algorithm)
        return Response(status=status.HTTP_204_NO_CONTENT)


class _CatalogueApi(APIView):
    """A role of the search library's one registry as ``{"count", "results"}``: every
    search algorithm (or policy) with its aliases, description and parameters (``name``,
    ``type``, ``default``, ``min``, ``max``, ``choices``, ``description``), sorted by name.
    Any logged-in user may read it."""

    permission_classes = [IsOwnerOrStaff]

    @staticmethod
    def answer(entries: list[dict[str, Any]], serializer: type[Serializer]) -> Response:
        return Response(serializer({"count": len(entries), "results": entries}).data)


@extend_schema(tags=["search algorithms"])
class SearchAlgorithmListApi(_CatalogueApi):
    @extend_schema(
        operation_id="search_algorithms_list",
        description="The search algorithms an algorithm may support, with their "
        "parameters and defaults.",
        responses={200: SamplerListOutputSerializer, 401: _ERRORS[401]},
    )
    def get(self, request: Request) -> Response:
        return self.answer(list_samplers(), SamplerListOutputSerializer)


@extend_schema(tags=["early-termination policies"])
class PolicyListApi(_CatalogueApi):
    @extend_schema(
        operation_id="early_termination_policies_list",
        description="The early-termination policies a training job may use (its `policy`: "
        '`{"name", ...parameters}`), with their parameters and defaults; a parameter a '
        "job leaves out gets its default.",
        responses={200: PolicyListOutputSerializer, 401: _ERRORS[401]},
    )
    def get(self, request: Request) -> Response:
        return self.answer(list_policies(), PolicyListOutputSerializer)


@extend_schema(tags=["algorithms"])
class AlgorithmScriptOptionsApi(APIView):
    """The hyperparameter table as the script's ``--help`` describes it (for review)."""

    permission_classes = [IsOwnerOrStaff]

    @extend_schema(
        operation_id="algorithms_script_options",
        description="Read from the boot file's `--help` (argparse or click) when the package "
        "was checked: rows to review and send back as `hyperparameters`; empty before "
        "the check or for a script without options.",
        responses={200: ScriptOptionsOutputSerializer, **_NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        algorithm = get_object_or_404(_visible(request.user), pk=pk)
        self.check_object_permissions(request, algorithm)
        options = read_options(algorithm.script_help, algorithm.script_arguments)
        return Response(
            ScriptOptionsOutputSerializer({**options.as_dict(), "help": algorithm.script_help}).data
        )
