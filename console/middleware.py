"""Every page needs a logged-in user; the API answers 401 itself instead of redirecting."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequired
from django.http import HttpRequest


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
