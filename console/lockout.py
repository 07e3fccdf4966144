"""What a locked-out login gets (django-axes calls ``lockout_response``)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_message() -> str:
    minutes = settings.LOGIN_COOLOFF_MINUTES
    return (
        f"Too many failed logins from this address or for this username. "
        f"Try again in {minutes} minutes, or ask an administrator to unlock the account."
    )


def lockout_response(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
    """429 with Retry-After: JSON on the API, the login page with the message elsewhere."""
    retry = str(settings.LOGIN_COOLOFF_MINUTES * 60)
    response: HttpResponse
    if request.path.startswith("/api/"):
        response = JsonResponse({"detail": lockout_message()}, status=429)
    else:
        form = AuthenticationForm(request, initial={"username": request.POST.get("username", "")})
        response = render(
            request,
            "registration/login.html",
            {"form": form, "lockout": lockout_message(), "next": request.POST.get("next", "")},
            status=429,
        )
    response["Retry-After"] = retry
    return response
