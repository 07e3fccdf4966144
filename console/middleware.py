"""Every page needs a logged-in user (the API answers 401 itself instead of redirecting);
a page address opened with the wrong method says so in a page, not a blank answer."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render


class LoginRequiredMiddleware(DjangoLoginRequired):
    """Django's login-required default, except for the REST API.

    API views authenticate with tokens or sessions and must answer 401/403 in
    JSON, not a redirect to the HTML login page; DRF's IsAuthenticated default
    permission covers them.
    """

    def process_view(
        self, request: HttpRequest, view_func: Any, view_args: Any, view_kwargs: Any
    ) -> Any:
        if request.path_info.startswith("/api/"):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class MethodNotAllowedPageMiddleware:
    """A 405 a page view answers empty (``require_POST``: an action's address such as
    ``/training-jobs/5/extend/``, opened from the address bar after a refused form, a
    bookmark or a new tab) becomes a page saying so, with a link to the page it belongs
    to (the address one level up). The status and ``Allow`` header stay; the API's own
    405 answers (JSON) are left alone."""

    def __init__(self, get_response: Any) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response: HttpResponse = self.get_response(request)
        if (
            response.status_code != 405
            or request.path_info.startswith("/api/")
            or request.method not in ("GET", "HEAD")
            or getattr(response, "streaming", False)
            or response.content
        ):
            return response
        parent = request.path.rstrip("/").rsplit("/", 1)[0] + "/"
        page = render(
            request,
            "405.html",
            {"request_path": request.path, "page_path": parent},
            status=405,
        )
        if response.has_header("Allow"):
            page["Allow"] = response["Allow"]
        return page
