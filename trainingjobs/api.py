"""REST API of training jobs and trials: input serializer -> one service -> output serializer.

Lookups go through ``visible_to(user)``, so another user's job or trial is a 404, as on the
pages; staff see everything. A request the job's state does not allow (cancel an ended
job, pause a paused one) answers 409 with the service's message.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db.models import BooleanField, Count, F, IntegerField, Prefetch, Q, QuerySet, Value
from django.db.models.functions import Coalesce, Right
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, status
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from algorithms.api import AlgorithmPagination, Conflict, StrictPagination
from algorithms.json_input import StrictJSONParser
from trainingjobs import services, trial_services
from trainingjobs.models import MetricPoint, TrainingJob, TrainingJobQuerySet, Trial
from trainingjobs.serializers import (
    LOG_TAIL_CHARS,
    JobCreateInputSerializer,
    JobExtendInputSerializer,
    JobListQuerySerializer,
    JobOutputSerializer,
    TrialDetailOutputSerializer,
    TrialOutputSerializer,
)

_ERRORS = {
    400: OpenApiResponse(description="Validation errors, nested like the input."),
    401: OpenApiResponse(description="No or wrong credentials."),
}
_NOT_FOUND = {404: OpenApiResponse(description="No such job or trial, or another user's.")}
_CONFLICT = {409: OpenApiResponse(description="The job's or trial's state does not allow it.")}


def _status_parameter(allowed: list[str]) -> OpenApiParameter:
    """``?status=``: only these statuses, comma-separated; its pattern says which words
    the list accepts (anything else is a 400 naming the word)."""
    word = "|".join(allowed)
    return OpenApiParameter(
        "status",
        str,
        description=f"Only these statuses, comma-separated: {', '.join(allowed)}.",
        pattern=f"^(?:(?:{word})(?:,(?:{word}))*)?$",
    )


class IsOwnerOrStaff(BasePermission):
    """The second wall behind ``visible_to``: a job's owner (a trial's job's) or staff."""

    message = "You do not have access to this training job."

    def has_permission(self, request: Request, view: Any) -> bool:
        return bool(request.user and request.user.is_authenticated)

    def has_object_permission(self, request: Request, view: Any, obj: Any) -> bool:
        job = obj.job if isinstance(obj, Trial) else obj
        return bool(request.user.is_staff or job.owner_id == request.user.pk)


