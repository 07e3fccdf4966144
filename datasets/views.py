"""Dataset pages (list, create, detail, delete) and the trial-output downloads.

Every view fetches through an access helper (404 for someone else's dataset or trial,
staff see all), calls one service or read, and renders, redirects or streams. Login is
enforced for every page by ``console.middleware``.
"""

from __future__ import annotations

import logging
import posixpath

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBase,
    StreamingHttpResponse,
)
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from datasets import access, outputs, services
from datasets.forms import DatasetForm
from datasets.models import Dataset, OutputFile
from datasets.storage import STORAGE_ERRORS, open_stored

logger = logging.getLogger(__name__)

PAGE_SIZE = 20
MAX_FILES_SHOWN = 500


def _user_id(request: HttpRequest) -> int:
    user_id = request.user.pk
    assert user_id is not None, "login is required for every page"
    return int(user_id)


@require_GET
def dataset_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    datasets = (
        Dataset.objects.visible_to(request.user)
        .search(q)
        .select_related("owner")
        .defer("files", "previews")
    )
    page = Paginator(datasets, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "datasets/list.html", {"page": page, "q": q})


@require_GET
def dataset_detail(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = access.get_dataset_for_user(request.user, pk)
    previews = dataset.previews
    wanted = request.GET.get("preview", "")
    preview = next((p for p in previews if p["path"] == wanted), previews[0] if previews else None)
    ctx = {
        "dataset": dataset,
        "files": dataset.files[:MAX_FILES_SHOWN],
        "files_hidden": max(0, len(dataset.files) - MAX_FILES_SHOWN),
        "previews": previews,
        "preview": preview,
        "jobs_count": services.dataset_jobs_count(dataset),
    }
    return render(request, "datasets/detail.html", ctx)


@require_http_methods(["GET", "POST"])
def dataset_create(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        form = DatasetForm(user_id=_user_id(request))
        return render(request, "datasets/form.html", {"form": form})
    form = DatasetForm(request.POST, request.FILES, user_id=_user_id(request))
    if not form.is_valid():
        return render(request, "datasets/form.html", {"form": form}, status=400)
    try:
        dataset = services.dataset_create(
            owner=request.user,
            name=form.cleaned_data["name"],
            description=form.cleaned_data["description"],
            upload=form.chosen_upload(),
            server_path=form.chosen_server_path(),
        )
    except services.DatasetValidationError as exc:
        form.refuse(exc.errors)
        return render(request, "datasets/form.html", {"form": form}, status=400)
    form.finish()
    messages.success(
        request, f"Dataset '{dataset.name}' stored; it is being read and will be ready shortly."
    )
    return redirect("datasets:detail", pk=dataset.pk)


@require_http_methods(["GET", "POST"])
def dataset_delete(request: HttpRequest, pk: int) -> HttpResponse:
    dataset = access.get_dataset_for_user(request.user, pk)
    if request.method != "POST":
        return render(request, "datasets/delete.html", {"dataset": dataset})
    try:
        services.dataset_delete(dataset=dataset)
    except services.DatasetInUse as exc:
        messages.error(request, str(exc))
        return redirect("datasets:detail", pk=dataset.pk)
    messages.success(request, f"Dataset '{dataset.name}' deleted.")
    return redirect("datasets:list")


# --- trial outputs ----------------------------------------------------------------------------


@require_GET
def output_file(request: HttpRequest, trial_id: int, path: str) -> HttpResponseBase:
    access.check_trial_for_user(request.user, trial_id)
    refused = outputs.check_output_path(path)
    if refused:
        return HttpResponse(refused, status=400, content_type="text/plain; charset=utf-8")
    return file_response(access.output_file_for_user(request.user, trial_id, path))


@require_GET
def output_zip(request: HttpRequest, trial_id: int) -> HttpResponseBase:
    files = access.output_files_for_user(request.user, trial_id)
    return zip_response(files, f"trial-{trial_id}-outputs.zip")


def file_response(item: OutputFile) -> HttpResponseBase:
    try:
        reader = open_stored(item.storage_name)
    except STORAGE_ERRORS as exc:
        status, message = _storage_refusal(exc, [item.path])
        return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")
    response = FileResponse(
        reader,
        as_attachment=True,
        filename=posixpath.basename(item.path),
        content_type="application/octet-stream",
    )
    response["Content-Length"] = str(item.size)
    return response


def zip_refusal(files: list[OutputFile]) -> tuple[int, str] | None:
    """(status, message) when the zip cannot be made whole, checked before it starts."""
    try:
        unreadable = outputs.unreadable_outputs(files)
    except STORAGE_ERRORS as exc:
        return _storage_refusal(exc, [])
    if unreadable:
        logger.error("zip of outputs refused, unreadable in the storage: %s", unreadable)
        return 409, outputs.unreadable_message(unreadable)
    return None


def zip_response(files: list[OutputFile], filename: str) -> HttpResponseBase:
    refused = zip_refusal(files)
    if refused is not None:
        return HttpResponse(refused[1], status=refused[0], content_type="text/plain; charset=utf-8")
    return zip_stream_response(files, filename)


def zip_stream_response(files: list[OutputFile], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(outputs.zip_stream(files), content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _storage_refusal(exc: Exception, paths: list[str]) -> tuple[int, str]:
    """A listed file the storage says is gone (409), or a storage that cannot answer (503)."""
    code = getattr(exc, "response", {}).get("Error", {}).get("Code", "")
    if paths and (isinstance(exc, FileNotFoundError) or code in ("NoSuchKey", "404")):
        return 409, outputs.unreadable_message(paths)
    return 503, f"The storage cannot be reached ({type(exc).__name__}); try again later."
