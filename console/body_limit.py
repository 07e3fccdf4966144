"""Refuse request bodies over the configured size with 413, before they are read.

A pure ASGI middleware in front of Django (``console.asgi``), so it works the same under
``manage.py serve`` and under a separate web server process:

* A declared ``Content-Length`` over the limit is answered 413 at once: the application
  never calls ``receive()``, and the server (uvicorn, whose HTTP reader pauses the socket
  while the application does not read) never takes the body off the network.
* A body without a length (chunked) or one longer than it said is counted as it streams;
  the moment the count passes the limit the application is told the client went away
  (Django stops reading) and the client gets the 413.

Three limits: routes that take a code package (``UPLOAD_PATHS``) accept up to
``MAX_REQUEST_MB``; routes that take a dataset (``DATASET_PATHS``) the dataset upload limit
plus a form; every other route (login, token, regex tester...) up to
``MAX_FORM_REQUEST_MB``, so an anonymous 100 MB POST to the login page costs nothing.

The 413 says what the limit is and that nothing was saved, in the asker's language: JSON
``{"detail": ...}`` under ``/api/``, the console's error page (``413.html``) to a browser
that asks for HTML, plain text otherwise.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from typing import Any

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Any, Any], Awaitable[None]]

MB = 1024 * 1024
# Routes that take a code package upload: the algorithm create/edit pages and the API.
UPLOAD_PATHS = re.compile(r"^/(algorithms/(create|\d+/edit)|api/v1/algorithms(/\d+)?)/$")
# Routes that take a dataset upload: the create page and the API's list (its POST).
DATASET_PATHS = re.compile(r"^/(datasets/create|api/v1/datasets)/$")


def _megabytes(size: int) -> str:
    return f"{size / MB:.1f} MB" if size % MB else f"{size // MB} MB"


def too_large_answer(scope: Scope, limit: int, declared: int | None) -> tuple[bytes, bytes]:
    """The 413's (content type, body) for this request: JSON, an HTML page or plain text."""
    text = (
        f"Request body too large: the limit for this address is {_megabytes(limit)}; "
        "nothing was read or saved."
    )
    path = scope.get("path", "")
    if path.startswith("/api/"):
        return b"application/json", json.dumps({"detail": text}).encode()
    if b"text/html" in _header(scope, b"accept"):
        from django.template.loader import render_to_string

        # No request: Django has not run, so the page shows no user (base.html's anonymous
        # layout) and needs nothing but these two numbers.
        size = _megabytes(declared) if declared is not None else ""
        page = render_to_string("413.html", {"limit": _megabytes(limit), "size": size})
        return b"text/html; charset=utf-8", page.encode()
    return b"text/plain; charset=utf-8", f"{text}\n".encode()


class BodyLimitMiddleware:
    """Wrap an ASGI app so that no HTTP request body over its route's limit is read."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        upload_limit: int,
        default_limit: int,
        dataset_limit: int | None = None,
    ) -> None:
        self.app = app
        self.upload_limit = upload_limit
        self.default_limit = default_limit
        self.dataset_limit = dataset_limit if dataset_limit is not None else default_limit

    def limit_for(self, path: str) -> int:
        """The largest body accepted on ``path``, in bytes."""
        if UPLOAD_PATHS.match(path):
            return self.upload_limit
        if DATASET_PATHS.match(path):
            return self.dataset_limit
        return self.default_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope.get("path", ""))
        declared = _content_length(scope)
        if declared is not None and declared > limit:
            await _send_413(send, scope, limit, declared)
            return
        state = {"read": 0, "started": False, "refused": False}

        async def limited_receive() -> Message:
            if state["refused"]:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                state["read"] += len(message.get("body", b""))
                if state["read"] > limit:
                    state["refused"] = True
                    if not state["started"]:
                        await _send_413(send, scope, limit, declared)
                        state["started"] = True
                    # Django treats a disconnect while reading as an aborted request.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            if state["refused"]:
                return  # the 413 is the answer; the app's late reply is dropped
            if message["type"] == "http.response.start":
                state["started"] = True
            await send(message)

        await self.app(scope, limited_receive, guarded_send)


def _header(scope: Scope, wanted: bytes) -> bytes:
    for name, value in scope.get("headers", []):
        if name.lower() == wanted:
            return bytes(value)
    return b""


def _content_length(scope: Scope) -> int | None:
    text = _header(scope, b"content-length").decode("latin-1").strip()
    # A malformed length is the server's to refuse (400); treat it as unknown.
    return int(text) if text.isascii() and text.isdigit() else None


async def _send_413(send: Send, scope: Scope, limit: int, declared: int | None) -> None:
    content_type, body = too_large_answer(scope, limit, declared)
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", content_type),
                (b"content-length", str(len(body)).encode()),
                # The unread body stays on the socket: the connection cannot be reused.
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