class TrialPagination(StrictPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000


@contextmanager
def _state_errors() -> Iterator[None]:
    try:
        yield
    except services.JobExtendError as exc:
        # About the values sent (fewer trials than the job has): a 400 on those fields.
        raise exceptions.ValidationError(exc.errors) from exc
    except services.JobStateError as exc:
        raise Conflict(exc.message) from exc


def _jobs(user: Any) -> TrainingJobQuerySet:
    counts = {
        f"n_{value}": Count("trials", filter=Q(trials__status=value))
        for value in Trial.Status.values
    }
    return (
        TrainingJob.objects.visible_to(user)
        .select_related("owner", "algorithm", "dataset", "best_trial")
        # The dataset is there for its name: not its file listing and previews.
        .defer("dataset__files", "dataset__previews")
        .annotate(**counts)
        # Explicit: a GROUP BY query does not keep Meta.ordering, and pages need an order.
        .order_by("-created_at", "-id")
    )


def _points() -> Prefetch:
    return Prefetch("points", queryset=MetricPoint.objects.order_by("step"))


def _trials(user: Any) -> QuerySet[Trial]:
    return (
        Trial.objects.visible_to(user)
        .select_related("job")
        .prefetch_related(_points())
        .annotate(
            log_end=Coalesce(Right("log__text", LOG_TAIL_CHARS), Value("")),
            log_lines=Coalesce(F("log__lines"), Value(0), output_field=IntegerField()),
            log_truncated=Coalesce(F("log__truncated"), Value(False), output_field=BooleanField()),
        )
    )


def _statuses(request: Request, allowed: list[str]) -> list[str]:
    raw = request.query_params.get("status", "")
    wanted = [part.strip() for part in raw.split(",") if part.strip()]
    unknown = [s for s in wanted if s not in allowed]
    if unknown:
        raise exceptions.ValidationError(
            {"status": [f"Unknown status {unknown[0]!r} (one of: {', '.join(allowed)})."]}
        )
    return wanted


class _JobApi(APIView):
    permission_classes = [IsOwnerOrStaff]

    def get_job(self, request: Request, pk: int) -> TrainingJob:
        job = get_object_or_404(_jobs(request.user), pk=pk)
        self.check_object_permissions(request, job)
        return job

    def answer(
        self, request: Request, job: TrainingJob, code: int = status.HTTP_200_OK
    ) -> Response:
        # Re-read: the answer shows what the service saved, with fresh trial counts.
        fresh = _jobs(request.user).get(pk=job.pk)
        return Response(JobOutputSerializer(fresh).data, status=code)


@extend_schema(tags=["training jobs"])
class JobListCreateApi(_JobApi):
    parser_classes = [StrictJSONParser]
    # Also tells the schema that the list is paginated.
    pagination_class = AlgorithmPagination

    @extend_schema(
        operation_id="training_jobs_list",
        parameters=[_status_parameter(TrainingJob.Status.values), JobListQuerySerializer],
        responses={
            200: JobOutputSerializer(many=True),
            **_ERRORS,
            404: OpenApiResponse(description="No such page."),
        },
    )
    def get(self, request: Request) -> Response:
        jobs = _jobs(request.user)
        statuses = _statuses(request, TrainingJob.Status.values)
        if statuses:
            jobs = jobs.filter(status__in=statuses)
        query = JobListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        jobs = jobs.search(query.validated_data.get("search", ""))
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(jobs, request, view=self)
        return paginator.get_paginated_response(JobOutputSerializer(page, many=True).data)

    @extend_schema(
        operation_id="training_jobs_create",
        description="Validated exactly as the create page validates (same messages); the "
        "job starts at once.",
        request=JobCreateInputSerializer,
        responses={201: JobOutputSerializer, **_ERRORS},
    )
    def post(self, request: Request) -> Response:
        body = JobCreateInputSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        job = services.job_create(owner=request.user, spec=body.validated_data)
        return self.answer(request, job, status.HTTP_201_CREATED)


@extend_schema(tags=["training jobs"])
class JobDetailApi(_JobApi):
    @extend_schema(
        operation_id="training_jobs_retrieve",
        responses={200: JobOutputSerializer, **_NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(JobOutputSerializer(self.get_job(request, pk)).data)


_ACTION_RESPONSES = {200: JobOutputSerializer, **_NOT_FOUND, **_CONFLICT}


@extend_schema(tags=["training jobs"])
class JobCancelApi(_JobApi):
    @extend_schema(
        operation_id="training_jobs_cancel",
        description="Queued trials are canceled, running ones stopped within a second or two.",
        request=None,
        responses=_ACTION_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        job = self.get_job(request, pk)
        with _state_errors():
            job = services.job_cancel(job=job)
        return self.answer(request, job)


@extend_schema(tags=["training jobs"])
class JobPauseApi(_JobApi):
    @extend_schema(
        operation_id="training_jobs_pause",
        description="No new trial starts; running ones finish.",
        request=None,
        responses=_ACTION_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        job = self.get_job(request, pk)
        with _state_errors():
            job = services.job_pause(job=job)
        return self.answer(request, job)


@extend_schema(tags=["training jobs"])
class JobResumeApi(_JobApi):
    @extend_schema(
        operation_id="training_jobs_resume",
        request=None,
        responses=_ACTION_RESPONSES,
    )
    def post(self, request: Request, pk: int) -> Response:
        job = self.get_job(request, pk)
        with _state_errors():
            job = services.job_resume(job=job)
        return self.answer(request, job)


@extend_schema(tags=["training jobs"])
class JobExtendApi(_JobApi):
    parser_classes = [StrictJSONParser]

    @extend_schema(
        operation_id="training_jobs_extend",
        description="New totals for max_trials and/or max_duration_minutes; a finished job "
        "runs again and continues the same search.",
        request=JobExtendInputSerializer,
        responses={**_ACTION_RESPONSES, **_ERRORS},
    )
    def post(self, request: Request, pk: int) -> Response:
        job = self.get_job(request, pk)
        body = JobExtendInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        with _state_errors():
            job = services.job_extend(
                job=job,
                max_trials=body.validated_data.get("max_trials"),
                max_duration_minutes=body.validated_data.get("max_duration_minutes"),
            )
        return self.answer(request, job)


@extend_schema(tags=["trials"])
class JobTrialListApi(_JobApi):
    # Also tells the schema that the list is paginated.
    pagination_class = TrialPagination

    @extend_schema(
        operation_id="training_jobs_trials_list",
        parameters=[_status_parameter(Trial.Status.values)],
        responses={200: TrialOutputSerializer(many=True), **_NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        job = self.get_job(request, pk)
        trials = Trial.objects.filter(job=job).prefetch_related(_points())
        statuses = _statuses(request, Trial.Status.values)
        if statuses:
            trials = trials.filter(status__in=statuses)
        paginator = self.pagination_class()
        page = paginator.paginate_queryset(trials, request, view=self)
        return paginator.get_paginated_response(TrialOutputSerializer(page, many=True).data)


class _TrialApi(APIView):
    permission_classes = [IsOwnerOrStaff]

    def get_trial(self, request: Request, pk: int) -> Trial:
        trial = get_object_or_404(_trials(request.user), pk=pk)
        self.check_object_permissions(request, trial)
        return trial


@extend_schema(tags=["trials"])
class TrialDetailApi(_TrialApi):
    @extend_schema(
        operation_id="trials_retrieve",
        responses={200: TrialDetailOutputSerializer, **_NOT_FOUND},
    )
    def get(self, request: Request, pk: int) -> Response:
        return Response(TrialDetailOutputSerializer(self.get_trial(request, pk)).data)


@extend_schema(tags=["trials"])
class TrialStopApi(_TrialApi):
    @extend_schema(
        operation_id="trials_stop",
        description="Early-stop a trial: a running one ends early_stopped within a second "
        "or two, a queued one is canceled at once.",
        request=None,
        responses={200: TrialDetailOutputSerializer, **_NOT_FOUND, **_CONFLICT},
    )
    def post(self, request: Request, pk: int) -> Response:
        trial = self.get_trial(request, pk)
        with _state_errors():
            trial_services.trial_stop(trial=trial)
        return Response(TrialDetailOutputSerializer(self.get_trial(request, pk)).data)
